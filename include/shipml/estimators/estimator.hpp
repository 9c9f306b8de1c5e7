#pragma once
/// \file
/// The learner interface every estimator implements, and the registry that creates
/// estimators by name. Learners see an encoded numeric matrix; turning a Frame into
/// that matrix (and back into labels) is the Model's job, so every learner gets
/// categoricals, missing values and schema checks for free.
#include <Eigen/Dense>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "shipml/core/binary.hpp"
#include "shipml/core/communicator.hpp"
#include "shipml/core/export.hpp"
#include "shipml/core/params.hpp"
#include "shipml/core/task.hpp"
#include "shipml/estimators/feature_chunks.hpp"
#include "shipml/estimators/feature_contributions.hpp"
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

/// What a fitted learner reads and gives. A model file states the same things
/// elsewhere (its encoder's width, its header's classes); loading compares them,
/// so a file that disagrees with itself is refused instead of read out of bounds.
struct SHIPML_API EstimatorShape {
  std::size_t features = 0;  ///< encoded features it reads: the columns of X
  std::size_t classes = 0;   ///< classes it gives probabilities for; 0 for a regressor
};

/// A learner: fits on encoded features, predicts, and saves what it learned.
class SHIPML_API Estimator {
 public:
  /// Estimators are owned and used through this interface.
  virtual ~Estimator() = default;
  /// `y` holds class indices in [0, n_classes) for classification, values for
  /// regression (n_classes == 0). `weights` holds one weight per row, each
  /// finite and >= 0, not all 0 (the caller checks: check_weights in
  /// data/dataset.hpp), as scikit-learn's `sample_weight`; empty: every row
  /// counts once. A learner honours them in fitting; what that means for each
  /// is in docs/weights.md.
  virtual void fit(const FeatureMatrix& X, std::span<const double> y, int n_classes,
                   std::span<const double> weights) = 0;
  /// Class index (classification) or value (regression) per row. Thread-safe.
  virtual std::vector<double> predict(const FeatureMatrix& X) const;
  /// Class probabilities (rows x classes). Thread-safe. Classifiers only.
  virtual Matrix predict_proba(const FeatureMatrix& X) const;
  /// Writes what was learned, for the model file.
  virtual void save(BinaryWriter& out) const = 0;
  /// Reads what save() wrote, refusing (BinaryReader::fail) state that does not
  /// hold together: sizes, indices and counts that disagree with each other.
  virtual void load(BinaryReader& in) = 0;
  /// What the estimator learned, for `shipml inspect`; names label the encoded
  /// features and (classifiers) the classes.
  virtual nlohmann::json inspect(const std::vector<std::string>& feature_names,
                                 const std::vector<std::string>& classes) const = 0;
  /// Tree learners: every tree as nested JSON (`shipml inspect --trees`); null otherwise.
  virtual nlohmann::json dump_trees(const std::vector<std::string>&) const { return nullptr; }
  /// What it reads and gives, once fitted or loaded. Last in the class, so the
  /// virtual functions before it keep their places.
  virtual EstimatorShape shape() const = 0;
  /// The oldest model-file format that holds what save() writes: 1, unless the
  /// state needs a later format's layout (format 3: a knn fitted with unequal
  /// weights keeps them). A model file is written in the newest format its
  /// parts need, so older readers keep reading every file they can.
  virtual std::uint32_t format_version() const { return 1; }
  // Explanations: added after every earlier virtual function, so those keep their places.
  /// The raw output that contributions() explains, rows x outputs: one output
  /// for a regressor and for a binary classifier (the second class), one per
  /// class otherwise. The default is the prediction itself: the value, or the
  /// class probabilities (forests, decision_tree, knn, gaussian_nb). A learner
  /// with a margin gives it instead: log-odds for two classes, the softmax's
  /// scores for more (logistic, hist_gbdt, xgboost); hist_gbdt's poisson loss
  /// gives the log of the value. Thread-safe.
  virtual Matrix raw_output(const FeatureMatrix& X) const;
  /// Each row's raw_output() split into one contribution per group of encoded
  /// features (request.group_of), which sum with the expected value to it:
  /// exactly, or within rounding of the sampled estimate (whose values are
  /// within `error_bound` of the exact ones, at 99%). nullopt: this learner
  /// does not explain its predictions. Thread-safe.
  virtual std::optional<FeatureContributions> contributions(const FeatureMatrix& X,
                                                            const ContributionRequest& request) const;
  // Partitioned training: added after every earlier virtual function, so those keep their places.
  /// Trains on rows given in chunks, which may be only this rank's share of
  /// the rows of a job over `ranks`: every rank calls it with its own rows (y
  /// and weights for them, in chunk order; n_classes the same everywhere) and
  /// every rank ends with the same fitted state. With one rank and one chunk
  /// the result equals fit()'s. The default refuses: hist_gbdt trains this
  /// way from chunks and over ranks, random_forest over ranks.
  virtual void fit_partitioned(FeatureChunks& X, std::span<const double> y, int n_classes,
                               std::span<const double> weights, Communicator& ranks);
};

/// The declaration of an estimator: its name, what it does, the tasks it solves,
/// the input it wants and its hyperparameters. Registered once, used by every front door.
struct SHIPML_API EstimatorInfo {
  std::string name;                                 ///< as given to Model and `shipml train -e`
  std::string summary;                              ///< one line, for `shipml estimators`
  std::vector<Task> tasks;                          ///< classification, regression or both
  InputEncoding encoding = InputEncoding::ordinal;  ///< the input it wants (the model's default preprocessing)
  std::vector<ParamSpec> params;                    ///< its hyperparameters, declared once
  /// Makes an unfitted estimator with validated parameters, for a task.
  std::function<std::unique_ptr<Estimator>(const Params&, Task)> create;

  /// Whether it solves `task`.
  bool supports(Task task) const;
};

/// Every registered estimator, in registration order.
SHIPML_API const std::vector<EstimatorInfo>& estimators();
/// The named estimator; a UsageError listing the known names otherwise.
SHIPML_API const EstimatorInfo& find_estimator(const std::string& name);

}  // namespace shipml
