#pragma once
/// \file
/// Small helpers for things looked up by name, so every "unknown X" error reads
/// the same and lists what would have been accepted.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "shipml/core/error.hpp"

namespace shipml {

/// "a, b, c".
inline std::string join(const std::vector<std::string>& items, const std::string& separator = ", ") {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += separator;
    out += s;
  }
  return out;
}

/// The length of the UTF-8 sequence of several bytes that starts at `text[i]`,
/// or 0 when the bytes there are not one (a lone byte of Latin-1, say).
inline std::size_t utf8_sequence_at(std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  const std::size_t length = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (length == 0 || i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k)
    if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return 0;
  return length;
}

/// A value from the user's input, as an error message echoes it: bytes that are
/// not printable ASCII or UTF-8 written as \\xNN, and anything past `max` bytes cut
/// with its length said, so a 10 MB line or binary junk never floods a terminal.
inline std::string echoed(std::string_view value, std::size_t max = 80) {
  std::string out;
  std::size_t i = 0;
  for (; i < value.size() && out.size() < max; ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c >= 0x20 && c != 0x7f && c < 0x80) {
      out += static_cast<char>(c);
      continue;
    }
    // A whole valid UTF-8 sequence passes as it is; anything else is escaped.
    if (const std::size_t length = utf8_sequence_at(value, i)) {
      out.append(value.substr(i, length));
      i += length - 1;
      continue;
    }
    static constexpr char hex[] = "0123456789abcdef";
    out += {'\\', 'x', hex[c >> 4], hex[c & 15]};
  }
  if (i < value.size()) out += "... (" + std::to_string(value.size()) + " bytes)";
  return out;
}

/// A list for a message: "a, b, c", or the first `shown` items and "... and N
/// more" when there are more, so an error about a frame of a million columns
/// stays one readable line.
inline std::string listed(const std::vector<std::string>& items, std::size_t shown = 20) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < shown; ++i) out += (i ? ", " : "") + echoed(items[i], 40);
  if (items.size() > shown) out += ", ... and " + std::to_string(items.size() - shown) + " more";
  return out;
}

/// The item whose `.name` is `name`; otherwise a UsageError such as
/// "unknown metric 'x' (metrics: a, b)".
template <class Item>
const Item& find_named(const std::vector<Item>& items, const std::string& name, const std::string& kind) {
  std::vector<std::string> known;
  for (const auto& item : items) {
    if (item.name == name) return item;
    known.push_back(item.name);
  }
  throw UsageError("unknown " + kind + " '" + name + "' (" + kind + "s: " + join(known) + ")");
}

}  // namespace shipml
