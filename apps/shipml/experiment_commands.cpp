// `shipml compare` and `shipml search`: many models on the same folds.
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "args.hpp"
#include "commands.hpp"
#include "shipml/core/communicator.hpp"
#include "shipml/core/interrupt.hpp"
#include "shipml/experiment/compare.hpp"
#include "shipml/experiment/experiment_file.hpp"
#include "shipml/experiment/permutation.hpp"
#include "shipml/experiment/search.hpp"
#include "shipml/experiment/selection.hpp"
#include "shipml/io/file.hpp"
#include "shipml/model/model_file.hpp"

namespace shipml::cli {
namespace {

void add_compare(CLI::App& app) {
  auto* cmd = app.add_subcommand("compare", "Score several estimators on the same folds; print a leaderboard");
  auto data = std::make_shared<DataArgs>();
  auto validation = std::make_shared<ValidationArgs>();
  auto names = std::make_shared<std::vector<std::string>>();
  auto settings = std::make_shared<std::vector<std::string>>();
  auto metrics = std::make_shared<std::vector<std::string>>();
  auto sort = std::make_shared<std::string>();
  auto refit = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto tracking = std::make_shared<TrackingArgs>();
  data->add(cmd);
  cmd->add_option("--estimator,-e", *names,
                  "an estimator to compare (repeat: -e logistic -e hist_gbdt; default: a linear model, "
                  "random_forest, hist_gbdt and knn)");
  cmd->add_option("--set", *settings, "ESTIMATOR.param=value for one of them (repeatable)");
  auto decision = std::make_shared<DecisionArgs>();
  decision->add(cmd);  // every estimator compared is calibrated or thresholded alike
  validation->add(cmd, 5);
  cmd->add_option("--metric,-m", *metrics, "metric to report (repeatable; default: the task's usual set)");
  cmd->add_option("--sort", *sort, "metric that ranks them (default: the first metric)");
  cmd->add_option("--refit", *refit, "fit the best on all rows and save it here");
  cmd->add_flag("--json", *json, "print the leaderboard as JSON");
  auto report = std::make_shared<std::string>();
  cmd->add_option("--report", *report, "also write the run's HTML report here");
  tracking->add(cmd);
  cmd->callback([=] {
    data->refuse_as_output(*refit, "--refit");
    data->refuse_as_output(*report, "--report");
    if (!refit->empty()) check_model_destination(*refit);
    std::map<std::string, std::map<std::string, std::string>> params;
    for (const auto& s : *settings) {
      const auto [key, value] = parse_assignment(s);
      const auto dot = key.find('.');
      if (dot == std::string::npos) throw UsageError("--set " + s + ": write ESTIMATOR.param=value");
      params[key.substr(0, dot)][key.substr(dot + 1)] = value;
    }
    tracking->apply();  // the library records the run, with this command line
    const Dataset d = validation->split.read(*data);
    // No estimator named: the one-command baseline, one of each family.
    std::vector<std::string> chosen = *names;
    if (chosen.empty()) {
      const auto task = data->task_override();
      for (const Model& m : baseline_models(task ? *task : infer_task(d.labels()))) chosen.push_back(m.estimator());
    }
    for (const auto& [name, p] : params)
      if (std::find(chosen.begin(), chosen.end(), name) == chosen.end())
        throw UsageError("--set " + name + ".*: '" + name + "' is not one of the estimators compared (" + join(chosen) +
                         ")");
    std::vector<Model> models;
    for (const auto& n : chosen) models.push_back(decision->apply(Model(n, params[n])));
    const Leaderboard board = compare(models, d, validation->get(*data), *metrics, *sort, !refit->empty());
    if (!world().leads()) return;  // under mpirun: rank 0 writes and prints
    if (board.best_model) board.best_model->save(*refit);
    if (!report->empty()) write_run_report(board.run_id, *report);
    if (*json) {
      nlohmann::json j = board.to_json();
      if (!board.run_id.empty()) j["run"] = board.run_id;
      std::cout << j.dump(2) << '\n';
      return;
    }
    std::cout << d.source << ": " << d.rows() << " rows, " << board.validation << ", ranked by " << board.metric
              << (board.greater_is_better ? " (higher is better)" : " (lower is better)")
              << (board.run_id.empty() ? "" : ", run " + board.run_id.substr(0, 8)) << "\n\n"
              << board.table();
    if (board.best_model)
      std::cout << "\nbest (" << board.entries.front().estimator << ") fit on all rows: " << *refit << '\n';
  });
}

void add_search(CLI::App& app) {
  auto* cmd = app.add_subcommand("search", "Hyperparameter search (grid, random, successive halving), cross-validated");
  auto data = std::make_shared<DataArgs>();
  auto est = std::make_shared<EstimatorArgs>();
  auto validation = std::make_shared<ValidationArgs>();
  auto grid = std::make_shared<std::vector<std::string>>();
  auto dists = std::make_shared<std::vector<std::string>>();
  auto o = std::make_shared<SearchOptions>();
  auto random = std::make_shared<std::size_t>(0);
  auto out = std::make_shared<std::string>();
  auto budget = std::make_shared<double>(0);
  auto json = std::make_shared<bool>(false);
  auto tracking = std::make_shared<TrackingArgs>();
  data->add(cmd);
  est->add(cmd);
  validation->add(cmd, 5);
  cmd->add_option("--grid", *grid, "PARAM=v1,v2,... values to try (repeatable; their product is the grid)");
  cmd->add_option("--random", *random, "random search: this many candidates drawn from --grid lists and --dist");
  cmd->add_option("--dist", *dists,
                  "PARAM=uniform:LOW:HIGH | loguniform:LOW:HIGH | int:LOW:HIGH | choice:A|B (with --random)");
  cmd->add_flag("--halving", o->halving,
                "successive halving: score on a third of the resource, keep the best third, repeat");
  cmd->add_option("--halving-resource", o->halving_resource,
                  "what halving rations: rows, or an integer parameter such as n_estimators")
      ->capture_default_str();
  cmd->add_option("--metric,-m", o->metrics, "metric to report (repeatable; default: the task's usual set)");
  cmd->add_option("--sort", o->metric, "metric that picks the best (default: the first metric)");
  cmd->add_option("--time-budget", *budget, "stop starting candidates after this many seconds");
  cmd->add_option("--max-candidates", o->max_candidates, "try at most this many candidates");
  cmd->add_option("--search-seed", o->seed, "seed for random candidates (default 0)");
  cmd->add_option("--out,-o", *out, "folder for search.csv, search.json and best.shipml (default: search-ESTIMATOR)");
  cmd->add_flag("--json", *json, "print the results as JSON");
  auto report = std::make_shared<std::string>();
  cmd->add_option("--report", *report, "also write the run's HTML report here");
  tracking->add(cmd);
  cmd->callback([=] {
    data->refuse_as_output(*report, "--report");
    SearchSpace space;
    for (const auto& g : *grid) space.grid.push_back(parse_list(g, "--grid"));
    for (const auto& d : *dists) {
      const auto [name, spec] = parse_assignment(d);
      space.distributions.emplace_back(name, Distribution::parse(spec));
    }
    space.random_candidates = *random;
    if (!space.distributions.empty() && space.random_candidates == 0)
      throw UsageError("--dist draws candidates only with --random N");
    if (space.grid.empty() && space.distributions.empty()) throw UsageError("nothing to search: give --grid or --dist");
    const Model prototype = est->model();
    const std::string folder = out->empty() ? "search-" + prototype.estimator() : *out;
    tracking->apply();
    stop_on_interrupt();  // Ctrl-C: finish the candidates running, keep every finished one
    SearchOptions options = *o;
    options.validation = validation->get(*data);
    options.time_budget_seconds = *budget;
    const Dataset d = validation->split.read(*data);
    SearchResult r = search(prototype, d, space, options);  // recorded by the library, with this command line
    if (!world().leads()) return;                           // under mpirun: rank 0 writes and prints
    std::filesystem::create_directories(folder);
    write_file_atomic(folder + "/search.csv", r.to_csv());
    write_file_atomic(folder + "/search.json", r.to_json().dump(2) + "\n");
    if (r.best_model) r.best_model->save(folder + "/best.shipml");
    if (!report->empty()) write_run_report(r.run_id, *report);
    if (*json) {
      nlohmann::json j = r.to_json();
      if (!r.run_id.empty()) j["run"] = r.run_id;
      std::cout << j.dump(2) << '\n';
    } else {
      std::size_t finished = 0;
      for (const auto& c : r.candidates) finished += c.finished;
      std::cout << prototype.estimator() << " on " << d.source << ": " << finished << " of " << r.candidates.size()
                << " candidates, " << r.validation << ", " << std::fixed << std::setprecision(1) << r.seconds << " s"
                << (r.run_id.empty() ? "" : ", run " + r.run_id.substr(0, 8)) << "\n\n"
                << r.table() << "\nresults: " << folder << "/search.csv, " << folder << "/search.json"
                << (r.best_model ? "; best refit on all rows: " + folder + "/best.shipml" : "") << '\n';
      if (r.stopped_early)
        std::cout << "stopped early: " << (stop_requested() ? "interrupted" : "budget reached") << '\n';
    }
    if (stop_requested()) std::exit(130);
  });
}

// The ranking, printed or as JSON, and written to --out.
template <typename Ranking>
void report_ranking(const Ranking& r, const std::string& out, bool json, const std::string& heading) {
  if (!world().leads()) return;  // under mpirun: rank 0 writes and prints
  if (!out.empty()) write_file_atomic(out, out.ends_with(".json") ? r.to_json().dump(2) + "\n" : r.to_csv());
  if (json) {
    std::cout << r.to_json().dump(2) << '\n';
    return;
  }
  std::cout << heading << "\n\n" << r.table();
  if (!out.empty()) std::cout << "\nranking: " << out << '\n';
}

void add_select(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("select", "Rank and select features: permutation importance, RFE, RFECV, k best, sequential");
  auto data = std::make_shared<DataArgs>();
  auto est = std::make_shared<EstimatorArgs>();
  auto method = std::make_shared<std::string>("permutation");
  auto metric = std::make_shared<std::string>();
  auto repeats = std::make_shared<int>(5);
  auto test_size = std::make_shared<double>(0.25);
  auto seed = std::make_shared<std::uint64_t>(42);
  auto test = std::make_shared<std::string>("f_test");
  auto k = std::make_shared<std::size_t>(10);
  auto percentile = std::make_shared<double>(0);
  auto n_features = std::make_shared<std::size_t>(0);
  auto step = std::make_shared<std::size_t>(1);
  auto min_features = std::make_shared<std::size_t>(1);
  auto direction = std::make_shared<std::string>("forward");
  auto folds = std::make_shared<int>(5);
  auto threads = std::make_shared<int>(0);
  auto out = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto tracking = std::make_shared<TrackingArgs>();
  data->add(cmd);
  est->add(cmd, true);
  cmd->add_option(
         "--method", *method,
         "permutation (held-out score drop), rfe, rfecv (RFE choosing the size by CV), kbest (univariate tests), "
         "sequential (forward/backward by CV score)")
      ->check(CLI::IsMember({"permutation", "rfe", "rfecv", "kbest", "sequential"}))
      ->capture_default_str();
  cmd->add_option("--metric,-m", *metric, "score used (default: the task's usual first)");
  cmd->add_option("--n-repeats", *repeats, "permutation: shuffles per feature")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--test-size", *test_size, "permutation: rows held out to measure on")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--test", *test, "kbest: f_test, chi2 or mutual_info")->capture_default_str();
  cmd->add_option("--k", *k, "kbest: keep this many features")->capture_default_str();
  cmd->add_option("--percentile", *percentile, "kbest: keep this percent of the features instead")
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--n-features", *n_features, "rfe, sequential: keep this many (default: half)");
  cmd->add_option("--drop", *step, "rfe, rfecv: features dropped per round")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd->add_option("--min-features", *min_features, "rfecv: the fewest features tried")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd->add_option("--direction", *direction, "sequential: forward or backward")
      ->check(CLI::IsMember({"forward", "backward"}))
      ->capture_default_str();
  cmd->add_option("--cv", *folds, "rfecv, sequential: K-fold cross-validation")
      ->check(CLI::Range(2, 1000))
      ->capture_default_str();
  cmd->add_option("--seed", *seed, "seed for the split, the folds and the shuffles")->capture_default_str();
  cmd->add_option("--threads", *threads, "work at once (default: all cores)");
  auto split = std::make_shared<SplitArgs>();
  split->add(cmd);
  cmd->add_option("--out,-o", *out, "write the ranking here (.csv, or .json)");
  cmd->add_flag("--json", *json, "print the ranking as JSON");
  tracking->add(cmd);
  cmd->callback([=] {
    data->refuse_as_output(*out);
    if (*method != "kbest" && !est->given())
      throw UsageError("--method " + *method + " needs an estimator (-e NAME or --pipeline)");
    if (*method == "kbest" && est->given())
      throw UsageError("--method kbest tests each column alone; it takes no estimator");
    std::optional<Model> model;
    if (est->given()) model = est->model();
    const KBestOptions kbest{.test = parse_univariate_test(*test),
                             .k = *k,
                             .percentile = *percentile,
                             .task = data->task_override(),
                             .seed = *seed};
    tracking->apply();
    stop_on_interrupt();
    const Dataset d = split->read(*data);
    Validation v{.folds = *folds, .seed = *seed, .task = data->task_override(), .threads = *threads};
    split->apply(v);
    if (*method == "permutation") {
      const PermutationImportance r = permutation_importance(*model, d,
                                                             {.test_size = *test_size,
                                                              .seed = *seed,
                                                              .task = data->task_override(),
                                                              .metric = *metric,
                                                              .repeats = *repeats,
                                                              .threads = *threads,
                                                              .gap = v.gap});
      std::ostringstream heading;
      heading << model->estimator() << " on " << d.source << ": fit on " << r.fit_rows << " rows, measured on "
              << r.measured_rows << " held-out rows, " << *repeats << " shuffles per feature; baseline " << r.metric
              << " " << std::setprecision(4) << r.baseline;
      report_ranking(r, *out, *json, heading.str());
      return;
    }
    FeatureSelection r;
    std::string how;
    if (*method == "kbest") {
      r = select_k_best(d, kbest);
      how = "each column tested alone (" + *test + ")";
    } else if (*method == "rfe" || *method == "rfecv") {
      r = recursive_elimination(*model, d,
                                {.n_features = *n_features,
                                 .step = *step,
                                 .cross_validate = *method == "rfecv",
                                 .min_features = *min_features,
                                 .validation = v,
                                 .metric = *metric});
      how = model->estimator() + (*method == "rfecv"
                                      ? ", size chosen by " + std::to_string(*folds) + "-fold CV " + r.metric
                                      : ", fit on all rows");
    } else {
      r = sequential_selection(
          *model, d,
          {.forward = *direction == "forward", .n_features = *n_features, .validation = v, .metric = *metric});
      how = model->estimator() + ", " + std::to_string(*folds) + "-fold CV " + r.metric;
    }
    report_ranking(r, *out, *json,
                   *method + " on " + d.source + ": " + how + "; keeps " + std::to_string(r.selected().size()) +
                       " of " + std::to_string(r.features.size()) + " features");
  });
}

void add_run(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "run", "Run an experiment file (YAML or JSON): select, compare, search, score; see docs/experiments.md");
  auto file = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto check = std::make_shared<bool>(false);
  auto tracking = std::make_shared<TrackingArgs>();
  cmd->add_option("file", *file, "the experiment file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--out,-o", *out, "results folder (default: the file's out, else experiment-NAME)");
  cmd->add_flag("--check", *check, "read and check the file, run nothing");
  tracking->add(cmd);
  cmd->callback([=] {
    ExperimentSpec spec = ExperimentSpec::read(*file);
    if (!out->empty()) spec.out = *out;
    if (*check) {
      std::cout << *file << ": ok (" << spec.name << ")\n";
      return;
    }
    tracking->apply();
    stop_on_interrupt();
    const ExperimentOutcome outcome = run_experiment(spec);
    std::cout << outcome.report << "\nresults: " << spec.out << "/\n";
    if (stop_requested()) std::exit(130);
  });
}

}  // namespace

void add_experiments(CLI::App& app) {
  add_compare(app);
  add_search(app);
  add_select(app);
  add_run(app);
}

}  // namespace shipml::cli
