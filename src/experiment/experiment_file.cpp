// Reading experiment files (YAML or JSON) with errors that point at the line,
// and running them by composing select, compare, search and score.
#include "shipml/experiment/experiment_file.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>

#include "model/decision_reader.hpp"
#include "model/step_reader.hpp"
#include "shipml/core/communicator.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/names.hpp"
#include "shipml/experiment/compare.hpp"
#include "shipml/io/data_source.hpp"
#include "shipml/io/file.hpp"
#include "shipml/sources/open.hpp"
#include "shipml/track/recorded.hpp"

namespace shipml {
namespace {

EstimatorSpec read_estimator(const Reader& r, const YAML::Node& n) {
  EstimatorSpec e;
  if (n.IsScalar()) {
    e.name = n.Scalar();  // - logistic
  } else if (n.IsMap() && n["name"]) {
    // - name: hist_gbdt / params: {...} / steps: [...] / calibrate: isotonic / threshold: tune:f1
    std::vector<std::string> keys = {"name", "params", "steps"};
    keys.insert(keys.end(), kDecisionKeys.begin(), kDecisionKeys.end());
    r.keys(n, keys, "an estimator");
    e.name = r.text(n["name"], "name");
    if (n["params"]) e.params = r.params(n["params"], e.name);
    if (n["steps"]) e.steps = read_steps(r, n["steps"]);
  } else if (n.IsMap() && n.size() == 1) {
    e.name = n.begin()->first.Scalar();  // - hist_gbdt: {learning_rate: 0.1}
    if (!n.begin()->second.IsNull()) e.params = r.params(n.begin()->second, e.name);
  } else {
    r.fail(n, "an estimator is a name, {NAME: {params}} or {name: NAME, params: {...}}");
  }
  std::optional<Model> m;
  r.at(n, [&] { m.emplace(e.name, e.params, e.steps); });  // known estimator and steps, valid parameters
  if (n.IsMap() && n["name"]) {
    const Model decided = read_decision(r, n, std::move(*m));
    e.calibration = decided.calibration();
    e.threshold = decided.threshold();
  }
  return e;
}

void read_search(const Reader& r, const YAML::Node& n, ExperimentSpec& s) {
  r.keys(n, {"estimator", "grid", "random", "distributions", "halving", "time_budget", "max_candidates", "seed"},
         "search");
  SearchSpace space;
  if (n["estimator"]) s.search_estimator = r.text(n["estimator"], "search.estimator");
  if (const auto grid = n["grid"]) {
    if (!grid.IsMap()) r.fail(grid, "search.grid must map parameters to lists of values");
    for (const auto& kv : grid)
      space.grid.emplace_back(kv.first.Scalar(), r.list(kv.second, "search.grid." + kv.first.Scalar()));
  }
  if (const auto dists = n["distributions"]) {
    if (!dists.IsMap()) r.fail(dists, "search.distributions must map parameters to distributions");
    for (const auto& kv : dists)
      r.at(kv.second, [&] {
        space.distributions.emplace_back(kv.first.Scalar(), Distribution::parse(r.text(kv.second, kv.first.Scalar())));
      });
  }
  if (n["random"]) space.random_candidates = r.count(n["random"], "search.random");
  if (!space.distributions.empty() && space.random_candidates == 0)
    r.fail(n, "search.distributions are drawn from only with random: N");
  if (space.grid.empty() && space.distributions.empty()) r.fail(n, "search needs a grid or distributions");
  if (const auto h = n["halving"]) {
    const std::string t = r.text(h, "search.halving");
    if (t == "true" || t == "yes" || t == "rows") s.search.halving = true;
    else if (t != "false" && t != "no") s.search.halving = true, s.search.halving_resource = t;
  }
  if (n["time_budget"]) s.search.time_budget_seconds = r.number(n["time_budget"], "search.time_budget");
  if (n["max_candidates"]) s.search.max_candidates = r.count(n["max_candidates"], "search.max_candidates");
  if (n["seed"]) s.search.seed = r.count(n["seed"], "search.seed");
  // Every grid value is valid for the estimator searched, when it is known now.
  std::string est = s.search_estimator;
  if (est.empty() && s.estimators.size() == 1) est = s.estimators.front().name;
  if (!est.empty()) {
    const auto it =
        std::find_if(s.estimators.begin(), s.estimators.end(), [&](const EstimatorSpec& e) { return e.name == est; });
    const auto base = it == s.estimators.end() ? std::map<std::string, std::string>{} : it->params;
    for (const auto& kv : n["grid"]) {
      for (const auto& value : r.list(kv.second, "grid")) {
        auto p = base;
        p[kv.first.Scalar()] = value;
        r.at(kv.second, [&] { Model(est, p, it == s.estimators.end() ? std::vector<StepSpec>{} : it->steps); });
      }
    }
  }
  s.search_space = std::move(space);
}

void read_select(const Reader& r, const YAML::Node& n, ExperimentSpec& s) {
  r.keys(n,
         {"method", "estimator", "test", "k", "percentile", "n_features", "step", "min_features", "direction", "apply"},
         "select");
  SelectSpec sel;
  if (!n["method"]) r.fail(n, "select needs a method (kbest, rfe, rfecv, sequential)");
  sel.method = r.text(n["method"], "select.method");
  if (sel.method != "kbest" && sel.method != "rfe" && sel.method != "rfecv" && sel.method != "sequential")
    r.fail(n["method"], "select.method must be kbest, rfe, rfecv or sequential, not '" + sel.method + "'");
  if (n["estimator"]) sel.estimator = r.text(n["estimator"], "select.estimator");
  if (n["test"]) r.at(n["test"], [&] { sel.kbest.test = parse_univariate_test(r.text(n["test"], "select.test")); });
  if (n["k"]) sel.kbest.k = r.count(n["k"], "select.k");
  if (n["percentile"]) sel.kbest.percentile = r.number(n["percentile"], "select.percentile");
  if (n["n_features"])
    sel.elimination.n_features = sel.sequential.n_features = r.count(n["n_features"], "select.n_features");
  if (n["step"]) sel.elimination.step = r.count(n["step"], "select.step");
  if (n["min_features"]) sel.elimination.min_features = r.count(n["min_features"], "select.min_features");
  if (n["direction"]) {
    const std::string d = r.text(n["direction"], "select.direction");
    if (d != "forward" && d != "backward") r.fail(n["direction"], "select.direction must be forward or backward");
    sel.sequential.forward = d == "forward";
  }
  if (n["apply"]) sel.apply = r.boolean(n["apply"], "select.apply");
  sel.elimination.cross_validate = sel.method == "rfecv";
  if (sel.method != "kbest" && sel.estimator.empty() && s.estimators.empty())
    r.fail(n, "select.method " + sel.method + " needs an estimator (select.estimator, or estimators)");
  s.select = std::move(sel);
}

}  // namespace

Model EstimatorSpec::model() const {
  Model m(name, params, steps);
  if (calibration) m = m.calibrated(*calibration);
  if (threshold) m = m.with_threshold(*threshold);
  return m;
}

ExperimentSpec ExperimentSpec::read(const std::string& path) {
  const YAML::Node root = load_yaml(path);
  const Reader r(path);
  r.keys(root, {"name", "seed", "data", "validation", "metrics", "sort", "estimators", "select", "search", "out"},
         "the experiment");
  ExperimentSpec s;
  s.file = path;
  s.name = root["name"] ? r.text(root["name"], "name") : std::filesystem::path(path).stem().string();
  const std::uint64_t seed = root["seed"] ? r.count(root["seed"], "seed") : 42;
  s.validation.seed = seed;
  s.search.seed = seed;

  const YAML::Node data = root["data"];
  if (!data) r.fail(root, "the experiment needs data: {path: FILE, target: COLUMN}");
  r.keys(data, {"path", "table", "query", "target", "categorical", "numeric", "missing", "task", "weight"}, "data");
  if (!data["path"] || !data["target"]) r.fail(data, "data needs a path and a target");
  s.data = r.text(data["path"], "data.path");
  if (data["table"]) s.table = r.text(data["table"], "data.table");
  if (data["query"]) s.query = r.text(data["query"], "data.query");
  // A database is read through a table or a query (one of them); a file through neither.
  if (is_database_uri(s.data) && s.table.empty() == s.query.empty())
    r.fail(data, "data.path is a database: give data.table or data.query (one of them)");
  if (!is_database_uri(s.data) && (!s.table.empty() || !s.query.empty()))
    r.fail(data, "data.table and data.query read a database, but data.path is a file");
  s.target = r.text(data["target"], "data.target");
  if (data["categorical"]) s.csv.categorical = r.list(data["categorical"], "data.categorical");
  if (data["numeric"]) s.csv.numeric = r.list(data["numeric"], "data.numeric");
  if (data["missing"])
    for (const auto& m : r.list(data["missing"], "data.missing")) s.csv.missing_values.push_back(m);
  if (data["task"]) r.at(data["task"], [&] { s.task = parse_task(r.text(data["task"], "data.task")); });
  if (data["weight"]) s.weight = r.text(data["weight"], "data.weight");

  if (const auto v = root["validation"]) {
    r.keys(v, {"cv", "test_size", "threads", "repeats", "group", "time", "gap", "fold_column"}, "validation");
    if (v["cv"] && v["test_size"]) r.fail(v, "validation takes cv or test_size, not both");
    if (v["cv"]) {
      s.validation.folds = static_cast<int>(r.count(v["cv"], "validation.cv"));
      if (s.validation.folds < 2) r.fail(v["cv"], "validation.cv must be at least 2");
    }
    if (v["test_size"]) {
      s.validation.folds = 0;
      s.validation.test_size = r.number(v["test_size"], "validation.test_size");
      if (!(s.validation.test_size > 0 && s.validation.test_size < 1))
        r.fail(v["test_size"], "validation.test_size must be in (0, 1)");
    }
    if (v["threads"]) s.validation.threads = static_cast<int>(r.count(v["threads"], "validation.threads"));
    if (v["repeats"]) {
      s.validation.repeats = static_cast<int>(r.count(v["repeats"], "validation.repeats"));
      if (s.validation.repeats < 1 || s.validation.folds < 2)
        r.fail(v["repeats"], "validation.repeats is at least 1 and needs cv (not test_size)");
    }
    const char* roles[] = {"group", "time", "fold_column"};
    std::string* columns[] = {&s.group, &s.time, &s.fold};
    for (int i = 0; i < 3; ++i)
      if (v[roles[i]]) {
        for (int j = 0; j < i; ++j)
          if (v[roles[j]]) r.fail(v[roles[i]], std::string("validation takes one of group, time and fold_column"));
        *columns[i] = r.text(v[roles[i]], std::string("validation.") + roles[i]);
      }
    if (v["gap"]) {
      if (!v["time"]) r.fail(v["gap"], "validation.gap needs validation.time");
      r.at(v["gap"], [&] { s.validation.gap = TimeGap::parse(r.text(v["gap"], "validation.gap")); });
    }
  }
  if (root["metrics"]) {
    s.metrics = r.list(root["metrics"], "metrics");
    for (const auto& m : s.metrics) r.at(root["metrics"], [&] { find_metric(m); });
  }
  if (root["sort"]) {
    s.sort = r.text(root["sort"], "sort");
    r.at(root["sort"], [&] { find_metric(s.sort); });
    if (!s.metrics.empty() && std::find(s.metrics.begin(), s.metrics.end(), s.sort) == s.metrics.end())
      s.metrics.push_back(s.sort);
  }
  if (const auto est = root["estimators"]) {
    if (!est.IsSequence()) r.fail(est, "estimators must be a list");
    for (const auto& e : est) s.estimators.push_back(read_estimator(r, e));
  }
  if (root["select"]) read_select(r, root["select"], s);
  if (root["search"]) read_search(r, root["search"], s);
  if (s.estimators.empty() && !s.search_space && (!s.select || s.select->method != "kbest"))
    r.fail(root, "the experiment needs estimators (or a search with an estimator, or a kbest selection)");
  if (s.search_space && s.search_estimator.empty() && s.estimators.empty())
    r.fail(root["search"], "search needs an estimator: search.estimator, or estimators");
  s.out = root["out"] ? r.text(root["out"], "out") : "experiment-" + s.name;
  return s;
}

namespace {

// One experiment file carried out, step by step: each step writes its results
// into the output folder and its part of the report.
class Experiment {
 public:
  explicit Experiment(const ExperimentSpec& s) : s_(s), v_(s.validation), search_estimator_(s.search_estimator) {
    v_.task = s.task;
    if (world().leads()) std::filesystem::create_directories(s.out);  // rank 0 of an MPI job writes
    write("experiment" + std::filesystem::path(s.file).extension().string(), read_file(s.file));  // what was run
    data_ = read_dataset(SourceSpec{s.data, s.table, s.query, s.csv}, s.target);
    data_.group = s.group;
    data_.time = s.time;
    data_.fold = s.fold;
    data_.weight = s.weight;
    data_.check_roles();
    report_ << s.name << ": " << data_.source << ", " << data_.rows() << " rows, target " << s.target << "\n";
  }

