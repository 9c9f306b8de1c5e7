#include "shipml/track/recorded.hpp"

#include "shipml/track/tracked_run.hpp"

namespace shipml {

void fit_recorded(Model& model, const Dataset& data, const FitOptions& options) {
  TrackedRun run("train", "", {});
  try {
    run.data(data.features(), data.labels(), data.source.empty() ? "(in memory)" : data.source);
    run.model(model);
    model.fit(data, options);
    run.trained(model);
    run.model_artifact("model.shipml", model);
    run.finish();
  } catch (const std::exception& e) {
    run.fail(e);
    throw;
  }
}

Result score_recorded(const Model& prototype, const Dataset& data, const Validation& validation,
                      std::vector<std::string> metric_names) {
  TrackedRun run("score", "", {});
  try {
    run.data(data);
    run.model(prototype);
    Result r = score(prototype, data, validation, std::move(metric_names));
    run.result(r);
    run.finish();
    r.run_id = run.id();
    return r;
  } catch (const std::exception& e) {
    run.fail(e);
    throw;
  }
}

}  // namespace shipml
