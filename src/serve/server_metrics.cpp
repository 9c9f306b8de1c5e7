#include "shipml/serve/server_metrics.hpp"

#include <sstream>

#include "prometheus_text.hpp"

namespace shipml::serve {
namespace {

// Each watched model's live drift: per input column and for the predictions,
// over the rows of its window.
void render_drift(std::ostringstream& o, const std::vector<std::shared_ptr<const ServedModel>>& served) {
  std::vector<std::pair<std::string, DriftReport>> reports;
  for (const auto& m : served)
    if (m->drift)
      reports.emplace_back(
          "model=\"" + prometheus_label(m->name) + "\",version=\"" + prometheus_label(m->version) + "\"",
          m->drift->report());
  if (reports.empty()) return;
  o << "# HELP shipml_drift_window_rows Live rows in the drift window.\n"
       "# TYPE shipml_drift_window_rows gauge\n";
  for (const auto& [labels, r] : reports)
    o << "shipml_drift_window_rows{" << labels << "} " << r.prediction.rows << '\n';
  auto per_column = [&](const char* name, const char* help, auto value) {
    o << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n";
    for (const auto& [labels, r] : reports)
      for (const auto& c : r.columns)
        o << name << '{' << labels << ",column=\"" << prometheus_label(c.name) << "\",test=\"" << c.test << "\"} "
          << prometheus_number(value(c)) << '\n';
  };
  per_column("shipml_drift_psi", "Population stability index of an input column's window against training.",
             [](const ColumnDrift& c) { return c.psi; });
  per_column("shipml_drift_statistic", "Kolmogorov-Smirnov D (numeric) or chi-squared (categorical) of the window.",
             [](const ColumnDrift& c) { return c.statistic; });
  per_column("shipml_drift_p_value", "P-value of the drift statistic under no drift.",
             [](const ColumnDrift& c) { return c.p_value; });
  per_column("shipml_drift_flagged", "1 when the column's PSI is at or over the threshold on enough rows.",
             [](const ColumnDrift& c) { return c.flagged ? 1.0 : 0.0; });
  auto prediction = [&](const char* name, const char* help, auto value) {
    o << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n";
    for (const auto& [labels, r] : reports)
      o << name << '{' << labels << ",test=\"" << r.prediction.test << "\"} " << prometheus_number(value(r.prediction))
        << '\n';
  };
  prediction("shipml_prediction_drift_psi", "Population stability index of the window's predictions against training.",
             [](const ColumnDrift& c) { return c.psi; });
  prediction("shipml_prediction_drift_statistic", "Kolmogorov-Smirnov D or chi-squared of the window's predictions.",
             [](const ColumnDrift& c) { return c.statistic; });
  prediction("shipml_prediction_drift_flagged", "1 when the predictions' PSI is at or over the threshold.",
             [](const ColumnDrift& c) { return c.flagged ? 1.0 : 0.0; });
}

}  // namespace

ServerMetrics::ServerMetrics(int loops) {
  for (int i = 0; i < loops; ++i) shards_.push_back(std::make_unique<Shard>());
}

void ServerMetrics::record(int loop, const std::string& model, const char* variant, const char* endpoint, int status,
                           double seconds, std::size_t rows) {
  Shard& shard = *shards_[static_cast<std::size_t>(loop) % shards_.size()];
  std::lock_guard lock(shard.mutex);
  Series& s = shard.series[Key(model, model.empty() || !variant ? "" : variant, endpoint)];
  ++s.by_status[status];
  std::size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  ++s.buckets[b];
  s.seconds += seconds;
  ++s.count;
  s.rows += rows;
}

void ServerMetrics::reload_failed(const std::string& model) {
  std::lock_guard lock(reload_mutex_);
  ++reload_failures_[model];
}

std::string ServerMetrics::render(const ModelRepository& models) const {
  std::map<Key, Series> total;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mutex);
    for (const auto& [key, s] : shard->series) {
      Series& t = total[key];
      for (const auto& [status, n] : s.by_status) t.by_status[status] += n;
      for (std::size_t b = 0; b < s.buckets.size(); ++b) t.buckets[b] += s.buckets[b];
      t.seconds += s.seconds;
      t.count += s.count;
      t.rows += s.rows;
    }
  }
  // model="..",variant="..",endpoint="..": a request for no model has neither of the first two.
  auto labels_of = [](const Key& key) {
    const auto& [model, variant, endpoint] = key;
    if (model.empty()) return "endpoint=\"" + endpoint + "\"";
    if (variant.empty()) return "model=\"" + prometheus_label(model) + "\",endpoint=\"" + endpoint + "\"";
    return "model=\"" + prometheus_label(model) + "\",variant=\"" + variant + "\",endpoint=\"" + endpoint + "\"";
  };
  std::ostringstream o;
  o << "# HELP shipml_requests_total HTTP requests answered, by model, variant, endpoint and status.\n"
       "# TYPE shipml_requests_total counter\n";
  for (const auto& [key, s] : total)
    for (const auto& [status, n] : s.by_status)
      o << "shipml_requests_total{" << labels_of(key) << ",status=\"" << status << "\"} " << n << '\n';
  o << "# HELP shipml_request_errors_total Requests answered with a status of 400 or more.\n"
       "# TYPE shipml_request_errors_total counter\n";
  for (const auto& [key, s] : total) {
    std::uint64_t errors = 0;
    for (const auto& [status, n] : s.by_status) errors += status >= 400 ? n : 0;
    o << "shipml_request_errors_total{" << labels_of(key) << "} " << errors << '\n';
  }
  o << "# HELP shipml_request_duration_seconds Time from a complete request to its response.\n"
       "# TYPE shipml_request_duration_seconds histogram\n";
  for (const auto& [key, s] : total) {
    const std::string labels = labels_of(key);
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < s.buckets.size(); ++b) {
      cumulative += s.buckets[b];
      o << "shipml_request_duration_seconds_bucket{" << labels << ",le=\""
        << (b < kBuckets.size() ? prometheus_number(kBuckets[b]) : "+Inf") << "\"} " << cumulative << '\n';
    }
    o << "shipml_request_duration_seconds_sum{" << labels << "} " << prometheus_number(s.seconds) << '\n'
      << "shipml_request_duration_seconds_count{" << labels << "} " << s.count << '\n';
  }
  o << "# HELP shipml_rows_predicted_total Rows predicted, by model and variant.\n"
       "# TYPE shipml_rows_predicted_total counter\n";
  std::map<std::pair<std::string, std::string>, std::uint64_t> rows;
  for (const auto& [key, s] : total)
    if (!std::get<0>(key).empty()) rows[{std::get<0>(key), std::get<1>(key)}] += s.rows;
  for (const auto& [model, n] : rows)
    o << "shipml_rows_predicted_total{model=\"" << prometheus_label(model.first) << "\",variant=\"" << model.second
      << "\"} " << n << '\n';
  o << "# HELP shipml_requests_in_flight Requests being handled now.\n"
       "# TYPE shipml_requests_in_flight gauge\n"
       "shipml_requests_in_flight "
    << in_flight_.load() << '\n';
  o << "# HELP shipml_model_info The model version being served (value 1), with what it is.\n"
       "# TYPE shipml_model_info gauge\n";
  const auto served = models.all();
  for (const auto& m : served)
    o << "shipml_model_info{model=\"" << prometheus_label(m->name) << "\",version=\"" << prometheus_label(m->version)
      << "\",variant=\"" << to_string(m->variant) << "\",estimator=\"" << prometheus_label(m->model->estimator())
      << "\",loaded_at=\"" << m->loaded_at << "\",fingerprint=\"" << prometheus_label(m->fingerprint) << "\"} 1\n";
  o << "# HELP shipml_model_load_seconds How long loading the served model file took.\n"
       "# TYPE shipml_model_load_seconds gauge\n";
  for (const auto& m : served)
    o << "shipml_model_load_seconds{model=\"" << prometheus_label(m->name) << "\",version=\""
      << prometheus_label(m->version) << "\"} " << prometheus_number(m->load_seconds) << '\n';
  o << "# HELP shipml_model_reload_failures_total Reloads that failed and left the previous version serving.\n"
       "# TYPE shipml_model_reload_failures_total counter\n";
  {
    std::lock_guard lock(reload_mutex_);
    for (const auto& [model, n] : reload_failures_)
      o << "shipml_model_reload_failures_total{model=\"" << prometheus_label(model) << "\"} " << n << '\n';
  }
  render_drift(o, served);
  return o.str();
}

}  // namespace shipml::serve
