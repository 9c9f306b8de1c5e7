#include "model/step_reader.hpp"

namespace shipml {

std::vector<StepSpec> read_steps(const Reader& r, const YAML::Node& list) {
  if (!list.IsSequence()) r.fail(list, "steps must be a list");
  std::vector<StepSpec> out;
  for (const YAML::Node& item : list) {
    StepSpec s;
    YAML::Node settings;
    if (item.IsScalar()) {
      s.transformer = item.Scalar();  // - standard_scaler
    } else if (item.IsMap() && item["transformer"]) {
      s.transformer = r.text(item["transformer"], "transformer");  // - transformer: one_hot / columns: [...] / ...
      settings = item;
    } else if (item.IsMap() && item.size() == 1) {
      s.transformer = item.begin()->first.Scalar();  // - one_hot: {columns: [...], unseen: error}
      settings = item.begin()->second;
      if (!settings.IsNull() && !settings.IsMap()) r.fail(settings, s.transformer + " takes a mapping of settings");
    } else {
      r.fail(item, "a step is a transformer's name, {TRANSFORMER: {settings}} or {transformer: T, ...}");
    }
    if (settings.IsMap())
      for (const auto& kv : settings) {
        const std::string key = kv.first.Scalar();
        if (key == "transformer") continue;
        if (key == "name") s.name = r.text(kv.second, "name");
        else if (key == "columns") s.columns = r.list(kv.second, "columns");
        else s.params[key] = r.text(kv.second, s.transformer + "." + key);
      }
    r.at(item, [&] { Pipeline check(std::vector<StepSpec>{s}); });  // a known transformer, valid parameters
    out.push_back(std::move(s));
  }
  r.at(list, [&] { Pipeline check(out); });  // unique names
  return out;
}

}  // namespace shipml
