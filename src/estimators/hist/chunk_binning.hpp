#pragma once
// Binning rows that come in chunks, possibly spread over the ranks of a
// data-parallel job: two passes over the chunks, one for the rows the bins are
// learned from, one that bins every value into a byte. The binned rows are the
// only copy of the data kept; the numbers of a chunk live only while it is read.
#include <cstddef>
#include <exception>
#include <string>

#include "binning.hpp"
#include "shipml/core/communicator.hpp"
#include "shipml/estimators/feature_chunks.hpp"

namespace shipml::hist {

/// Where this rank's rows lie among the rows of every rank (rank order is row order).
struct RowSpan {
  std::size_t first = 0;  ///< this rank's first row among all
  std::size_t total = 0;  ///< rows of every rank together
};

/// This rank's place among every rank's rows (a collective call).
RowSpan row_span(std::size_t rows, Communicator& ranks);

/// Fits `binner` on the rows Binner::fit would sample from every rank's rows
/// taken together (each rank reads its chunks once and sends its share of the
/// sample to all), so every rank bins alike, and as one process holding every
/// row would. Then bins this rank's chunks (a second pass) into one byte per value.
BinnedRows bin_chunks(Binner& binner, FeatureChunks& X, const RowSpan& span, int max_bins, Communicator& ranks,
                      int threads);

}  // namespace shipml::hist
