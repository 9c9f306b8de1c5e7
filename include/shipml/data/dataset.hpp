#pragma once
/// \file
/// A Dataset is a frame plus the name of its target column: what training,
/// splitting (stratified by class) and scoring need to know about data.
#include <span>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/core/frame.hpp"
#include "shipml/core/task.hpp"

namespace shipml {

/// A frame, the name of its target column and the columns with other roles:
/// groups, times and given folds (read by the splits), and row weights (read by
/// fitting and scoring). Those are never features, so a refit sees the same
/// features as the scored folds did.
struct SHIPML_API Dataset {
  Frame frame;         ///< the features, the target and the role columns
  std::string target;  ///< name of the target column in `frame`
  std::string source;  ///< where the data came from, for messages and records
  std::string query;   ///< the table or query read, for a database source
  std::string group;   ///< column of groups: no group on both sides of a split
  std::string time;    ///< column of times: scored only on rows later than those trained on
  std::string fold;    ///< column naming each row's test fold (missing: always trained on)
  std::string weight;  ///< column of row weights (scikit-learn's sample_weight), fitting and metrics

  /// Number of rows.
  std::size_t rows() const { return frame.rows(); }
  /// Every column but the target and the role columns.
  Frame features() const;
  /// The target column.
  const Column& labels() const { return frame.column(target); }
  /// The role columns given (group, time, fold, weight), in that order.
  std::vector<std::string> roles() const;
  /// The given rows, in the given order, with the same roles.
  Dataset take(std::span<const std::size_t> rows) const { return with_frame(frame.take(rows)); }
  /// Another frame with the same target, source and roles.
  Dataset with_frame(Frame other) const {
    Dataset d = *this;
    d.frame = std::move(other);
    return d;
  }
  /// Checks that the target and every role column are in the frame, different
  /// from each other; a UsageError naming the option and the columns otherwise.
  void check_roles() const;
  /// Each row's weight, from the weight column; empty when there is none
  /// (every row counts once). A DataError naming the column and the row for a
  /// missing, negative or non-finite weight, or a categorical column, and when
  /// every weight is 0.
  std::vector<double> weights() const;
  /// Identifies the data by content: the fingerprint of features() and labels().
  std::string fingerprint() const;
};

/// Identifies data by content: column names, values and category texts, in
/// order, features then target. Model files record the fingerprint of their
/// training data and run records that of the data they used, so the two link up.
SHIPML_API std::string fingerprint(const Frame& features, const Column& target);

/// Checks weights given for `rows` training rows (empty: unweighted, always
/// fine): one per row, each finite and >= 0, not all 0. A DataError naming
/// `what` (a column, or "the weights") and the row (counted from 1) otherwise.
SHIPML_API void check_weights(std::span<const double> weights, std::size_t rows, const std::string& what);

/// The task a target suggests: categorical, or integer-valued with at most 20
/// distinct values, is classification; any other numeric target is regression.
SHIPML_API Task infer_task(const Column& target);

/// Class labels of a classification target, sorted (numerically for numbers).
SHIPML_API std::vector<std::string> class_labels(const Column& target);

/// Index of each row's label in `classes` (-1 for a label not in it); a
/// DataError naming the row when a label is missing.
SHIPML_API std::vector<int> class_indices(const Column& target, const std::vector<std::string>& classes);

/// A regression target as numbers; a DataError naming the row when one is missing.
SHIPML_API std::vector<double> target_values(const Column& target);

}  // namespace shipml