  // Feature selection; with `apply`, what follows sees only the selected columns.
  void select() {
    if (!s_.select) return;
    const SelectSpec& sel = *s_.select;
    FeatureSelection r;
    if (sel.method == "kbest") {
      KBestOptions o = sel.kbest;
      o.task = s_.task;
      o.seed = v_.seed;
      r = select_k_best(data_, o);
    } else if (sel.method == "sequential") {
      SequentialOptions o = sel.sequential;
      o.validation = v_;
      o.metric = s_.sort;
      r = sequential_selection(selection_model(), data_, o);
    } else {
      EliminationOptions o = sel.elimination;
      o.validation = v_;
      o.metric = s_.sort;
      r = recursive_elimination(selection_model(), data_, o);
    }
    write("selection.csv", r.to_csv());
    report_ << "\nfeature selection (" << sel.method << "): keeps " << r.selected().size() << " of "
            << r.features.size() << (sel.apply ? ", applied to what follows" : "") << "\n"
            << r.table();
    if (sel.apply) data_ = r.apply(data_);
  }

  // Several estimators: a leaderboard on the same folds. Its best is what a
  // search tunes (unless the file names one), and, without a search, the winner.
  void compare_estimators() {
    if (s_.estimators.size() <= 1) return;
    std::vector<Model> models;
    for (const auto& e : s_.estimators) models.push_back(e.model());
    Leaderboard board = compare(models, data_, v_, s_.metrics, s_.sort, !s_.search_space);
    write("leaderboard.json", board.to_json().dump(2) + "\n");
    if (!board.run_id.empty()) outcome_.run_ids.push_back(board.run_id);
    report_ << "\ncomparison, " << board.validation << ", ranked by " << board.metric << "\n" << board.table();
    if (search_estimator_.empty()) search_estimator_ = board.entries.front().estimator;
    if (board.best_model) best_ = std::move(board.best_model);
  }

