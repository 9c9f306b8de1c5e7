#pragma once
/// \file
/// Drift: how far new data has moved from the data a model was trained on.
/// Training keeps a DriftReference in the model file (each input column's
/// quantile bins or category frequencies and missing rate, and the distribution
/// of the model's own predictions); DriftCounter bins new rows the same way and
/// compare() turns the counts into a population stability index and a test
/// statistic per column (docs/drift.md). `shipml drift` runs it on a file and
/// `shipml serve` on a sliding window of live requests, with the same code.
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/core/frame.hpp"

namespace shipml {

/// What one column (or the predictions) looked like in training: counts per
/// bin of a sample of the training rows, and how many were missing.
struct SHIPML_API ColumnReference {
  std::string name;                       ///< the column ("prediction" for the predictions)
  ColumnType type = ColumnType::numeric;  ///< numeric: quantile bins; categorical: frequent categories
  /// Numeric: the inner bin edges (deciles of the training values, distinct,
  /// ascending); a value v falls in bin upper_bound(edges, v), so there are
  /// edges.size() + 1 bins.
  std::vector<double> edges;
  /// Categorical: the most frequent categories, one bin each; one more bin
  /// ("other") holds every other category, seen in training or not.
  std::vector<std::string> categories;
  std::vector<std::uint64_t> counts;  ///< rows per bin (not counting missing ones)
  std::uint64_t missing = 0;          ///< rows missing a value

  /// Number of bins (without the missing one).
  std::size_t bins() const { return counts.size(); }
  /// Rows counted, missing ones included.
  std::uint64_t rows() const;
};

/// The training distribution of every input column and of the predictions.
struct SHIPML_API DriftReference {
  /// Rows of training data sampled for the reference, at most this many.
  static constexpr std::size_t kSampleRows = 5000;
  /// Numeric columns: this many quantile bins, fewer when values repeat.
  static constexpr std::size_t kNumericBins = 10;
  /// Categorical columns: this many categories by name, the rest as "other".
  static constexpr std::size_t kTopCategories = 50;

  std::vector<ColumnReference> columns;  ///< one per input column, in schema order
  ColumnReference prediction;            ///< the predicted value (regression) or class

  /// The reference of `features` and the model's `predictions` of the same
  /// sampled rows (sample_rows()): a class label (classification) or value per row.
  static DriftReference of(const Frame& features, const Column& predictions);
  /// The rows of an n-row frame that of() describes: every row up to
  /// kSampleRows, evenly spaced ones beyond (deterministic, so a refit on the
  /// same data gives the same reference).
  static std::vector<std::size_t> sample_rows(std::size_t n);

  /// As the model file's header holds it.
  nlohmann::json to_json() const;
  /// Reads to_json()'s form; a ModelError naming what is inconsistent.
  static DriftReference from_json(const nlohmann::json& j);
};

/// When a column counts as drifted.
struct SHIPML_API DriftThresholds {
  double psi = 0.2;              ///< flag at a population stability index this large or more
  std::uint64_t min_rows = 100;  ///< flag nothing on fewer rows than this
};

/// How far one column has moved.
struct SHIPML_API ColumnDrift {
  std::string name;                   ///< the column ("prediction" for the predictions)
  std::string test;                   ///< "ks" (numeric) or "chi2" (categorical)
  std::uint64_t rows = 0;             ///< new rows compared, missing ones included
  double psi = 0;                     ///< population stability index over the bins and missing
  double statistic = 0;               ///< Kolmogorov-Smirnov D over the bins, or Pearson's chi-squared
  double p_value = 1;                 ///< of the statistic, under "no drift"
  double missing_rate = 0;            ///< of the new rows
  double reference_missing_rate = 0;  ///< of the training rows
  bool flagged = false;               ///< psi at or above the threshold, on enough rows
};

/// Every column's drift and the predictions'.
struct SHIPML_API DriftReport {
  std::vector<ColumnDrift> columns;  ///< in schema order
  ColumnDrift prediction;            ///< rows = 0 when no predictions were counted
  DriftThresholds thresholds;        ///< what flagged them

  /// The flagged columns' names.
  std::vector<std::string> flagged() const;
  /// As `shipml drift --json` prints it.
  nlohmann::json to_json() const;
};

/// New rows counted into a reference column's bins.
struct SHIPML_API DriftCounts {
  std::vector<std::uint64_t> bins;  ///< per bin, as the reference's
  std::uint64_t missing = 0;        ///< rows missing a value

  /// Rows counted, missing ones included.
  std::uint64_t rows() const;
};

/// Compares new rows' counts with the reference column.
SHIPML_API ColumnDrift compare(const ColumnReference& reference, const DriftCounts& live,
                               const DriftThresholds& thresholds);

/// Puts new rows into a reference's bins: the same bins for `shipml drift` on
/// a file and for the server's live windows. Each row becomes width() bytes:
/// the bin of each input column, in the reference's order, then the
/// prediction's.
class SHIPML_API DriftBinner {
 public:
  /// The bin of a missing value.
  static constexpr std::uint8_t kMissing = 255;

  /// Bins for `reference`.
  explicit DriftBinner(std::shared_ptr<const DriftReference> reference);

  /// Bytes per row: the input columns and the prediction.
  std::size_t width() const { return reference_->columns.size() + 1; }
  /// Appends the bins of every row of `rows` and of its `predictions` (one per
  /// row, as DriftReference::of() took them) to `out`, width() bytes per row.
  /// A column the rows lack counts as missing; so does a value of the wrong
  /// kind (text where numbers were trained).
  void bin(const Frame& rows, const Column& predictions, std::vector<std::uint8_t>& out) const;
  /// Zero counts for each of the width() columns.
  std::vector<DriftCounts> empty_counts() const;
  /// Adds (or with `sign` -1 removes) binned rows to counts.
  static void tally(std::span<const std::uint8_t> binned, std::vector<DriftCounts>& counts, int sign = 1);
  /// The report of counts from empty_counts() and tally().
  DriftReport report(const std::vector<DriftCounts>& counts, const DriftThresholds& thresholds) const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using CategoryBins = std::unordered_map<std::string, std::uint8_t, Hash, std::equal_to<>>;
  void bin_column(const ColumnReference& reference, const CategoryBins& categories, const Column* column,
                  std::size_t offset, std::vector<std::uint8_t>& out, std::size_t first) const;
  std::shared_ptr<const DriftReference> reference_;
  std::vector<CategoryBins> categories_;  // per column of width()
};

/// The drift of `rows` and of the model's `predictions` of them from the
/// reference: what `shipml drift` prints.
SHIPML_API DriftReport drift_report(std::shared_ptr<const DriftReference> reference, const Frame& rows,
                                    const Column& predictions, const DriftThresholds& thresholds = {});

}  // namespace shipml
