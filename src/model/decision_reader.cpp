#include "model/decision_reader.hpp"

namespace shipml {

Model read_decision(const Reader& r, const YAML::Node& map, Model model) {
  if (!map.IsMap()) return model;
  auto folds = [&](const char* key) {
    const std::size_t k = r.count(map[key], key);
    if (k < 2) r.fail(map[key], std::string(key) + " must be at least 2");
    return static_cast<int>(k);
  };
  if (map["calibration_cv"] && !map["calibrate"]) r.fail(map["calibration_cv"], "calibration_cv needs calibrate");
  if (map["calibrate"]) {
    CalibrationSpec spec;
    r.at(map["calibrate"], [&] { spec.method = parse_calibration_method(r.text(map["calibrate"], "calibrate")); });
    if (map["calibration_cv"]) spec.folds = folds("calibration_cv");
    r.at(map["calibrate"], [&] { model = model.calibrated(spec); });
  }
  if (map["threshold"]) {
    ThresholdSpec spec;
    r.at(map["threshold"], [&] { spec = ThresholdSpec::parse(r.text(map["threshold"], "threshold")); });
    if (map["threshold_cv"]) {
      if (!spec.tuned()) r.fail(map["threshold_cv"], "threshold_cv is for a tuned threshold (threshold: tune:METRIC)");
      spec.folds = folds("threshold_cv");
    }
    r.at(map["threshold"], [&] { model = model.with_threshold(spec); });
  } else if (map["threshold_cv"]) {
    r.fail(map["threshold_cv"], "threshold_cv needs threshold: tune:METRIC");
  }
  return model;
}

}  // namespace shipml