  // A search over one estimator's parameters, or the only estimator scored
  // and fit on all rows (both recorded as runs).
  void search_or_score() {
    if (s_.search_space) {
      const std::string name = search_estimator_.empty() ? s_.estimators.front().name : search_estimator_;
      SearchOptions o = s_.search;
      o.validation = v_;
      o.metrics = s_.metrics;
      o.metric = s_.sort;
      SearchResult r = search(model_of(name), data_, *s_.search_space, o);
      write("search.csv", r.to_csv());
      write("search.json", r.to_json().dump(2) + "\n");
      if (!r.run_id.empty()) outcome_.run_ids.push_back(r.run_id);
      report_ << "\nsearch over " << name << ", " << r.validation << "\n" << r.table();
      if (r.best_model) best_ = std::move(r.best_model);
    } else if (s_.estimators.size() == 1) {
      Model m = model_of(s_.estimators.front().name);
      const Result r = score_recorded(m, data_, v_, s_.metrics);
      write("result.json", r.to_json().dump(2) + "\n");
      if (!r.run_id.empty()) outcome_.run_ids.push_back(r.run_id);
      report_ << "\n" << m.estimator() << ", " << r.validation << "\n" << r.table();
      fit_recorded(m, data_, {.task = s_.task});
      best_ = std::move(m);
    }
  }

