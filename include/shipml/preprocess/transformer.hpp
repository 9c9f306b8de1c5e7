#pragma once
/// \file
/// Transformers: the steps of a pipeline before its learner. Each is fitted on
/// training columns, stored in the model file, and created by name from one
/// registry, with its parameters declared once, as estimators are. A step sees
/// the columns it is given (all the columns it applies to, unless the pipeline
/// names some) and returns their replacement; the other columns pass through.
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "shipml/core/binary.hpp"
#include "shipml/core/export.hpp"
#include "shipml/core/frame.hpp"
#include "shipml/core/params.hpp"
#include "shipml/estimators/estimator.hpp"

namespace shipml {

/// What a transformer is fitted with besides its columns.
struct SHIPML_API FitContext {
  const Column* target = nullptr;    ///< the training target (for target encoding)
  Task task = Task::regression;      ///< classification or regression
  std::vector<std::string> classes;  ///< class labels (classification)
  std::uint64_t seed = 0;            ///< seeds what a step draws
};

/// An output column and the input column it was made from (by position in the
/// step's input), so importances can be traced back to the data's columns.
struct SHIPML_API Produced {
  Column column;           ///< the output column
  std::size_t source = 0;  ///< index of its input column in the step's input
};

/// A pipeline step: fitted on training columns, saved in the model file, applied to new ones.
class SHIPML_API Transformer {
 public:
  /// Transformers are owned and used through this interface.
  virtual ~Transformer() = default;
  /// Learns from the training `columns`, and from the target when supervised.
  virtual void fit(const Frame& columns, const FitContext& context) = 0;
  /// The replacement columns. Thread-safe; the same output for the same input.
  virtual std::vector<Produced> transform(const Frame& columns) const = 0;
  /// The training output. Supervised transformers (target encoding) override it
  /// to cross-fit, so no training row is encoded with its own target.
  virtual std::vector<Produced> fit_transform(const Frame& columns, const FitContext& context) {
    fit(columns, context);
    return transform(columns);
  }
  /// Writes what was learned, for the model file.
  virtual void save(BinaryWriter& out) const = 0;
  /// Reads what save() wrote.
  virtual void load(BinaryReader& in) = 0;
  /// What it learned, for `shipml inspect` and the model file's header.
  virtual nlohmann::json describe() const = 0;
};

/// The columns a transformer applies to when the pipeline names none.
enum class Applies {
  numeric,      ///< numeric columns
  categorical,  ///< categorical columns
  any           ///< every column
};

/// The declaration of a transformer: name, summary, what it applies to, parameters.
struct SHIPML_API TransformerInfo {
  std::string name;                ///< as given to a pipeline step
  std::string summary;             ///< one line, for `shipml transformers`
  Applies applies = Applies::any;  ///< the columns it takes when its step names none
  std::vector<ParamSpec> params;   ///< its hyperparameters, declared once
  /// Makes an unfitted transformer with validated parameters.
  std::function<std::unique_ptr<Transformer>(const Params&)> create;
  /// When set, what it applies to given its parameters (the imputer's mean and
  /// median take numbers; its other strategies, any column).
  std::function<Applies(const Params&)> applies_with;
  /// Its step must name its columns (dates, columns to drop or keep).
  bool needs_columns = false;
  /// It is given every column except the ones its step names (select_columns).
  bool complement = false;
};

/// Every registered transformer, in registration order.
SHIPML_API const std::vector<TransformerInfo>& transformers();
/// The named transformer; a UsageError listing the known names otherwise.
SHIPML_API const TransformerInfo& find_transformer(const std::string& name);

}  // namespace shipml
