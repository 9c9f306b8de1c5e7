// Comparing and searching: the same folds as score(), rankings that follow the
// metric, determinism whatever the thread count, budgets, halving, and a search
// interrupted with Ctrl-C that keeps what it finished.
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include <nlohmann/json.hpp>

#include "shipml/core/interrupt.hpp"
#include "shipml/experiment/compare.hpp"
#include "shipml/experiment/curves.hpp"
#include "shipml/experiment/permutation.hpp"
#include "shipml/experiment/search.hpp"
#include "shipml/experiment/selection.hpp"
#include "support.hpp"

namespace shipml::test {
namespace {

TEST(Compare, ScoresOnTheSameFoldsAsScoreAndRanksByTheMetric) {
  const Dataset d = read_dataset(data_path("breast_cancer.csv"), "diagnosis");
  const Validation v{.folds = 4, .seed = 7};
  std::vector<Model> models;  // models move, they do not copy
  models.emplace_back("decision_tree", std::map<std::string, std::string>{{"max_depth", "2"}});
  models.emplace_back("logistic");
  models.emplace_back("random_forest", std::map<std::string, std::string>{{"n_estimators", "20"}});
  const Leaderboard board = compare(models, d, v, {"accuracy", "log_loss"}, "log_loss", true);
  ASSERT_EQ(board.entries.size(), 3u);
  EXPECT_EQ(board.metric, "log_loss");
  EXPECT_FALSE(board.greater_is_better);
  for (std::size_t i = 1; i < board.entries.size(); ++i)
    EXPECT_LE(board.entries[i - 1].mean("log_loss"), board.entries[i].mean("log_loss"));
  for (const Result& r : board.entries) {
    const Model m(r.estimator, r.params);
    const Result alone = score(m, d, v, {"accuracy", "log_loss"});
    ASSERT_EQ(alone.folds.size(), r.folds.size());
    for (std::size_t f = 0; f < r.folds.size(); ++f) {
      EXPECT_EQ(alone.folds[f].test_rows, r.folds[f].test_rows);
      EXPECT_EQ(alone.folds[f].metrics, r.folds[f].metrics) << r.estimator << " fold " << f;  // bit for bit
    }
  }
  ASSERT_TRUE(board.best_model.has_value());
  EXPECT_EQ(board.best_model->estimator(), board.entries.front().estimator);
  EXPECT_TRUE(board.best_model->fitted());
  EXPECT_NE(board.table().find("log_loss (mean ± std)"), std::string::npos);
  EXPECT_THROW(compare(models, d, v, {"accuracy"}, "r2"), UsageError);
}

SearchSpace tree_grid() {
  SearchSpace s;
  s.grid = {{"max_depth", {"1", "2", "4"}}, {"min_samples_leaf", {"1", "20"}}};
  return s;
}

TEST(Search, GridTriesEveryCombinationAndPicksTheBestMean) {
  const Dataset d = read_dataset(data_path("breast_cancer.csv"), "diagnosis");
  SearchOptions o;
  o.validation = {.folds = 3, .seed = 3};
  o.metrics = {"roc_auc"};
  const SearchResult r = search(Model("decision_tree"), d, tree_grid(), o);
  ASSERT_EQ(r.candidates.size(), 6u);
  std::size_t best = 0;
  for (std::size_t i = 0; i < r.candidates.size(); ++i) {
    const Candidate& c = r.candidates[i];
    EXPECT_TRUE(c.finished);
    // Each candidate's numbers are what score() gives for that model on those folds.
    const Result alone = score(Model("decision_tree", c.params), d, o.validation, {"roc_auc"});
    EXPECT_EQ(alone.mean("roc_auc"), c.result.mean("roc_auc")) << i;
    if (c.result.mean("roc_auc") > r.candidates[best].result.mean("roc_auc")) best = i;
  }
  ASSERT_TRUE(r.best.has_value());
  EXPECT_EQ(r.candidates[*r.best].result.mean("roc_auc"), r.candidates[best].result.mean("roc_auc"));
  ASSERT_TRUE(r.best_model.has_value());
  EXPECT_EQ(r.best_model->params().values().at("max_depth"), r.candidates[*r.best].params.at("max_depth"));
  // The CSV: a header and one row per candidate, best first.
  const std::string csv = r.to_csv();
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "rank,finished,param_max_depth,param_min_samples_leaf,mean_roc_auc,std_roc_auc,fold0_roc_auc,fold1_roc_auc,"
            "fold2_roc_auc,mean_fit_seconds,train_rows");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 7);
}