  ExperimentOutcome finish() {
    if (best_) {
      const std::string path = (std::filesystem::path(s_.out) / "best.shipml").string();
      if (world().leads()) best_->save(path);
      outcome_.files.push_back(path);
      report_ << "\nbest: " << best_->estimator() << ", fit on all rows: " << path << "\n";
    }
    outcome_.report = report_.str();
    return std::move(outcome_);
  }

 private:
  void write(const std::string& name, const std::string& contents) {
    const std::string path = (std::filesystem::path(s_.out) / name).string();
    if (world().leads()) write_file_atomic(path, contents);  // the other ranks of an MPI job only compute
    outcome_.files.push_back(path);
  }

  // An estimator as the file declares it (parameters, steps), or by name alone.
  Model model_of(const std::string& name) const {
    const auto it = std::find_if(s_.estimators.begin(), s_.estimators.end(),
                                 [&](const EstimatorSpec& e) { return e.name == name; });
    return it == s_.estimators.end() ? Model(name) : it->model();
  }
  Model selection_model() const {
    const SelectSpec& sel = *s_.select;
    return model_of(sel.estimator.empty() ? s_.estimators.front().name : sel.estimator);
  }

  const ExperimentSpec& s_;
  Validation v_;
  Dataset data_;
  std::ostringstream report_;
  ExperimentOutcome outcome_;
  std::optional<Model> best_;
  std::string search_estimator_;  // what a search tunes: the file's choice, else the comparison's winner
};

}  // namespace

ExperimentOutcome run_experiment(const ExperimentSpec& s) {
  // Every run it records belongs to the experiment, unless the caller chose one.
  if (!s.name.empty() && std::getenv("SHIPML_EXPERIMENT") == nullptr) ::setenv("SHIPML_EXPERIMENT", s.name.c_str(), 1);
  Experiment experiment(s);
  experiment.select();
  experiment.compare_estimators();
  experiment.search_or_score();
  return experiment.finish();
}

}  // namespace shipml
