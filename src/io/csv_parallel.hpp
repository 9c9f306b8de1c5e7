#pragma once
// The whole-file CSV parse, sequential or over pieces in parallel; both give
// the same frame, bit for bit, and the same errors.
#include <string>
#include <string_view>

#include "shipml/core/frame.hpp"
#include "shipml/io/csv.hpp"

namespace shipml::csv {

/// One thread, front to back: the reference every other way must match.
Frame parse_sequential(std::string_view text, const CsvOptions& options, const std::string& source);

/// Cuts the rows into `pieces` ranges at line breaks outside quoted cells,
/// parses them on up to `threads` threads and merges the columns. Any error,
/// or pieces that do not meet where the tokenizer says rows end, and the text
/// is parsed by parse_sequential instead, so messages are exactly its own.
Frame parse_in_pieces(std::string_view text, const CsvOptions& options, const std::string& source, std::size_t pieces,
                      int threads);

}  // namespace shipml::csv
