#include "io/csv_format.hpp"

#include <cmath>
#include <cstring>
#include <vector>

namespace shipml::csv {

void append_cell(std::string& out, std::string_view cell) {
  if (cell.find_first_of(",\"\r\n") == std::string_view::npos && !cell.starts_with("\xEF\xBB\xBF")) {
    out += cell;
    return;
  }
  out += '"';
  for (const char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_header(std::string& out, const Frame& frame) {
  for (std::size_t j = 0; j < frame.cols(); ++j) {
    if (j) out += ',';
    append_cell(out, frame[j].name());
  }
  out += '\n';
}

namespace {

// A column's cells without the per-cell checks of Column: its numbers, or its
// codes and dictionary.
struct ColumnView {
  const double* numbers = nullptr;
  const std::int32_t* codes = nullptr;
  const Categories* categories = nullptr;
};

std::vector<ColumnView> views(const Frame& frame) {
  std::vector<ColumnView> out(frame.cols());
  for (std::size_t j = 0; j < frame.cols(); ++j) {
    if (frame[j].is_numeric()) out[j].numbers = frame[j].values().data();
    else {
      out[j].codes = frame[j].codes().data();
      out[j].categories = &frame[j].categories();
    }
  }
  return out;
}

}  // namespace

void append_rows(std::string& out, const Frame& frame, std::size_t begin, std::size_t end) {
  const auto columns = views(frame);
  for (std::size_t i = begin; i < end; ++i) {
    bool missing = false;
    for (std::size_t j = 0; j < columns.size(); ++j) {
      if (j) out += ',';
      const ColumnView& c = columns[j];
      if (c.numbers) {
        if (!(missing = std::isnan(c.numbers[i]))) append_number(out, c.numbers[i]);
      } else if (!(missing = c.codes[i] == kMissingCode)) {
        append_cell(out, (*c.categories)[static_cast<std::size_t>(c.codes[i])]);
      }
    }
    // A lone empty cell would be a blank line, which readers skip.
    if (columns.size() == 1 && missing) out += "\"\"";
    out += '\n';
  }
}

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  std::size_t plain = 0;  // start of the run of bytes that need no escape
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {
        static const char* hex = "0123456789abcdef";
        const char escaped[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        out.append(escaped, sizeof escaped);
      }
    }
  }
  out.append(text.data() + plain, text.size() - plain);
  out += '"';
}

void append_json_lines(std::string& out, const Frame& frame, std::size_t begin, std::size_t end) {
  const auto columns = views(frame);
  std::vector<std::string> keys(frame.cols());  // {"name": and ,"name":, written once
  for (std::size_t j = 0; j < frame.cols(); ++j) {
    keys[j] = j ? "," : "{";
    append_json_string(keys[j], frame[j].name());
    keys[j] += ':';
  }
  for (std::size_t i = begin; i < end; ++i) {
    if (columns.empty()) out += '{';
    for (std::size_t j = 0; j < columns.size(); ++j) {
      out += keys[j];
      const ColumnView& c = columns[j];
      if (c.numbers) {
        if (std::isfinite(c.numbers[i])) append_number(out, c.numbers[i]);
        else out += "null";
      } else if (c.codes[i] == kMissingCode) {
        out += "null";
      } else {
        append_json_string(out, (*c.categories)[static_cast<std::size_t>(c.codes[i])]);
      }
    }
    out += "}\n";
  }
}

}  // namespace shipml::csv