TEST(Search, SameSeedSameTableWhateverTheThreadCount) {
  const Dataset d = read_dataset(data_path("churn.csv"), "churn");
  SearchSpace s;
  s.grid = {{"max_leaves", {"7", "31"}}};
  s.distributions = {{"learning_rate", Distribution::parse("loguniform:0.01:0.5")},
                     {"min_samples_leaf", Distribution::parse("int:5:40")}};
  s.random_candidates = 5;
  auto run = [&](int threads) {
    SearchOptions o;
    o.validation = {.folds = 3, .threads = threads};
    o.metrics = {"roc_auc"};
    o.seed = 11;
    o.refit = false;
    const auto r = search(Model("hist_gbdt", {{"n_estimators", "15"}}), d, s, o);
    std::vector<std::pair<std::map<std::string, std::string>, double>> rows;
    for (const auto& c : r.candidates) rows.emplace_back(c.params, c.result.mean("roc_auc"));
    return rows;
  };
  const auto one = run(1), two = run(2);
  EXPECT_EQ(one, two);
  ASSERT_EQ(one.size(), 5u);
  for (const auto& [params, score] : one) {
    const double lr = std::stod(params.at("learning_rate"));
    EXPECT_GE(lr, 0.01);
    EXPECT_LE(lr, 0.5);
    EXPECT_TRUE(params.at("max_leaves") == "7" || params.at("max_leaves") == "31");
  }
}

TEST(Search, BudgetsHalvingAndBadSpaces) {
  const Dataset d = read_dataset(data_path("breast_cancer.csv"), "diagnosis");
  SearchOptions o;
  o.validation = {.folds = 3};
  o.max_candidates = 2;
  const SearchResult few = search(Model("decision_tree"), d, tree_grid(), o);
  EXPECT_EQ(few.candidates.size(), 2u);
  EXPECT_TRUE(few.stopped_early);

  SearchOptions halving;
  halving.validation = {.folds = 3};
  halving.halving = true;
  SearchSpace nine;
  nine.grid = {{"max_depth", {"1", "2", "3"}}, {"min_samples_leaf", {"1", "5", "30"}}};
  const SearchResult h = search(Model("decision_tree"), d, nine, halving);
  std::size_t full = 0;
  for (const auto& c : h.candidates) full += c.finished;
  EXPECT_EQ(full, 1u);  // 9 -> 3 -> 1 on all rows
  ASSERT_TRUE(h.best.has_value());
  EXPECT_TRUE(h.candidates[*h.best].finished);

  // Halving over trees: 9 -> 3 -> 1 with 30 / 3 = 10 trees, then 30, then all 90.
  halving.halving_resource = "n_estimators";
  SearchSpace forest;
  forest.grid = {{"max_depth", {"1", "3", "6"}}, {"max_features", {"0.2", "0.5", "1.0"}}};
  const SearchResult trees = search(Model("random_forest", {{"n_estimators", "90"}}), d, forest, halving);
  std::map<std::size_t, int> by_trees;
  for (const auto& c : trees.candidates) by_trees[c.resource] += 1;
  EXPECT_EQ(by_trees, (std::map<std::size_t, int>{{0, 1}, {10, 6}, {30, 2}}));
  ASSERT_TRUE(trees.best.has_value());
  EXPECT_EQ(trees.candidates[*trees.best].resource, 0u);
  EXPECT_NE(trees.to_csv().find(",mean_fit_seconds,n_estimators\n"), std::string::npos);
  EXPECT_NE(trees.table().find("n_estimators=10, dropped"), std::string::npos) << trees.table();
  halving.halving_resource = "max_depth";  // searched: it cannot also be rationed
  EXPECT_THROW(search(Model("random_forest"), d, forest, halving), UsageError);
  halving.halving_resource = "max_features";  // not a count
  EXPECT_THROW(search(Model("random_forest"), d, tree_grid(), halving), UsageError);

  EXPECT_THROW(Distribution::parse("normal:0:1"), UsageError);
  EXPECT_THROW(Distribution::parse("loguniform:0:1"), UsageError);
  EXPECT_THROW(Distribution::parse("uniform:2:1"), UsageError);
  SearchSpace bad;
  bad.grid = {{"max_depth", {"-3"}}};
  EXPECT_THROW(search(Model("decision_tree"), d, bad, o), UsageError);  // checked before any work
}

