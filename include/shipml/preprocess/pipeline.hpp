#pragma once
/// \file
/// A pipeline: transformer steps applied in order before a model's learner. Each
/// step works on the columns it names (or every column of the kind it handles)
/// and passes the others through, so "scale these, one-hot those, keep the
/// rest" is three steps, with no separate column-transformer concept. A step's
/// parameters are addressed as "step.param", from C++, the command line and
/// spec files; steps are named after their transformer unless given a name.
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/preprocess/transformer.hpp"

namespace shipml {

/// One step of a pipeline as written: name, transformer, parameters and columns.
struct SHIPML_API StepSpec {
  std::string name;                           ///< unique in the pipeline (default: the transformer's name)
  std::string transformer;                    ///< a registered transformer's name
  std::map<std::string, std::string> params;  ///< the transformer's parameters
  std::vector<std::string> columns;           ///< empty: every column of the kind it handles
};

/// Transformer steps applied in order before a model's learner (see StepSpec).
class SHIPML_API Pipeline {
 public:
  /// A pipeline with no steps.
  Pipeline();
  /// Checks every step now: known transformer, valid parameters, unique names.
  explicit Pipeline(std::vector<StepSpec> steps);
  /// Moves a pipeline, fitted or not.
  Pipeline(Pipeline&&) noexcept;
  /// Moves a pipeline into this one.
  Pipeline& operator=(Pipeline&&) noexcept;
  /// Frees the steps.
  ~Pipeline();

  /// Whether it has no steps.
  bool empty() const { return steps_.empty(); }
  /// The steps as specified, parameters with their defaults filled in.
  std::vector<StepSpec> specs() const;
  /// The same steps, unfitted.
  Pipeline unfitted() const;
  /// Whether `key` ("step.param") names a step of this pipeline.
  bool addresses(const std::string& key) const;
  /// Sets "step.param"; a UsageError naming the step or parameter otherwise.
  void set(const std::string& key, const std::string& value);
  /// Every step parameter as "step.param" -> value.
  std::map<std::string, std::string> param_values() const;

  /// Fits each step on the output of the one before; returns the last output.
  Frame fit_transform(const Frame& features, const FitContext& context);
  /// Applies the fitted steps to `features`. Thread-safe.
  Frame transform(const Frame& features) const;
  /// For each column of the output, the input column it was made from.
  const std::vector<std::size_t>& lineage() const { return lineage_; }
  /// Input columns whose unseen categories must be refused (a one_hot step with unseen=error).
  std::vector<std::string> strict_columns(const std::vector<std::string>& input_names) const;

  nlohmann::json to_json() const;  ///< the specification and what each step learned
  /// The steps of a to_json() specification.
  static std::vector<StepSpec> specs_from_json(const nlohmann::json& j);
  /// Writes every step's specification and what it learned, for the model file.
  void save(BinaryWriter& out) const;
  /// Reads what save() wrote.
  void load(BinaryReader& in);

 private:
  struct Step;
  // `lineage`: each input column's source, updated to the output's (fitting only:
  // prediction, the hot path, has no use for it).
  Frame apply(std::size_t s, const Frame& input, const FitContext* fitting, std::vector<std::size_t>* lineage) const;
  std::vector<std::unique_ptr<Step>> steps_;
  std::vector<std::size_t> lineage_;
};

/// Reads "TRANSFORMER[:COLUMN,COLUMN...]" (the command line's --step).
SHIPML_API StepSpec parse_step(const std::string& text);

}  // namespace shipml
