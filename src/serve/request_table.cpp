#include "request_table.hpp"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

namespace shipml::serve {

void ColumnBuilder::number(double value) {
  if (!std::isfinite(value))
    throw RequestError(400, "column '" + name_ + "' row " + std::to_string(size() + 1) + ": number out of range");
  kinds_.push_back(Kind::number);
  numbers_.push_back(value);
}

void ColumnBuilder::text(std::string_view value) {
  kinds_.push_back(Kind::text);
  texts_.emplace_back(value);
  any_text_ = true;
}

void ColumnBuilder::missing() { kinds_.push_back(Kind::missing); }

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

Column ColumnBuilder::build() const {
  if (!any_text_) {
    std::vector<double> values(kinds_.size(), std::nan(""));
    std::size_t next = 0;
    for (std::size_t i = 0; i < kinds_.size(); ++i)
      if (kinds_[i] == Kind::number) values[i] = numbers_[next++];
    return Column::numeric(name_, std::move(values));
  }
  std::vector<std::string> cells(kinds_.size());
  std::vector<bool> absent(kinds_.size());
  std::size_t n = 0, t = 0;
  for (std::size_t i = 0; i < kinds_.size(); ++i) {
    if (kinds_[i] == Kind::number) cells[i] = format_number(numbers_[n++]);
    else if (kinds_[i] == Kind::text) cells[i] = texts_[t++];
    else absent[i] = true;
  }
  return Column::from_strings(name_, cells, absent);
}

Frame make_frame(std::vector<ColumnBuilder>& columns) {
  std::vector<Column> built;
  built.reserve(columns.size());
  for (std::size_t j = 0; j < columns.size(); ++j) {
    for (std::size_t k = 0; k < j; ++k)
      if (columns[k].name() == columns[j].name())
        throw RequestError(400, "column '" + columns[j].name() + "' is given twice");
    if (columns[j].size() != columns.front().size())
      throw RequestError(400, "column '" + columns[j].name() + "' has " + std::to_string(columns[j].size()) +
                                  " rows but '" + columns.front().name() + "' has " +
                                  std::to_string(columns.front().size()));
    built.push_back(columns[j].build());
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