TEST(PermutationImportance, RanksWhatTheModelUsesAndNoiseNearZero) {
  Dataset d = test::synthetic(Task::regression, 600, 5);
  Random rng(99);
  std::vector<double> noise(d.rows());
  for (double& v : noise) v = rng.uniform();
  d.frame.add(Column::numeric("noise", noise));
  const TrainTest split = train_test_split(d, {.test_size = 0.3, .seed = 1});
  Model m("linear");
  m.fit(split.train);
  const PermutationImportance r = permutation_importance(m, split.test, "r2", 8, 3, 2);
  ASSERT_EQ(r.features.size(), 4u);
  EXPECT_EQ(r.features[0].feature, "x1");  // y = 1.5 x1 + 0.3 x2 + [color = blue] + noise
  EXPECT_EQ(r.features[3].feature, "noise");
  EXPECT_LT(std::abs(r.features[3].mean), 0.01);
  EXPECT_GT(r.features[0].mean, 0.3);
  for (const auto& f : r.features) EXPECT_EQ(f.drops.size(), 8u);
  // Lower-is-better metrics count a drop the same way: worse is positive.
  const PermutationImportance rmse = permutation_importance(m, split.test, "rmse", 4, 3, 1);
  EXPECT_EQ(rmse.features[0].feature, "x1");
  EXPECT_GT(rmse.features[0].mean, 0);
  // The same seed gives the same numbers with one thread or two.
  const PermutationImportance again = permutation_importance(m, split.test, "r2", 8, 3, 1);
  for (std::size_t i = 0; i < r.features.size(); ++i) EXPECT_EQ(r.features[i].drops, again.features[i].drops);
  EXPECT_THROW(permutation_importance(Model("linear"), split.test), UsageError);
}

TEST(Curves, LearningAndValidationCurvesUseTheSameFolds) {
  const Dataset d = read_dataset(data_path("breast_cancer.csv"), "diagnosis");
  const Validation v{.folds = 4, .seed = 5};
  const Model tree("decision_tree", {{"max_depth", "3"}});
  const Curve learning = learning_curve(tree, d, {0.2, 0.5, 1.0}, v, "roc_auc");
  ASSERT_EQ(learning.points.size(), 3u);
  EXPECT_LT(learning.points[0].train_rows, learning.points[1].train_rows);
  EXPECT_LT(learning.points[1].train_rows, learning.points[2].train_rows);
  // All the rows: exactly what score() measures on those folds.
  const Result full = score(tree, d, v, {"roc_auc"});
  ASSERT_EQ(learning.points[2].folds.size(), 4u);
  for (std::size_t f = 0; f < 4; ++f) EXPECT_EQ(learning.points[2].folds[f], full.folds[f].metrics.at("roc_auc"));
  EXPECT_EQ(learning.points[2].mean, full.mean("roc_auc"));
  EXPECT_THROW(learning_curve(tree, d, {0.0}, v), UsageError);

  const Curve depth = validation_curve(Model("decision_tree"), d, "max_depth", {"1", "3", "6"}, v, "roc_auc");
  ASSERT_EQ(depth.points.size(), 3u);
  EXPECT_EQ(depth.x_label, "max_depth");
  for (const auto& p : depth.points)
    EXPECT_EQ(p.mean, score(Model("decision_tree", {{"max_depth", p.x}}), d, v, {"roc_auc"}).mean("roc_auc")) << p.x;
  EXPECT_EQ(depth.to_json()["points"][1]["x"], "3");
}

