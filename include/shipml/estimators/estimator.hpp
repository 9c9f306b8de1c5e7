#pragma once
// The learner interface every estimator implements, and the registry that creates
// estimators by name. Learners see an encoded numeric matrix; turning a Frame into
// that matrix (and back into labels) is the Model's job, so every learner gets
// categoricals, missing values and schema checks for free.
#include <Eigen/Dense>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/core/binary.hpp"
#include "shipml/core/params.hpp"
#include "shipml/core/task.hpp"
#include "shipml/estimators/feature_matrix.hpp"

namespace shipml {

/// How a learner wants its input encoded (the default preprocessing the model carries).
enum class InputEncoding {
  /// Numbers imputed (mean, plus a missing-indicator column) and standardised;
  /// categories one-hot encoded. For linear models.
  one_hot_scaled,
  /// Numbers as they are (NaN = missing), passed without a copy; categories as
  /// their code (NaN = missing or unseen), marked categorical. For trees, which
  /// handle both natively.
  ordinal,
};

class SHIPML_API Estimator {
 public:
  virtual ~Estimator() = default;
  /// `y` holds class indices in [0, n_classes) for classification, values for
  /// regression (n_classes == 0).
  virtual void fit(const FeatureMatrix& X, std::span<const double> y, int n_classes) = 0;
  /// Class index (classification) or value (regression) per row. Thread-safe.
  virtual std::vector<double> predict(const FeatureMatrix& X) const;
  /// Class probabilities (rows x classes). Thread-safe. Classifiers only.
  virtual Matrix predict_proba(const FeatureMatrix& X) const;
  virtual void save(BinaryWriter& out) const = 0;
  virtual void load(BinaryReader& in) = 0;
  /// What the estimator learned, for `shipml inspect`; names label the encoded
  /// features and (classifiers) the classes.
  virtual nlohmann::json inspect(const std::vector<std::string>& feature_names,
                                 const std::vector<std::string>& classes) const = 0;
  /// Tree learners: every tree as nested JSON (`shipml inspect --trees`); null otherwise.
  virtual nlohmann::json dump_trees(const std::vector<std::string>&) const { return nullptr; }
};

/// The declaration of an estimator: its name, what it does, the tasks it solves,
/// the input it wants and its hyperparameters. Registered once, used by every front door.
struct SHIPML_API EstimatorInfo {
  std::string name;
  std::string summary;
  std::vector<Task> tasks;
  InputEncoding encoding = InputEncoding::ordinal;
  std::vector<ParamSpec> params;
  std::function<std::unique_ptr<Estimator>(const Params&, Task)> create;

  bool supports(Task task) const;
};

/// Every registered estimator, in registration order.
SHIPML_API const std::vector<EstimatorInfo>& estimators();
/// The named estimator; a UsageError listing the known names otherwise.
SHIPML_API const EstimatorInfo& find_estimator(const std::string& name);

}  // namespace shipml
