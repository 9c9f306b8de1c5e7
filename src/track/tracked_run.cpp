#include "shipml/track/tracked_run.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "shipml/core/communicator.hpp"
#include "shipml/core/interrupt.hpp"
#include "shipml/core/names.hpp"
#include "shipml/core/parallel.hpp"
#include "shipml/io/data_source.hpp"
#include "shipml/io/file.hpp"
#include "track/os_user.hpp"

namespace shipml {
namespace {

// Output of a shell command, trailing newline removed; "" when it fails.
std::string output_of(const std::string& command) {
  FILE* pipe = ::popen((command + " 2>/dev/null").c_str(), "r");
  if (!pipe) return "";
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  if (::pclose(pipe) != 0) return "";
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// Runs opened on this thread and not yet ended: a run inside a run (the fits
// inside a score, the fit inside `shipml train`) is part of it, not a run of its own.
thread_local int open_runs = 0;

// The process's own command line, for runs started from C++.
std::vector<std::string> own_command_line() {
  std::vector<std::string> words;
  try {
    const std::string raw = read_file("/proc/self/cmdline");
    for (std::size_t start = 0; start < raw.size();) {
      const auto end = raw.find('\0', start);
      words.push_back(raw.substr(start, end - start));
      if (end == std::string::npos) break;
      start = end + 1;
    }
  } catch (const std::exception&) {
  }
  return words;
}

// Who, where and with what code: enough to find the run's circumstances again.
nlohmann::json environment(const std::vector<std::string>& command) {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  nlohmann::json env = {
      {"command", join(command, " ")},    {"user", os_user()},      {"host", host}, {"pid", ::getpid()},
      {"shipml_version", SHIPML_VERSION}, {"ranks", world().size()}};  // processes of the MPI job (1: a single process)
  char cwd[4096] = {};
  if (::getcwd(cwd, sizeof cwd - 1)) env["working_directory"] = cwd;
  const std::string commit = output_of("git rev-parse HEAD");
  if (!commit.empty()) {
    env["git_commit"] = commit;
    env["git_dirty"] = !output_of("git status --porcelain --untracked-files=no").empty();
  }
  return env;
}

}  // namespace

bool tracking_enabled() {
  const char* v = std::getenv("SHIPML_TRACKING");
  if (!v) return true;
  const std::string s = v;
  return !(s == "off" || s == "0" || s == "false" || s == "no");
}

TrackedRun::TrackedRun(std::string kind, std::string experiment, std::vector<std::string> command, bool enabled,
                       const std::string& uri) {
  // Ranks of an MPI job all do the work; rank 0 alone records it.
  if (!enabled || !tracking_enabled() || open_runs > 0 || inside_parallel_work() || !world().leads()) return;
  store_ = RunStore::open(uri);
  run_.kind = std::move(kind);
  if (!experiment.empty()) run_.experiment = std::move(experiment);
  else if (const char* env = std::getenv("SHIPML_EXPERIMENT")) run_.experiment = env;
  run_.info = environment(command.empty() ? own_command_line() : command);
  store_->start(run_);
  ++open_runs;
}

TrackedRun::~TrackedRun() {
  if (!active()) return;
  --open_runs;
  if (ended_) return;
  try {
    store_->finish(run_.id, "failed", std::uncaught_exceptions() ? "ended by an error" : "ended without finishing");
  } catch (...) {  // a destructor must not throw; the record stays "running"
  }
}

void TrackedRun::data(const Dataset& data) {
  if (!active()) return;
  this->data(data.features(), data.labels(), redact_location(data.source));
  // The columns that shaped the split, so a record says how its scores were
  // kept honest, and the one that weighed the rows in fits and metrics.
  nlohmann::json roles = nlohmann::json::object();
  for (const auto& [role, column] :
       {std::pair{"group", &data.group}, {"time", &data.time}, {"fold", &data.fold}, {"weight", &data.weight}})
    if (!column->empty()) roles[role] = *column;
  if (roles.empty() && data.query.empty()) return;
  if (!roles.empty()) run_.info["data"]["roles"] = roles;
  // A database's table or query: the location alone does not say which rows.
  if (!data.query.empty()) run_.info["data"]["query"] = data.query;
  store_->set_info(run_.id, run_.info);
}

void TrackedRun::data(const Frame& features, const Column& target, const std::string& source) {
  if (!active()) return;
  run_.info["data"] = {{"source", source},
                       {"fingerprint", fingerprint(features, target)},
                       {"rows", features.rows()},
                       {"columns", features.cols() + 1},
                       {"target", target.name()}};
  nlohmann::json missing = nlohmann::json::object();  // for the report's data summary
  for (const Column& c : features.columns())
    if (c.missing_count() > 0) missing[c.name()] = c.missing_count();
  run_.info["data"]["missing"] = missing;
  run_.info["schema"] = Schema::of(features).to_json();
  store_->set_info(run_.id, run_.info);
}

void TrackedRun::model(const Model& model) {
  if (!active()) return;
  std::map<std::string, std::string> params = model.all_params();
  params["estimator"] = model.estimator();
  for (const auto& [k, v] : model.decision_params()) params[k] = v;  // calibration and threshold
  std::string steps;
  for (const auto& step : model.pipeline().specs()) steps += (steps.empty() ? "" : ",") + step.name;
  if (!steps.empty()) params["pipeline"] = steps;
  store_->log_params(run_.id, params);
}

void TrackedRun::trained(const Model& model) {
  if (!active()) return;
  store_->log_metrics(run_.id, {{"fit_seconds", model.metadata()["training"].value("fit_seconds", 0.0)}});
  // The threshold a fit chose (a tuned one, with its cross-validated score).
  if (const auto t = model.decision_threshold()) store_->log_metrics(run_.id, {{"decision_threshold", *t}});
  if (std::isfinite(model.threshold_score()))
    store_->log_metrics(run_.id, {{"threshold_cv_" + model.threshold()->metric, model.threshold_score()}});
  const nlohmann::json learned = model.inspect();
  for (const auto& [key, series] : learned.items()) {
    if (!key.ends_with("_per_round") || !series.is_array()) continue;
    const std::string name = key.substr(0, key.size() - std::string("_per_round").size());
    std::vector<double> values;
    for (const auto& v : series) values.push_back(v.is_number() ? v.get<double>() : std::nan(""));
    store_->log_series(run_.id, name, values, 1);  // step = boosting round
    if (learned.contains(name + "_best")) store_->log_metrics(run_.id, {{name, learned[name + "_best"].get<double>()}});
  }
}

void TrackedRun::result(const Result& result) {
  if (!active()) return;
  std::map<std::string, double> values;
  for (const auto& name : result.metric_names) {
    values[name] = result.mean(name);
    if (result.folds.size() > 1) values[name + "_std"] = result.stddev(name);
    if (result.folds.size() > 1) {
      std::vector<double> per_fold;
      for (const auto& fold : result.folds) per_fold.push_back(fold.metrics.at(name));
      store_->log_series(run_.id, name, per_fold);  // step = fold
    }
  }
  store_->log_metrics(run_.id, values);
  // The held-out predictions: what `shipml plot` and `shipml report` draw from, with no refit.
  const HeldOutPredictions held_out = result.held_out();
  if (held_out.size() > 0) text_artifact("predictions.csv", held_out.to_csv());
  run_.info["validation"] = {{"method", result.validation},
                             {"seed", result.seed},
                             {"folds", result.folds.size()},
                             {"task", std::string(to_string(result.task))}};
  store_->set_info(run_.id, run_.info);
}

void TrackedRun::metric(const std::string& name, double value) {
  if (active()) store_->log_metrics(run_.id, {{name, value}});
}

void TrackedRun::info(const std::string& key, const nlohmann::json& value) {
  if (!active()) return;
  run_.info[key] = value;
  store_->set_info(run_.id, run_.info);
}

void TrackedRun::tag(const std::string& key, const std::string& value) {
  if (active()) store_->set_tag(run_.id, key, value);
}

void TrackedRun::artifact(const std::string& name, const std::string& file) {
  if (active()) store_->add_artifact(run_.id, name, file);
}

void TrackedRun::params(const std::map<std::string, std::string>& values) {
  if (active()) store_->log_params(run_.id, values);
}

void TrackedRun::model_artifact(const std::string& name, const Model& model) {
  if (!active()) return;
  const std::string path = (std::filesystem::temp_directory_path() / ("shipml-" + run_.id + "-" + name)).string();
  model.save(path);
  store_->add_artifact(run_.id, name, path);
  std::filesystem::remove(path);
}

void TrackedRun::text_artifact(const std::string& name, const std::string& text) {
  if (!active()) return;
  char path[] = "/tmp/shipml-artifact-XXXXXX";
  const int fd = ::mkstemp(path);
  if (fd < 0) return;
  ::close(fd);
  try {
    write_file_atomic(path, text);
    store_->add_artifact(run_.id, name, path);
  } catch (...) {
    ::unlink(path);
    throw;
  }
  ::unlink(path);
}

void TrackedRun::finish() {
  if (!active() || ended_) return;
  store_->finish(run_.id, "finished");
  ended_ = true;
}

void TrackedRun::interrupted(const std::string& what) {
  if (!active() || ended_) return;
  store_->finish(run_.id, "interrupted", what);
  ended_ = true;
}

void TrackedRun::fail(const std::exception& error) {
  if (dynamic_cast<const Interrupted*>(&error)) interrupted(error.what());
  else fail(std::string(error.what()));
}

void TrackedRun::fail(const std::string& error) {
  if (!active() || ended_) return;
  store_->finish(run_.id, "failed", error);
  ended_ = true;
}

}  // namespace shipml
