#include "request_table.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

namespace shipml::serve {

void ColumnBuilder::push(double cell) {
  if (size_ == 1) more_.push_back(first_);
  if (size_ == 0) first_ = cell;
  else more_.push_back(cell);
  ++size_;
}

void ColumnBuilder::number(double value) {
  if (!std::isfinite(value))
    throw RequestError(400, "column '" + name_ + "' row " + std::to_string(size() + 1) + ": number out of range");
  push(value);
}

void ColumnBuilder::text(std::string_view value) {
  text_rows_.push_back(size_);
  texts_.emplace_back(value);
  push(std::nan(""));
}

void ColumnBuilder::missing() { push(std::nan("")); }

bool ColumnBuilder::scalar(const JsonValue& value) {
  using Type = simdjson::dom::element_type;
  switch (value.type()) {
    case Type::DOUBLE: number(value.get_double().value_unsafe()); return true;
    case Type::INT64: number(static_cast<double>(value.get_int64().value_unsafe())); return true;
    case Type::UINT64: number(static_cast<double>(value.get_uint64().value_unsafe())); return true;
    case Type::BOOL: number(value.get_bool().value_unsafe() ? 1 : 0); return true;
    case Type::STRING: text(value.get_string().value_unsafe()); return true;
    case Type::NULL_VALUE: missing(); return true;
    default: return false;
  }
}

Column ColumnBuilder::build_categorical() && {
  const auto numbers = this->numbers();
  std::vector<std::string> cells(size_);
  std::vector<bool> absent(size_);
  std::size_t t = 0;
  for (std::size_t i = 0; i < size_; ++i) {
    if (t < text_rows_.size() && text_rows_[t] == i) cells[i] = std::move(texts_[t++]);
    else if (std::isnan(numbers[i])) absent[i] = true;
    else cells[i] = format_number(numbers[i]);
  }
  return Column::from_strings(std::move(name_), cells, absent);
}

namespace {

// The first column, in order, whose name an earlier column has (columns.size()
// when none): a few names are compared pairwise, many by sorting.
std::size_t first_repeated_name(const std::vector<ColumnBuilder>& columns) {
  const std::size_t n = columns.size();
  if (n <= 16) {
    for (std::size_t j = 1; j < n; ++j)
      for (std::size_t k = 0; k < j; ++k)
        if (columns[k].name() == columns[j].name()) return j;
    return n;
  }
  std::vector<std::size_t> order(n);
  for (std::size_t j = 0; j < n; ++j) order[j] = j;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const int c = columns[a].name().compare(columns[b].name());
    return c < 0 || (c == 0 && a < b);
  });
  std::size_t first = n;
  for (std::size_t i = 1; i < n; ++i)  // in a run of equal names, all but the earliest repeat it
    if (columns[order[i]].name() == columns[order[i - 1]].name()) first = std::min(first, order[i]);
  return first;
}

}  // namespace

Frame make_frame(std::vector<ColumnBuilder>& columns) {
  const std::size_t repeated = first_repeated_name(columns);
  std::size_t numeric_cells = 0;
  for (std::size_t j = 0; j < columns.size(); ++j) {
    // Errors in column order, a repeated name before a length, as one pass would find them.
    if (j == repeated) throw RequestError(400, "column '" + columns[j].name() + "' is given twice");
    if (columns[j].size() != columns.front().size())
      throw RequestError(400, "column '" + columns[j].name() + "' has " + std::to_string(columns[j].size()) +
                                  " rows but '" + columns.front().name() + "' has " +
                                  std::to_string(columns.front().size()));
    if (!columns[j].has_text()) numeric_cells += columns[j].size();
  }
  // Every numeric column's cells in one block: one allocation per request, not one per column.
  auto block = std::make_shared<std::vector<double>>();
  block->reserve(numeric_cells);
  std::vector<Column> built;
  built.reserve(columns.size());
  for (auto& c : columns) {
    if (c.has_text()) {
      built.push_back(std::move(c).build_categorical());
      continue;
    }
    const std::size_t start = block->size();
    block->insert(block->end(), c.numbers().begin(), c.numbers().end());
    built.push_back(Column::numeric_view(std::move(c).take_name(),
                                         std::span<const double>(block->data() + start, c.numbers().size()), block));
  }
  return Frame(std::move(built), Frame::Trusted{});
}

namespace {

constexpr std::size_t kMaxDepth = 32;

// A precise message for a body simdjson refused: nlohmann's parser says where.
std::string describe_malformed(std::string_view body, simdjson::error_code code) {
  if (code == simdjson::DEPTH_ERROR) return "JSON nests deeper than " + std::to_string(kMaxDepth) + " levels";
  try {
    const auto parsed = nlohmann::json::parse(body);  // only to find where it breaks
    (void)parsed;
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 5: ..." -> "line 1, column 5: ..."
    if (const auto at = what.find(" at line "); at != std::string::npos)
      return "malformed JSON at " + what.substr(at + 4);
    return "malformed JSON: " + what;
  } catch (const nlohmann::json::exception& e) {
    std::string what = e.what();  // numbers too large for a double ("1e999") and the like
    if (const auto end = what.find("] "); end != std::string::npos) what = what.substr(end + 2);
    return "JSON " + what;
  }
  return std::string("JSON not accepted: ") + simdjson::error_message(code);
}

}  // namespace

JsonValue parse_json_body(std::string_view body) {
  // One parser and one padded copy of the body per thread, reused: after the
  // first requests, parsing allocates nothing.
  thread_local simdjson::dom::parser parser = [] {
    simdjson::dom::parser p;
    if (p.allocate(64 * 1024, kMaxDepth) != simdjson::SUCCESS) throw std::bad_alloc();
    return p;
  }();
  thread_local std::string padded;
  padded.assign(body);
  padded.append(simdjson::SIMDJSON_PADDING, '\0');
  JsonValue root;
  if (const auto error = parser.parse(padded.data(), body.size(), false).get(root); error != simdjson::SUCCESS)
    throw RequestError(400, describe_malformed(body, error));
  return root;
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += ch;
    }
  }
  out += '"';
}

void append_json_number(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char buf[32];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, value).ptr);
}

}  // namespace shipml::serve
