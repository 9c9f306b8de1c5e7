#pragma once
// One column of a source being read, cell by cell: numbers, categories, or
// (inferred) numbers until a text turns it into categories, as a CSV column
// does. Category dictionaries come out sorted, so equal data gives equal
// columns (and fingerprints) whatever source it came from.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "shipml/core/frame.hpp"

namespace shipml::sources {

class ColumnBuilder {
 public:
  enum class Mode { numeric, categorical, inferred };
  ColumnBuilder(std::string name, Mode mode) : name_(std::move(name)), mode_(mode) {}

  const std::string& name() const { return name_; }
  Mode mode() const { return mode_; }
  std::size_t size() const { return size_; }

  void add_missing();
  /// A number, with its text should the column turn out categorical. An
  /// infinite number is the caller's to refuse (it knows the row and source).
  void add_number(double value, std::string_view text);
  /// A text; a numeric column is the caller's to refuse it.
  void add_text(std::string_view text);
  /// Whether an inferred column has met a text (so ends categorical).
  bool has_text() const { return has_text_; }
  /// The column, emptying the builder.
  Column finish();

 private:
  std::int32_t code_of(std::string_view text);

  std::string name_;
  Mode mode_;
  std::size_t size_ = 0;
  bool has_text_ = false;
  std::vector<double> numbers_;      // numeric and inferred columns
  std::vector<std::int32_t> codes_;  // categorical and inferred columns
  std::vector<std::string> categories_;
  std::unordered_map<std::string, std::int32_t> index_;
};

}  // namespace shipml::sources
