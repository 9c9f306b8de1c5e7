#include "shipml/model/model_spec.hpp"

#include <optional>

#include "model/decision_reader.hpp"
#include "model/step_reader.hpp"

namespace shipml {

Model read_model_spec(const std::string& path, const std::map<std::string, std::string>& changes) {
  const YAML::Node root = load_yaml(path);
  const Reader r(path);
  std::vector<std::string> keys = {"steps", "estimator", "params"};
  keys.insert(keys.end(), kDecisionKeys.begin(), kDecisionKeys.end());
  r.keys(root, keys, "the model spec");
  if (!root["estimator"]) r.fail(root, "the model spec needs an estimator");
  std::string estimator;
  std::map<std::string, std::string> params;
  const YAML::Node est = root["estimator"];
  if (est.IsScalar()) {
    estimator = est.Scalar();
  } else if (est.IsMap() && est.size() == 1) {
    estimator = est.begin()->first.Scalar();
    if (!est.begin()->second.IsNull()) params = r.params(est.begin()->second, estimator);
  } else {
    r.fail(est, "estimator is a name or {NAME: {params}}");
  }
  if (root["params"])
    for (const auto& [k, v] : r.params(root["params"], "params")) params[k] = v;
  const std::vector<StepSpec> steps = root["steps"] ? read_steps(r, root["steps"]) : std::vector<StepSpec>{};
  for (const auto& [k, v] : changes) params[k] = v;
  std::optional<Model> m;
  r.at(est, [&] { m.emplace(estimator, params, steps); });
  return read_decision(r, root, std::move(*m));
}

}  // namespace shipml
