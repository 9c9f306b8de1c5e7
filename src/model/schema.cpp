#include "shipml/model/schema.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <unordered_map>

#include "shipml/core/error.hpp"
#include "shipml/core/names.hpp"
#include "shipml/io/csv.hpp"

namespace shipml {

void Schema::add(std::string name, ColumnType type, std::shared_ptr<const Categories> categories) {
  Field f{std::move(name), type, std::move(categories), nullptr};
  if (f.categories) {
    auto codes = std::make_shared<std::unordered_map<std::string, std::int32_t>>();
    for (std::size_t i = 0; i < f.categories->size(); ++i)
      codes->emplace((*f.categories)[i], static_cast<std::int32_t>(i));
    f.codes = std::move(codes);
  }
  fields_.push_back(std::move(f));
}

Schema Schema::of(const Frame& features) {
  Schema s;
  for (const auto& c : features.columns())
    s.add(c.name(), c.type(), c.is_numeric() ? nullptr : std::make_shared<const Categories>(c.categories()));
  return s;
}

void Schema::refuse_unseen(const std::vector<std::string>& names) {
  for (auto& f : fields_)
    if (f.categories && std::find(names.begin(), names.end(), f.name) != names.end()) f.refuse_unseen = true;
}

std::vector<std::string> Schema::names() const {
  std::vector<std::string> out;
  for (const auto& f : fields_) out.push_back(f.name);
  return out;
}

namespace {

[[noreturn]] void unseen(const Field& field, std::size_t row, const std::string& value) {
  throw DataError("column '" + field.name + "', row " + std::to_string(row + 1) + ": '" + value +
                  "' is a category the model never saw (it refuses unseen categories of this column)");
}

// Whether any training category reads as a number (area codes, say).
bool numeric_looking(const Field& field) {
  for (const auto& c : *field.categories) {
    double v = 0;
    const auto [end, ec] = std::from_chars(c.data(), c.data() + c.size(), v);
    if (ec == std::errc() && end == c.data() + c.size()) return true;
  }
  return false;
}

Column as_categories(const Field& field, const Column& given) {
  const auto& index = *field.codes;
  std::vector<std::int32_t> codes(given.size(), kMissingCode);
  if (given.is_numeric()) {
    const bool numbers_make_sense = numeric_looking(field);
    for (std::size_t i = 0; i < given.size(); ++i) {
      if (given.is_missing(i)) continue;
      const std::string text = format_number(given.values()[i]);
      auto it = index.find(text);
      if (it != index.end()) codes[i] = it->second;
      else if (!numbers_make_sense)
        throw DataError("column '" + field.name + "' holds categories (" + listed(*field.categories) + "), but row " +
                        std::to_string(i + 1) + " has the number " + text);
      else if (field.refuse_unseen) unseen(field, i, text);
    }
  } else {
    // Recode through the input's dictionary: one lookup per category, not per row.
    std::vector<std::int32_t> remap(given.categories().size(), kMissingCode);
    for (std::size_t c = 0; c < remap.size(); ++c) {
      auto it = index.find(given.categories()[c]);
      if (it != index.end()) remap[c] = it->second;
    }
    for (std::size_t i = 0; i < given.size(); ++i) {
      const auto code = given.codes()[i];
      if (code == kMissingCode) continue;
      codes[i] = remap[static_cast<std::size_t>(code)];
      if (codes[i] == kMissingCode && field.refuse_unseen)
        unseen(field, i, given.categories()[static_cast<std::size_t>(code)]);
    }
  }
  return Column::categorical(field.name, std::move(codes), field.categories);
}

// The first infinite value from `from` on, refused (there is one).
[[noreturn]] void refuse_first_infinite(const Field& field, std::span<const double> values, std::size_t from) {
  for (std::size_t i = from;; ++i)
    if (std::isinf(values[i]))
      throw DataError("column '" + field.name + "', row " + std::to_string(i + 1) + ": " +
                      (values[i] > 0 ? "inf" : "-inf") +
                      " is not a finite number; shipml reads finite numbers only (NaN or an empty cell is missing)");
}

// Numbers are finite at every front door (files, frames, requests), at training
// and at prediction alike: an infinite value is refused, naming where it is.
// Values are tested 64 at a time without a branch each (a loop the compiler
// vectorises: a wide frame's 47 million values took 70 ms one by one), and a
// block with an infinity is searched for the first.
void refuse_infinite(const Field& field, std::span<const double> values) {
  constexpr std::size_t kBlock = 64;
  for (std::size_t at = 0; at < values.size(); at += kBlock) {
    const std::size_t end = std::min(values.size(), at + kBlock);
    bool infinite = false;
    for (std::size_t i = at; i < end; ++i) infinite |= std::fabs(values[i]) == HUGE_VAL;
    if (infinite) refuse_first_infinite(field, values, at);
  }
}

Column as_numbers(const Field& field, const Column& given) {
  if (given.is_numeric()) {
    refuse_infinite(field, given.values());
    return given;
  }
  std::vector<double> parsed(given.categories().size());
  std::vector<bool> ok(parsed.size());
  for (std::size_t c = 0; c < parsed.size(); ++c) {
    const auto number = parse_number(given.categories()[c]);  // as the CSV reader reads it
    ok[c] = number.has_value();
    parsed[c] = number.value_or(0.0);
  }
  std::vector<double> values(given.size(), std::nan(""));
  for (std::size_t i = 0; i < given.size(); ++i) {
    const auto code = given.codes()[i];
    if (code == kMissingCode) continue;
    if (!ok[static_cast<std::size_t>(code)])
      throw DataError("column '" + field.name + "' must be numeric, but row " + std::to_string(i + 1) + " has '" +
                      given.categories()[static_cast<std::size_t>(code)] + "'");
    values[i] = parsed[static_cast<std::size_t>(code)];
  }
  refuse_infinite(field, values);
  return Column::numeric(field.name, std::move(values));
}

}  // namespace

Frame Schema::conform(const Frame& input) const {
  std::vector<Column> out;
  out.reserve(fields_.size());
  for (std::size_t j = 0; j < fields_.size(); ++j) {
    const Field& field = fields_[j];
    // Inputs usually come in training order: look where the column was first.
    const Column* given = j < input.cols() && input[j].name() == field.name ? &input[j] : input.find(field.name);
    if (!given) throw DataError("missing column '" + field.name + "' (the model needs: " + listed(names()) + ")");
    out.push_back(field.type == ColumnType::numeric ? as_numbers(field, *given) : as_categories(field, *given));
  }
  return Frame(std::move(out), Frame::Trusted{});
}

nlohmann::json Schema::to_json() const {
  nlohmann::json fields = nlohmann::json::array();
  for (const auto& f : fields_) {
    nlohmann::json j = {{"name", f.name}, {"type", to_string(f.type)}};
    if (f.categories) j["categories"] = *f.categories;
    if (f.refuse_unseen) j["unseen"] = "error";
    fields.push_back(j);
  }
  return fields;
}

namespace {

// A schema read from a file names each column once, and each category of a
// column once: columns are found by name and categories coded by their place.
void check_distinct(const Schema& s) {
  std::set<std::string> names;
  for (const auto& f : s.fields()) {
    if (!names.insert(f.name).second) throw ModelError("the schema names the column '" + f.name + "' twice");
    if (f.categories && f.codes->size() != f.categories->size())
      throw ModelError("the categories of column '" + f.name + "' repeat");
  }
}

}  // namespace

Schema Schema::from_json(const nlohmann::json& j) {
  Schema s;
  for (const auto& f : j) {
    const std::string type = f.at("type").get<std::string>();
    if (type != "numeric" && type != "categorical") throw ModelError("unknown field type '" + type + "'");
    const bool numeric = type == "numeric";
    s.add(f.at("name").get<std::string>(), numeric ? ColumnType::numeric : ColumnType::categorical,
          numeric ? nullptr : std::make_shared<const Categories>(f.at("categories").get<Categories>()));
    s.fields_.back().refuse_unseen = !numeric && f.value("unseen", "") == "error";
  }
  check_distinct(s);
  return s;
}

}  // namespace shipml
