// Scores answered requests with their shadow models on one thread of its own,
// so a shadow never adds to a request's latency, and a slow or failing shadow
// costs only its own results (dropped or counted as failed).
#include "shipml/serve/shadow_scorer.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <sstream>

#include "prometheus_text.hpp"
#include "shipml/core/clock.hpp"

namespace shipml::serve {
namespace {

constexpr std::size_t kMaxBatch = 256;  // requests scored between two looks at the queue

}  // namespace

const ShadowOptions& ShadowScorer::checked(const ShadowOptions& options) {
  if (options.queue == 0) throw UsageError("--shadow-queue must hold at least 1 request");
  return options;
}

ShadowScorer::ShadowScorer(ShadowOptions options, std::shared_ptr<PredictionLog> log)
    : options_(checked(options)), tally_(std::make_shared<Tally>()),
      queue_(options.queue, kMaxBatch, [options, tally = tally_, log](std::deque<ShadowJob>& batch) {
        for (const auto& job : batch) score(job, options, *tally, log.get());
      }) {}

ShadowScorer::~ShadowScorer() { close(); }

void ShadowScorer::close() {
  const auto closed = queue_.close(options_.drain_seconds);
  if (!closed.finished)
    std::cerr << "shadow models: scoring did not finish within " << options_.drain_seconds << " s; " << closed.left
              << " queued requests are not scored" << std::endl;
}

void ShadowScorer::score(const ShadowJob& job, const ShadowOptions& options, Tally& tally, PredictionLog* log) {
  const ServedModel& shadow = *job.shadow;
  ShadowAgreement counted;
  std::optional<Predictions> p;
  try {
    p = shadow.model->predict(job.inputs);
  } catch (const std::exception&) {
    counted.failed = 1;  // a shadow whose schema does not take the rows: counted, not fatal
  }
  const Predictions& a = job.answered;
  if (p && (p->task != a.task || p->values.size() != a.values.size())) {
    counted.failed = 1;  // answers of another kind cannot agree or disagree
    p.reset();
  }
  if (p) {
    counted.rows = p->values.size();
    for (std::size_t i = 0; i < p->values.size(); ++i) {
      if (a.task == Task::classification) {
        counted.agreeing += p->label(i) == a.label(i);
        continue;
      }
      const double diff = std::abs(p->values[i] - a.values[i]);
      counted.abs_difference += diff;
      counted.agreeing += diff <= options.tolerance * std::max(std::abs(p->values[i]), std::abs(a.values[i]));
    }
    if (shadow.drift) shadow.drift->observe(job.inputs, *p);
    if (job.log && log)
      log->submit({utc_timestamp(3), job.request_id, "shadow", job.shadow, job.inputs, std::move(*p), 0});
  }
  std::lock_guard lock(tally.mutex);
  ShadowAgreement& t = tally.by_shadow[{shadow.name, shadow.version, job.against}];
  t.rows += counted.rows;
  t.agreeing += counted.agreeing;
  t.abs_difference += counted.abs_difference;
  t.failed += counted.failed;
}

ShadowAgreement ShadowScorer::agreement(const std::string& name, const std::string& version, Variant against) const {
  std::lock_guard lock(tally_->mutex);
  const auto it = tally_->by_shadow.find({name, version, against});
  return it == tally_->by_shadow.end() ? ShadowAgreement{} : it->second;
}

std::string ShadowScorer::render_metrics() const {
  std::map<std::tuple<std::string, std::string, Variant>, ShadowAgreement> tally;
  {
    std::lock_guard lock(tally_->mutex);
    tally = tally_->by_shadow;
  }
  std::ostringstream o;
  auto series = [&](const char* name, const char* type, const char* help, auto value) {
    o << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
    for (const auto& [key, a] : tally)
      o << name << "{model=\"" << prometheus_label(std::get<0>(key)) << "\",version=\""
        << prometheus_label(std::get<1>(key)) << "\",against=\"" << to_string(std::get<2>(key)) << "\"} "
        << prometheus_number(value(a)) << '\n';
  };
  series("shipml_shadow_rows_total", "counter", "Rows the shadow model scored beside the answer served.",
         [](const ShadowAgreement& a) { return static_cast<double>(a.rows); });
  series("shipml_shadow_agreeing_rows_total", "counter",
         "Rows where the shadow agreed with the answer served (the same class, or a value within the tolerance).",
         [](const ShadowAgreement& a) { return static_cast<double>(a.agreeing); });
  series("shipml_shadow_agreement", "gauge", "Share of the rows scored where the shadow agreed with the answer served.",
         [](const ShadowAgreement& a) { return a.rows ? static_cast<double>(a.agreeing) / a.rows : 0.0; });
  series("shipml_shadow_abs_difference_total", "counter",
         "Regression: the sum of |shadow - served| over the rows scored (its mean: divide by the rows).",
         [](const ShadowAgreement& a) { return a.abs_difference; });
  series("shipml_shadow_failed_total", "counter", "Requests the shadow model could not score.",
         [](const ShadowAgreement& a) { return static_cast<double>(a.failed); });
  o << "# HELP shipml_shadow_dropped_total Requests not scored by their shadow because its queue was full.\n"
       "# TYPE shipml_shadow_dropped_total counter\n"
       "shipml_shadow_dropped_total "
    << queue_.dropped()
    << "\n# HELP shipml_shadow_queue_depth Requests waiting for their shadow.\n"
       "# TYPE shipml_shadow_queue_depth gauge\n"
       "shipml_shadow_queue_depth "
    << queue_.depth() << '\n';
  return o.str();
}

}  // namespace shipml::serve
