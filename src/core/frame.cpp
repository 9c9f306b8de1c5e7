#include "shipml/core/frame.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <mutex>
#include <unordered_map>

#include "shipml/core/error.hpp"
#include "shipml/core/large_block.hpp"
#include "shipml/core/names.hpp"

namespace shipml {

std::string_view to_string(ColumnType type) { return type == ColumnType::numeric ? "numeric" : "categorical"; }

Column Column::numeric(std::string name, std::vector<double> values) {
  Column c;
  c.name_ = std::move(name);
  c.type_ = ColumnType::numeric;
  auto storage = std::make_shared<const std::vector<double>>(std::move(values));
  c.values_ = *storage;
  c.storage_ = std::move(storage);
  return c;
}

Column Column::numeric_view(std::string name, std::span<const double> values, std::shared_ptr<const void> owner) {
  Column c;
  c.name_ = std::move(name);
  c.type_ = ColumnType::numeric;
  c.values_ = values;
  c.storage_ = std::move(owner);
  return c;
}

Column Column::categorical(std::string name, std::vector<std::int32_t> codes,
                           std::shared_ptr<const Categories> categories) {
  Column c;
  c.name_ = std::move(name);
  c.type_ = ColumnType::categorical;
  c.codes_ = std::make_shared<const std::vector<std::int32_t>>(std::move(codes));
  c.categories_ = categories ? std::move(categories) : std::make_shared<const Categories>();
  return c;
}

Column Column::from_strings(std::string name, const std::vector<std::string>& cells, const std::vector<bool>& missing) {
  std::vector<std::string> sorted;
  for (std::size_t i = 0; i < cells.size(); ++i)
    if (missing.empty() || !missing[i]) sorted.push_back(cells[i]);
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::unordered_map<std::string_view, std::int32_t> index;
  for (std::size_t i = 0; i < sorted.size(); ++i) index.emplace(sorted[i], static_cast<std::int32_t>(i));
  std::vector<std::int32_t> codes(cells.size(), kMissingCode);
  for (std::size_t i = 0; i < cells.size(); ++i)
    if (missing.empty() || !missing[i]) codes[i] = index.at(cells[i]);
  return categorical(std::move(name), std::move(codes), std::make_shared<const Categories>(std::move(sorted)));
}

Column Column::from_dictionary(std::string name, std::span<const std::int64_t> codes, const Categories& dictionary) {
  std::vector<std::size_t> order(dictionary.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return dictionary[a] < dictionary[b]; });
  Categories sorted;
  std::vector<std::int32_t> recode(dictionary.size());
  for (std::size_t i : order) {
    if (sorted.empty() || sorted.back() != dictionary[i]) sorted.push_back(dictionary[i]);
    recode[i] = static_cast<std::int32_t>(sorted.size() - 1);
  }
  std::vector<std::int32_t> out(codes.size(), kMissingCode);
  std::vector<bool> used(sorted.size(), false);
  for (std::size_t r = 0; r < codes.size(); ++r) {
    if (codes[r] < 0) continue;
    if (static_cast<std::uint64_t>(codes[r]) >= dictionary.size())
      throw DataError("column '" + name + "': code " + std::to_string(codes[r]) + " at row " + std::to_string(r + 1) +
                      " is outside its dictionary of " + std::to_string(dictionary.size()));
    out[r] = recode[static_cast<std::size_t>(codes[r])];
    used[static_cast<std::size_t>(out[r])] = true;
  }
  // Only the categories some row has, as a reader of the same cells would find.
  if (std::find(used.begin(), used.end(), false) != used.end()) {
    std::vector<std::int32_t> compact(sorted.size(), kMissingCode);
    Categories kept;
    for (std::size_t i = 0; i < sorted.size(); ++i)
      if (used[i]) compact[i] = static_cast<std::int32_t>(kept.size()), kept.push_back(std::move(sorted[i]));
    for (auto& c : out)
      if (c != kMissingCode) c = compact[static_cast<std::size_t>(c)];
    sorted = std::move(kept);
  }
  return categorical(std::move(name), std::move(out), std::make_shared<const Categories>(std::move(sorted)));
}

std::size_t Column::size() const { return is_numeric() ? values_.size() : codes_->size(); }

std::span<const double> Column::values() const {
  if (!is_numeric()) throw DataError("column '" + name_ + "' is categorical, not numeric");
  return values_;
}

std::span<const std::int32_t> Column::codes() const {
  if (is_numeric()) throw DataError("column '" + name_ + "' is numeric, not categorical");
  return *codes_;
}

const Categories& Column::categories() const {
  if (is_numeric()) throw DataError("column '" + name_ + "' is numeric, not categorical");
  return *categories_;
}

