// Run tracking from the command line, end to end: score and train record runs
// by themselves; runs list/show/compare/delete read them; the registry serves
// models:/NAME/STAGE to predict and inspect.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "support.hpp"
#include "track/tracked_cli.hpp"

namespace shipml::test {
namespace {

using nlohmann::json;

class RunsCli : public TrackedCli {
 protected:
};

TEST_F(RunsCli, ScoreAndTrainAreRecordedAndReadBack) {
  const std::string churn = data_path("churn.csv");
  ASSERT_EQ(shipml("score -q --data " + churn +
                   " --target churn -e hist_gbdt --set n_estimators=20 --cv 3 --experiment churn")
                .exit_code,
            0);
  const auto train = shipml("train -q --data " + churn + " --target churn -e logistic --out " + tmp_.file("m.shipml") +
                            " --experiment churn");
  ASSERT_EQ(train.exit_code, 0) << train.err;
  EXPECT_NE(train.out.find("(run "), std::string::npos);
  ASSERT_EQ(shipml("score -q --data " + churn + " --target churn -e logistic --no-track").exit_code, 0);

  const json runs = shipml_json("runs list --json");
  ASSERT_EQ(runs.size(), 2u);  // --no-track recorded nothing
  const json& t = runs[0];
  const json& s = runs[1];
  EXPECT_EQ(t["kind"], "train");
  EXPECT_EQ(s["kind"], "score");
  for (const json& r : runs) {
    EXPECT_EQ(r["status"], "finished");
    EXPECT_EQ(r["experiment"], "churn");
    EXPECT_EQ(r["info"]["data"]["rows"], 5000);
    EXPECT_EQ(r["info"]["data"]["fingerprint"].get<std::string>().size(), 16u);
    EXPECT_EQ(r["info"]["schema"].size(), 19u);
    EXPECT_NE(r["info"]["command"].get<std::string>().find("--target churn"), std::string::npos);
    EXPECT_FALSE(r["info"]["host"].get<std::string>().empty());
    EXPECT_EQ(r["info"]["shipml_version"], SHIPML_VERSION);
  }
  EXPECT_EQ(s["params"]["estimator"], "hist_gbdt");
  EXPECT_EQ(s["params"]["n_estimators"], "20");
  EXPECT_EQ(s["params"]["learning_rate"], "0.1");      // defaults too
  EXPECT_EQ(s["metric_steps"]["roc_auc"].size(), 3u);  // one per fold
  EXPECT_GT(s["metrics"]["roc_auc"].get<double>(), 0.85);
  EXPECT_TRUE(s["metrics"].contains("roc_auc_std"));
  EXPECT_EQ(s["info"]["validation"]["folds"], 3);
  // The training run kept its model file; the data fingerprints match the model's own record.
  const std::string stored = t["artifacts"]["model.shipml"];
  ASSERT_TRUE(std::filesystem::exists(stored));
  EXPECT_EQ(read_file(stored), read_file(tmp_.file("m.shipml")));
  EXPECT_EQ(t["info"]["data"]["fingerprint"], s["info"]["data"]["fingerprint"]);

  // Filters, sorting, show, compare.
  EXPECT_EQ(shipml_json("runs list --json --filter 'metrics.roc_auc > 0.5 and params.n_estimators = 20'").size(), 1u);
  EXPECT_EQ(shipml_json("runs list --json --filter 'kind = train'")[0]["id"], t["id"]);
  const auto table = shipml("runs list");
  EXPECT_NE(table.out.find("roc_auc"), std::string::npos) << table.out;
  const auto show = shipml("runs show " + s["id"].get<std::string>().substr(0, 8));
  EXPECT_NE(show.out.find("n_estimators"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("3-fold CV"), std::string::npos) << show.out;
  const auto compare = shipml("runs compare " + s["id"].get<std::string>() + " " + t["id"].get<std::string>());
  ASSERT_EQ(compare.exit_code, 0) << compare.err;
  EXPECT_NE(compare.out.find("*  params.estimator"), std::string::npos) << compare.out;
  EXPECT_NE(compare.out.find("hist_gbdt"), std::string::npos);
  EXPECT_EQ(shipml("runs list --filter 'metrics.roc_auc ~ 1'").exit_code, 2);

  // Registry: register the trained model, promote it, use it by reference.
  ASSERT_EQ(shipml("registry register churn --run " + t["id"].get<std::string>()).exit_code, 0);
  ASSERT_EQ(shipml("registry promote churn 1 --stage production").exit_code, 0);
  const auto by_reference = shipml("predict --model models:/churn/production --data " + churn + " --proba");
  const auto by_file = shipml("predict --model " + tmp_.file("m.shipml") + " --data " + churn + " --proba");
  ASSERT_EQ(by_reference.exit_code, 0) << by_reference.err;
  EXPECT_EQ(by_reference.out, by_file.out);
  EXPECT_EQ(shipml("inspect models:/churn/1").exit_code, 0);
  ASSERT_EQ(shipml("registry get churn:production --out " + tmp_.file("fetched.shipml")).exit_code, 0);
  EXPECT_EQ(read_file(tmp_.file("fetched.shipml")), read_file(tmp_.file("m.shipml")));
  const json listed = shipml_json("registry list --json");
  EXPECT_EQ(listed[0]["stages"]["production"], 1);
  EXPECT_NE(shipml("predict --model models:/churn/staging --data " + churn).exit_code, 0);

  // Each prediction is a batch job, recorded as a run of its own.
  EXPECT_EQ(shipml_json("runs list --json --filter 'kind = predict'").size(), 2u);

  // Delete.
  ASSERT_EQ(shipml("runs delete " + s["id"].get<std::string>()).exit_code, 0);
  EXPECT_EQ(shipml_json("runs list --json").size(), 3u);
  EXPECT_EQ(shipml_json("runs list --json --filter 'kind = score'").size(), 0u);
}

TEST_F(RunsCli, ScoreAndSearchAreListedAndComparedWithTheirArtifacts) {
  const std::string churn = data_path("churn.csv");
  ASSERT_EQ(shipml("score -q --data " + churn + " --target churn -e logistic --cv 3").exit_code, 0);
  const auto s = shipml("search -q --data " + churn + " --target churn -e logistic --grid C=0.1,1 --cv 3 --out " +
                        tmp_.file("search"));
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const json runs = shipml_json("runs list --json");
  ASSERT_EQ(runs.size(), 2u);
  const json& search = runs[0];
  EXPECT_EQ(search["kind"], "search");
  EXPECT_EQ(search["params"]["search"], "grid");
  EXPECT_EQ(search["params"]["candidates"], "2");
  EXPECT_TRUE(search["params"].contains("best.C"));
  EXPECT_TRUE(search["metrics"].contains("accuracy"));
  for (const char* artifact : {"search.csv", "search.json", "model.shipml"})
    EXPECT_TRUE(std::filesystem::exists(search["artifacts"][artifact].get<std::string>())) << artifact;
  EXPECT_EQ(runs[1]["kind"], "score");
  const auto compare =
      shipml("runs compare " + runs[0]["id"].get<std::string>() + " " + runs[1]["id"].get<std::string>());
  ASSERT_EQ(compare.exit_code, 0) << compare.err;
  EXPECT_NE(compare.out.find("metrics.accuracy"), std::string::npos) << compare.out;
}

TEST_F(RunsCli, BoostingRecordsItsValidationLossPerRound) {
  ASSERT_EQ(shipml("train -q --data " + data_path("churn.csv") +
                   " --target churn -e hist_gbdt --set early_stopping=true "
                   "--set n_estimators=30 --out " +
                   tmp_.file("m.shipml"))
                .exit_code,
            0);
  const json run = shipml_json("runs show latest --json");
  const auto& curve = run["metric_steps"]["validation_loss"];
  // One value per round trained (early stopping may end before 30), and the run's value is the best round's.
  ASSERT_GE(curve.size(), 10u) << run.dump();
  ASSERT_LE(curve.size(), 30u);
  const double best = run["metrics"]["validation_loss"];
  const double lowest = std::min_element(curve.begin(), curve.end(), [](const json& a, const json& b) {
                          return a.get<double>() < b.get<double>();
                        })->get<double>();
  EXPECT_NEAR(best, lowest, 1e-6 * lowest);
  EXPECT_LT(best, curve[0].get<double>());
  EXPECT_GT(run["metrics"]["fit_seconds"].get<double>(), 0);
}

TEST_F(RunsCli, AFailedRunIsRecordedWithItsError) {
  const auto r = shipml("score -q --data " + data_path("churn.csv") + " --target no_such_column -e logistic");
  EXPECT_EQ(r.exit_code, 1);
  const json runs = shipml_json("runs list --json");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["status"], "failed");
  EXPECT_NE(runs[0]["error"].get<std::string>().find("no_such_column"), std::string::npos) << runs[0].dump();
}

TEST_F(RunsCli, TrackingOffRecordsNothing) {
  const auto r = run_cli(
      "train -q --data " + data_path("iris.csv") + " --target species -e logistic --out " + tmp_.file("m.shipml"),
      "SHIPML_TRACKING=off SHIPML_TRACKING_URI=" + tmp_.file("runs"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(std::filesystem::exists(tmp_.file("runs")));
}

}  // namespace
}  // namespace shipml::test
