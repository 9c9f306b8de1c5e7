#include "sources/column_builder.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

namespace shipml::sources {

void ColumnBuilder::add_missing() {
  if (mode_ != Mode::categorical) numbers_.push_back(std::nan(""));
  if (mode_ != Mode::numeric) codes_.push_back(kMissingCode);
  ++size_;
}

void ColumnBuilder::add_number(double value, std::string_view text) {
  if (mode_ != Mode::categorical) numbers_.push_back(value);
  if (mode_ != Mode::numeric) codes_.push_back(code_of(text));
  ++size_;
}

void ColumnBuilder::add_text(std::string_view text) {
  if (mode_ == Mode::numeric) numbers_.push_back(std::nan(""));  // not reached: callers refuse text first
  if (mode_ == Mode::inferred) {
    numbers_.push_back(std::nan(""));
    has_text_ = true;
  }
  if (mode_ != Mode::numeric) codes_.push_back(code_of(text));
  ++size_;
}

std::int32_t ColumnBuilder::code_of(std::string_view text) {
  auto [it, added] = index_.try_emplace(std::string(text), static_cast<std::int32_t>(categories_.size()));
  if (added) categories_.emplace_back(text);
  return it->second;
}

Column ColumnBuilder::finish() {
  size_ = 0;
  if (mode_ == Mode::numeric || (mode_ == Mode::inferred && !has_text_))
    return Column::numeric(std::move(name_), std::move(numbers_));
  // Sorted dictionaries make the codes independent of row order (as CSV's are).
  std::vector<std::int32_t> order(categories_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::int32_t>(i);
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return categories_[a] < categories_[b]; });
  std::vector<std::int32_t> remap(order.size());
  auto sorted = std::make_shared<Categories>();
  for (std::size_t i = 0; i < order.size(); ++i) {
    remap[order[i]] = static_cast<std::int32_t>(i);
    sorted->push_back(std::move(categories_[order[i]]));
  }
  for (auto& c : codes_)
    if (c != kMissingCode) c = remap[c];
  return Column::categorical(std::move(name_), std::move(codes_), std::move(sorted));
}

}  // namespace shipml::sources