bool Column::is_missing(std::size_t row) const {
  return is_numeric() ? std::isnan(values_[row]) : (*codes_)[row] == kMissingCode;
}

std::size_t Column::missing_count() const {
  std::size_t n = 0;
  for (std::size_t i = 0, size = this->size(); i < size; ++i) n += is_missing(i);
  return n;
}

std::string Column::text(std::size_t row) const {
  if (is_missing(row)) return {};
  return is_numeric() ? format_number(values_[row]) : (*categories_)[(*codes_)[row]];
}

Column Column::take(std::span<const std::size_t> rows) const {
  if (is_numeric()) {
    std::vector<double> out(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) out[i] = values_[rows[i]];
    return numeric(name_, std::move(out));
  }
  std::vector<std::int32_t> out(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) out[i] = (*codes_)[rows[i]];
  return categorical(name_, std::move(out), categories_);
}

Column Column::renamed(std::string name) const {
  Column c = *this;
  c.name_ = std::move(name);
  return c;
}

// Names to positions, shared by a frame's copies (their columns are the same)
// and built by whichever thread searches first.
struct Frame::NameIndex {
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::once_flag built;
  std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>> position;
};

Frame::Frame(std::vector<Column> columns) {
  for (auto& c : columns) add(std::move(c));
}

Frame::Frame(std::vector<Column> columns, Trusted) : columns_(std::move(columns)) {
  rows_ = columns_.empty() ? 0 : columns_.front().size();
  if (columns_.size() >= kIndexedFrom) index_ = std::make_shared<NameIndex>();
}

const Frame::NameIndex& Frame::name_index() const {
  std::call_once(index_->built, [this] {
    index_->position.reserve(columns_.size());
    for (std::size_t i = 0; i < columns_.size(); ++i) index_->position.emplace(columns_[i].name(), i);
  });
  return *index_;
}

void Frame::add(Column column) {
  if (find(column.name())) throw DataError("duplicate column name '" + column.name() + "'");
  if (!columns_.empty() && column.size() != rows_)
    throw DataError("column '" + column.name() + "' has " + std::to_string(column.size()) + " rows, the frame has " +
                    std::to_string(rows_));
  rows_ = column.size();
  columns_.push_back(std::move(column));
  if (columns_.size() < kIndexedFrom) return;
  // find() above built the index of the columns before this one, unless the
  // frame just became wide. A copy of this frame may share it: then the
  // index is this frame's alone from now on, built again when next searched.
  if (index_ && index_.use_count() == 1) index_->position.emplace(columns_.back().name(), columns_.size() - 1);
  else index_ = std::make_shared<NameIndex>();
}
std::vector<std::string> Frame::names() const {
  std::vector<std::string> out;
  for (const auto& c : columns_) out.push_back(c.name());
  return out;
}

const Column* Frame::find(std::string_view name) const {
  if (!index_) {
    for (const auto& c : columns_)
      if (c.name() == name) return &c;
    return nullptr;
  }
  const auto& position = name_index().position;
  const auto it = position.find(name);
  return it == position.end() ? nullptr : &columns_[it->second];
}

const Column& Frame::column(std::string_view name) const {
  if (const Column* c = find(name)) return *c;
  throw DataError("no column named '" + echoed(name) + "' (columns: " + listed(names()) + ")");
}

// The numeric columns' values go to one block: one allocation instead of one
// a column, on huge pages when large (a wide frame's 784 columns of 5,000
// rows faulted in 7,700 small pages one by one: 85 ms on a VM).
Frame Frame::take(std::span<const std::size_t> rows) const {
  const auto numeric = static_cast<std::size_t>(
      std::count_if(columns_.begin(), columns_.end(), [](const Column& c) { return c.is_numeric(); }));
  const std::shared_ptr<double[]> block = numeric ? uninitialised_doubles(numeric * rows.size()) : nullptr;
  Frame out;
  double* next = block.get();
  for (const auto& c : columns_) {
    if (!c.is_numeric()) {
      out.add(c.take(rows));
      continue;
    }
    const std::span<const double> all = c.values();
    for (std::size_t i = 0; i < rows.size(); ++i) next[i] = all[rows[i]];
    out.add(Column::numeric_view(c.name(), {next, rows.size()}, block));
    next += rows.size();
  }
  out.rows_ = rows.size();
  return out;
}

Frame Frame::without(std::string_view name) const {
  Frame out;
  for (const auto& c : columns_)
    if (c.name() != name) out.add(c);
  out.rows_ = rows_;
  return out;
}

std::string format_number(double value) {
  if (std::isnan(value)) return "nan";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, end);
}

}  // namespace shipml
