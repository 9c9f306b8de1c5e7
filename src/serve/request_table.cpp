#include "shipml/serve/request_table.hpp"

#include <charconv>
#include <cmath>

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

void ColumnBuilder::json(const nlohmann::json& value, const std::string& where) {
  switch (value.type()) {
    case nlohmann::json::value_t::number_float:
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: number(value.get<double>()); break;
    case nlohmann::json::value_t::boolean: number(value.get<bool>() ? 1 : 0); break;
    case nlohmann::json::value_t::string: text(value.get_ref<const std::string&>()); break;
    case nlohmann::json::value_t::null: missing(); break;
    default:
      throw RequestError(400, where + ": expected a number, a string or null, found " +
                                  std::string(value.is_array() ? "an array" : "an object"));
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

// The deepest nesting of arrays and objects, outside strings; stops counting at
// `limit` + 1 so a hostile body costs one linear scan.
int nesting_depth(std::string_view body, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest && (deepest = depth) > limit) return deepest;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

nlohmann::json parse_json_body(std::string_view body, int max_depth) {
  if (nesting_depth(body, max_depth) > max_depth)
    throw RequestError(400, "JSON nests deeper than " + std::to_string(max_depth) + " levels");
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 5: ..." -> "line 1, column 5: ..."
    if (const auto at = what.find(" at line "); at != std::string::npos) what = what.substr(at + 4);
    throw RequestError(400, "malformed JSON at " + what);
  } catch (const nlohmann::json::exception& e) {
    // Numbers too large for a double ("1e999") and the like.
    std::string what = e.what();
    if (const auto end = what.find("] "); end != std::string::npos) what = what.substr(end + 2);
    throw RequestError(400, "JSON " + what);
  }
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