TEST(SelectCli, WritesTheRanking) {
  TempDir tmp;
  const auto r = run_cli("select -q --data " + data_path("breast_cancer.csv") +
                         " --target diagnosis -e logistic --n-repeats 3 --out " + tmp.file("ranking.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("drop in accuracy"), std::string::npos) << r.out;
  const Frame ranking = read_csv(tmp.file("ranking.csv"));
  EXPECT_EQ(ranking.rows(), 30u);
  EXPECT_EQ(ranking.column("rank").values()[0], 1);
  EXPECT_GE(ranking.column("mean_drop").values()[0], ranking.column("mean_drop").values()[29]);
  // The other methods, and what each needs.
  const std::string iris = "select -q --data " + data_path("iris.csv") + " --target species ";
  const auto rfe = run_cli(iris + "-e logistic --method rfe --n-features 2 --json");
  ASSERT_EQ(rfe.exit_code, 0) << rfe.err;
  EXPECT_EQ(nlohmann::json::parse(rfe.out)["selected"].size(), 2u);
  const auto kbest = run_cli(iris + "--method kbest --test chi2 --k 3 --out " + tmp.file("kbest.json"));
  ASSERT_EQ(kbest.exit_code, 0) << kbest.err;
  EXPECT_NE(kbest.out.find("p-value"), std::string::npos) << kbest.out;
  EXPECT_EQ(nlohmann::json::parse(read_file(tmp.file("kbest.json")))["selected"].size(), 3u);
  const auto sequential =
      run_cli(iris + "-e decision_tree --method sequential --direction backward --n-features 3 --cv 3");
  ASSERT_EQ(sequential.exit_code, 0) << sequential.err;
  EXPECT_NE(sequential.out.find("keeps 3 of 4 features"), std::string::npos) << sequential.out;
  EXPECT_EQ(run_cli(iris + "--method rfe").exit_code, 2);                  // needs an estimator
  EXPECT_EQ(run_cli(iris + "-e logistic --method kbest").exit_code, 2);    // takes none
  EXPECT_EQ(run_cli(iris + "--method kbest --test anova2").exit_code, 2);  // unknown test
  const auto chi2_regression =
      run_cli("select -q --data " + data_path("diabetes.csv") + " -t progression --method kbest --test chi2");
  EXPECT_EQ(chi2_regression.exit_code, 2);
  EXPECT_NE(chi2_regression.err.find("classification target"), std::string::npos) << chi2_regression.err;
}

TEST(Selection, KBestRfeAndSequentialOnKnownData) {
  // y = 1.5 x1 + 0.3 x2 + [color = blue] + noise; "noise" is unrelated.
  Dataset d = test::synthetic(Task::regression, 400, 5);
  Random rng(7);
  std::vector<double> noise(d.rows());
  for (double& v : noise) v = rng.uniform() - 0.5;
  d.frame.add(Column::numeric("noise", noise));
  const FeatureSelection f = select_k_best(d, {.k = 2});
  EXPECT_EQ(f.features.front().feature, "x1");
  EXPECT_EQ(f.features.back().feature, "noise");
  EXPECT_EQ(f.selected().size(), 2u);
  EXPECT_EQ(f.features[0].rank, 1u);
  const Dataset two = f.apply(d);
  EXPECT_EQ(two.frame.cols(), 3u);  // two features and the target
  EXPECT_EQ(select_k_best(d, {.k = 2, .percentile = 50}).selected().size(), 2u);
  EXPECT_THROW(select_k_best(d, {.test = UnivariateTest::chi2}), UsageError);  // regression target
  // The same selection as a pipeline step, fitted inside the model.
  Model stepped("linear", {{"select_k_best.k", "2"}}, {{.transformer = "select_k_best"}});
  stepped.fit(d);
  auto kept = f.selected();
  std::sort(kept.begin(), kept.end());
  auto used = stepped.encoded_features();
  std::vector<std::string> sources;
  for (std::size_t j : stepped.encoded_sources()) sources.push_back(stepped.schema().names()[j]);
  sources.erase(std::unique(sources.begin(), sources.end()), sources.end());
  std::sort(sources.begin(), sources.end());
  EXPECT_EQ(sources, kept);

  // RFE: y = 3a + b + small noise; c and e are unrelated.
  std::vector<double> a(300), b(300), c(300), e(300), y(300);
  for (std::size_t i = 0; i < y.size(); ++i) {
    a[i] = rng.uniform(), b[i] = rng.uniform(), c[i] = rng.uniform(), e[i] = rng.uniform();
    y[i] = 3 * a[i] + b[i] + 0.01 * rng.uniform();
  }
  Frame abc;
  for (auto [name, v] : {std::pair{"c", &c}, {"a", &a}, {"e", &e}, {"b", &b}, {"y", &y}})
    abc.add(Column::numeric(name, *v));
  const Dataset linear_data{abc, "y", "abc"};
  const FeatureSelection rfe = recursive_elimination(Model("linear"), linear_data, {.n_features = 1});
  EXPECT_EQ(rfe.selected(), std::vector<std::string>{"a"});
  EXPECT_EQ(rfe.features[1].feature, "b");  // dropped last
  EXPECT_EQ(rfe.features[1].rank, 2u);
  EXPECT_EQ(rfe.features[3].rank, 4u);  // c or e, dropped first
  const FeatureSelection two_rounds = recursive_elimination(Model("linear"), linear_data, {.n_features = 2, .step = 2});
  EXPECT_EQ(two_rounds.features[2].rank, 2u);  // both noise columns go in one round and share a rank
  EXPECT_EQ(two_rounds.features[3].rank, 2u);
  EXPECT_THROW(recursive_elimination(Model("linear"), d, {.step = 0}), UsageError);

  // Sequential: the same columns whatever the thread count; forward finds x1 first.
  SequentialOptions o{.n_features = 2, .validation = {.folds = 3, .threads = 1}, .metric = "r2"};
  const FeatureSelection one = sequential_selection(Model("linear"), d, o);
  o.validation.threads = 2;
  const FeatureSelection both = sequential_selection(Model("linear"), d, o);
  EXPECT_EQ(one.selected(), both.selected());
  EXPECT_EQ(one.features.front().feature, "x1");
  EXPECT_LT(one.curve[0].mean, one.curve[1].mean);
  o.forward = false;
  o.n_features = 4;
  EXPECT_THROW(sequential_selection(Model("linear"), d, o), UsageError);

  // chi2 refuses negative values and names the column and row.
  Dataset negative = d;
  negative.frame = Frame();
  negative.frame.add(Column::numeric("v", {1, -2, 3, 4}));
  negative.frame.add(Column::from_strings("y", {"a", "b", "a", "b"}));
  negative.target = "y";
  try {
    select_k_best(negative, {.test = UnivariateTest::chi2});
    FAIL() << "negative values accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("column 'v' has -2 at row 2"), std::string::npos) << e.what();
  }
}

// Units done on the last bar labelled `label` drawn in a terminal's output
// ("\rLABEL [###...] DONE/TOTAL ...").
std::size_t last_bar_done(const std::string& shown, const std::string& label) {
  const std::size_t at = shown.rfind("\r" + label + " [");
  const std::size_t end = at == std::string::npos ? at : shown.find("] ", at);
  if (end == std::string::npos || shown.find('/', end) == std::string::npos) return 0;
  return std::strtoul(shown.c_str() + end + 2, nullptr, 10);
}

TEST(SearchCli, CtrlCKeepsFinishedCandidatesAndTheSameSeedGivesTheSameTable) {
  TempDir tmp;
  const std::string args = std::string(SHIPML_CLI) + " search --data " + data_path("churn.csv") +
                           " --target churn -e hist_gbdt --set n_estimators=60 --grid learning_rate=0.05,0.1,0.3" +
                           " --grid max_leaves=15,31,63,127 --cv 5 --threads 1 -m roc_auc --out ";
  // The child's stderr is a terminal, so it draws its bar; Ctrl-C goes in once
  // the bar shows a whole candidate's folds done (the jobs run candidate by
  // candidate on one thread), whatever the speed of the machine.
  int terminal = -1, controller = -1;
  ASSERT_EQ(::openpty(&controller, &terminal, nullptr, nullptr, nullptr), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    ::dup2(terminal, STDERR_FILENO);
    const std::string env = "SHIPML_TRACKING=on SHIPML_TRACKING_URI=" + tmp.file("runs") + " ";
    ::execl("/bin/sh", "sh", "-c", ("exec env " + env + args + tmp.file("interrupted") + " > /dev/null").c_str(),
            nullptr);
    ::_exit(127);
  }
  ::close(terminal);
  std::string shown;
  bool sent = false;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  for (char buffer[4096];;) {
    pollfd ready{controller, POLLIN, 0};
    if (::poll(&ready, 1, 100) > 0) {
      const ssize_t n = ::read(controller, buffer, sizeof buffer);
      if (n <= 0) break;  // the child is gone and its terminal closed
      shown.append(buffer, static_cast<std::size_t>(n));
    }
    if (!sent && (last_bar_done(shown, "search hist_gbdt") >= 5 || std::chrono::steady_clock::now() > give_up)) {
      ::kill(child, SIGINT);
      sent = true;
    }
  }
  ::close(controller);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(sent) << shown;
  // One bar, the search's: the fits inside it, on the same thread, draw none of their own.
  EXPECT_EQ(shown.find("\rhist_gbdt ["), std::string::npos) << shown;
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  const auto interrupted = nlohmann::json::parse(read_file(tmp.file("interrupted/search.json")));
  EXPECT_TRUE(interrupted["stopped_early"]);
  std::map<std::string, double> kept;
  for (const auto& c : interrupted["candidates"])
    if (c["finished"]) kept[c["searched"].dump()] = c["metrics"]["roc_auc"]["mean"];
  ASSERT_GT(kept.size(), 0u);
  ASSERT_LT(kept.size(), 12u);
  // The run record says it was interrupted, and keeps the results.
  const auto runs = run_cli("runs list --json --store " + tmp.file("runs"));
  const auto recorded = nlohmann::json::parse(runs.out);
  ASSERT_EQ(recorded.size(), 1u) << runs.out;
  EXPECT_EQ(recorded[0]["status"], "interrupted");
  EXPECT_TRUE(recorded[0]["artifacts"].contains("search.json"));
  // Again, to the end: every candidate finished before the interrupt has the same numbers.
  const auto again = run_cli(args.substr(std::string(SHIPML_CLI).size() + 1) + tmp.file("full"));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const auto full = nlohmann::json::parse(read_file(tmp.file("full/search.json")));
  EXPECT_EQ(full["candidates"].size(), 12u);
  for (const auto& c : full["candidates"]) {
    const auto it = kept.find(c["searched"].dump());
    if (it != kept.end()) {
      EXPECT_EQ(c["metrics"]["roc_auc"]["mean"].get<double>(), it->second);
    }
  }
}

}  // namespace
}  // namespace shipml::test
