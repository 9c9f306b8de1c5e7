#pragma once
// How every feature-selection method ends its run record: its parameters, the
// score per number of features (when it has a curve), the ranking as
// selection.csv, and the run marked finished.
#include <map>
#include <string>

#include "shipml/experiment/selection.hpp"
#include "shipml/track/tracked_run.hpp"

namespace shipml {

inline void record_selection(TrackedRun& run, const FeatureSelection& s, std::map<std::string, std::string> params) {
  params["method"] = s.method;
  run.params(params);
  for (const auto& p : s.curve) run.metric(s.metric + "_with_" + std::to_string(p.features), p.mean);
  run.text_artifact("selection.csv", s.to_csv());
  run.finish();
}

}  // namespace shipml
