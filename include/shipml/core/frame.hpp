#pragma once
/// \file
/// Frame: a columnar table with a schema. Columns are immutable and share their
/// storage, so selecting columns or copying a frame is cheap; taking rows copies
/// only the rows taken.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shipml/core/export.hpp"

namespace shipml {

/// What a column holds.
enum class ColumnType {
  numeric,     ///< numbers (NaN = missing)
  categorical  ///< codes into a category dictionary (kMissingCode = missing)
};
/// "numeric" or "categorical".
SHIPML_API std::string_view to_string(ColumnType type);

/// Category dictionary of a categorical column: code i stands for categories[i].
using Categories = std::vector<std::string>;

/// Code of a missing value in a categorical column.
inline constexpr std::int32_t kMissingCode = -1;

/// One named column: numbers (NaN = missing) or dictionary-encoded categories.
class SHIPML_API Column {
 public:
  /// A numeric column; NaN marks a missing value.
  static Column numeric(std::string name, std::vector<double> values);
  /// A numeric column over memory the caller owns (a NumPy array, say), not
  /// copied: `owner` keeps it alive for as long as any copy of the column lives.
  static Column numeric_view(std::string name, std::span<const double> values, std::shared_ptr<const void> owner);
  /// A categorical column of codes into `categories` (kMissingCode = missing);
  /// null `categories` is an empty dictionary.
  static Column categorical(std::string name, std::vector<std::int32_t> codes,
                            std::shared_ptr<const Categories> categories);
  /// A categorical column from text; `missing` marks missing cells. The
  /// dictionary is sorted so equal data gives equal codes.
  static Column from_strings(std::string name, const std::vector<std::string>& cells,
                             const std::vector<bool>& missing = {});
  /// A categorical column from codes into a dictionary in any order (what
  /// pandas' factorize gives; negative codes are missing). The dictionary is
  /// sorted, equal texts merged and texts no row has dropped, as from_strings
  /// does, so equal data gives equal codes whatever it came from.
  static Column from_dictionary(std::string name, std::span<const std::int64_t> codes, const Categories& dictionary);

  /// Column name.
  const std::string& name() const { return name_; }
  /// Numeric or categorical.
  ColumnType type() const { return type_; }
  /// Whether the column holds numbers.
  bool is_numeric() const { return type_ == ColumnType::numeric; }
  /// Number of rows.
  std::size_t size() const;

  /// Numeric values; throws unless numeric.
  std::span<const double> values() const;
  /// The storage behind values(), for views that must keep it alive.
  std::shared_ptr<const void> storage() const { return storage_; }
  /// Category codes (kMissingCode = missing); throws unless categorical.
  std::span<const std::int32_t> codes() const;
  /// The category dictionary; throws unless categorical.
  const Categories& categories() const;

  /// Whether the cell in `row` is missing.
  bool is_missing(std::size_t row) const;
  /// Number of missing cells.
  std::size_t missing_count() const;
  /// The cell as text, as a user would write it ("" when missing).
  std::string text(std::size_t row) const;

  /// The given rows, in the given order (copied).
  Column take(std::span<const std::size_t> rows) const;
  /// The same column under another name (storage shared, not copied).
  Column renamed(std::string name) const;

 private:
  std::string name_;
  ColumnType type_ = ColumnType::numeric;
  std::span<const double> values_;
  std::shared_ptr<const void> storage_;  // owns what values_ points at
  std::shared_ptr<const std::vector<std::int32_t>> codes_;
  std::shared_ptr<const Categories> categories_;
};

/// A table of equally long columns with unique names.
class SHIPML_API Frame {
 public:
  /// A frame with no columns and no rows.
  Frame() = default;
  /// Adds the columns in order; a DataError for a duplicate name or a length that differs.
  explicit Frame(std::vector<Column> columns);
  /// Tag for columns already known to have unique names and equal lengths
  /// (a schema's output): skips the checks.
  struct Trusted {};
  /// Takes `columns` as they are, without the checks (see Trusted).
  Frame(std::vector<Column> columns, Trusted);

  /// Appends a column; its length must match and its name be new.
  void add(Column column);

  /// Number of rows.
  std::size_t rows() const { return rows_; }
  /// Number of columns.
  std::size_t cols() const { return columns_.size(); }
  /// Column `i`, in frame order.
  const Column& operator[](std::size_t i) const { return columns_[i]; }
  /// Every column, in order.
  const std::vector<Column>& columns() const { return columns_; }
  /// Column names, in order.
  std::vector<std::string> names() const;

  /// The named column, or null when there is none.
  const Column* find(std::string_view name) const;
  /// The named column; a DataError naming the columns that exist otherwise.
  const Column& column(std::string_view name) const;

  /// The given rows of every column, in the given order.
  Frame take(std::span<const std::size_t> rows) const;
  /// Every column but the named one (the frame unchanged when there is none).
  Frame without(std::string_view name) const;

 private:
  // A wide frame finds names by hash, so building or searching one of many
  // thousands of columns is linear, not quadratic; a narrow one (a request's
  // row) searches its few names in place, with nothing to allocate. The hash
  // index is built on the first search, not with the frame, and copies share
  // it: a wide request's frame, conformed and encoded without a search by
  // name, never pays for one.
  static constexpr std::size_t kIndexedFrom = 32;
  struct NameIndex;
  const NameIndex& name_index() const;
  std::vector<Column> columns_;
  std::shared_ptr<NameIndex> index_;  // when wide: built once, on first use (thread-safe)
  std::size_t rows_ = 0;
};

/// Formats a double the shortest way that reads back exactly ("3", "0.1", "nan").
SHIPML_API std::string format_number(double value);

}  // namespace shipml
