// Univariate feature selection: the k (or percentile) best columns by a test
// each column gets alone (shipml/preprocess/univariate.hpp).
#include "record_selection.hpp"
#include "shipml/core/error.hpp"
#include "shipml/experiment/selection.hpp"

namespace shipml {

FeatureSelection select_k_best(const Dataset& data, const KBestOptions& o) {
  TrackedRun run("select", "", {});
  try {
    run.data(data);
    const Task task = o.task ? *o.task : infer_task(data.labels());
    const Frame features = data.features();
    const auto scores = univariate_scores(features, data.labels(), task, o.test, o.seed);
    const auto order = univariate_ranking(scores, o.test);
    FeatureSelection out;
    out.method = "kbest";
    out.score_name = std::string(to_string(o.test));
    const std::size_t keep = kbest_count(order.size(), o.k, o.percentile);
    for (std::size_t r = 0; r < order.size(); ++r) {
      const UnivariateScore& s = scores[order[r]];
      out.features.push_back({.feature = features[order[r]].name(),
                              .rank = r + 1,
                              .score = s.score,
                              .p_value = s.p_value,
                              .test = s.test,
                              .selected = r < keep});
    }
    record_selection(run, out, {{"test", out.score_name}, {"keep", std::to_string(keep)}});
    return out;
  } catch (const std::exception& e) {
    run.fail(e);
    throw;
  }
}

}  // namespace shipml
