#pragma once
/// \file
/// A Dataset is a frame plus the name of its target column: what training,
/// splitting (stratified by class) and scoring need to know about data.
#include <string>

#include "shipml/core/export.hpp"
#include "shipml/core/frame.hpp"
#include "shipml/core/task.hpp"

namespace shipml {

/// A frame, the name of its target column and the columns with other roles:
/// groups, times and given folds. Those are read by the splits but are never
/// features, so a refit sees the same features as the scored folds did.
struct SHIPML_API Dataset {
  Frame frame;         ///< the features, the target and the role columns
  std::string target;  ///< name of the target column in `frame`
  std::string source;  ///< where the data came from, for messages and records
  std::string group;   ///< column of groups: no group on both sides of a split
  std::string time;    ///< column of times: scored only on rows later than those trained on
  std::string fold;    ///< column naming each row's test fold (missing: always trained on)

  /// Number of rows.
  std::size_t rows() const { return frame.rows(); }
  /// Every column but the target and the role columns.
  Frame features() const;
  /// The target column.
  const Column& labels() const { return frame.column(target); }
  /// The role columns given (group, time, fold), in that order.
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
  /// Identifies the data by content: the fingerprint of features() and labels().
  std::string fingerprint() const;
};

/// Identifies data by content: column names, values and category texts, in
/// order, features then target. Model files record the fingerprint of their
/// training data and run records that of the data they used, so the two link up.
SHIPML_API std::string fingerprint(const Frame& features, const Column& target);

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
