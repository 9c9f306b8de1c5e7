// `shipml predict` as a batch job: the same scores whatever the output format
// or the memory budget, a job recorded as a run with the model's registry
// version, the source's fingerprint and the output, and bad input that leaves
// no output behind.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "shipml/io/file.hpp"
#include "support.hpp"

namespace shipml {
namespace {

using nlohmann::json;
using test::run_cli;
using test::RunResult;
using test::TempDir;

class PredictCli : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto r = run_cli("-q train --data " + test::data_path("churn.csv") +
                           " --target churn -e hist_gbdt --set n_estimators=10 -o " + model_);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  RunResult tracked(const std::string& args) {
    return run_cli(args, "SHIPML_TRACKING=on SHIPML_TRACKING_URI=" + tmp_.file("runs"));
  }
  TempDir tmp_;
  std::string model_ = tmp_.file("churn.shipml");
  std::string churn_ = test::data_path("churn.csv");
};

TEST_F(PredictCli, ATinyMemoryBudgetScoresInManyBlocksWithTheSameOutput) {
  const auto whole = run_cli("predict -m " + model_ + " --data " + churn_ + " --proba --id state");
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  const auto out = tmp_.file("blocks.csv");
  const auto blocks =
      run_cli("predict -m " + model_ + " --data " + churn_ + " --proba --id state --memory 64K --threads 2 -o " + out);
  ASSERT_EQ(blocks.exit_code, 0) << blocks.err;
  EXPECT_EQ(read_file(out), whole.out);
  EXPECT_NE(blocks.err.find("scored 5000 rows"), std::string::npos) << blocks.err;
}

TEST_F(PredictCli, AJobIsRecordedWithItsModelVersionSourceAndOutput) {
  ASSERT_EQ(tracked("registry register churn " + model_).exit_code, 0);
  ASSERT_EQ(tracked("registry promote churn 1 --stage production").exit_code, 0);
  const auto out = tmp_.file("scores.csv");
  const auto r = tracked("predict -m models:/churn/production --data " + churn_ + " -o " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json runs = json::parse(tracked("runs list --json").out);
  ASSERT_EQ(runs.size(), 1u);
  const json& run = runs[0];
  EXPECT_EQ(run["kind"], "predict");
  EXPECT_EQ(run["status"], "finished");
  EXPECT_EQ(run["params"]["model"], "models:/churn/production");
  EXPECT_EQ(run["params"]["registry_name"], "churn");
  EXPECT_EQ(run["params"]["registry_version"], "1");
  EXPECT_EQ(run["info"]["data"]["location"], churn_);
  EXPECT_EQ(run["info"]["data"]["rows"], 5000);
  EXPECT_EQ(run["info"]["data"]["fingerprint"].get<std::string>().size(), 16u);
  EXPECT_EQ(run["info"]["output"]["location"], out);
  EXPECT_EQ(run["info"]["output"]["rows"], 5000);
  EXPECT_EQ(run["metrics"]["rows"], 5000);
  EXPECT_GT(run["metrics"]["rows_per_second"].get<double>(), 0);
  // The same rows give the same fingerprint, whatever the blocks.
  ASSERT_EQ(tracked("predict -m " + model_ + " --data " + churn_ + " --memory 64K -o " + out).exit_code, 0);
  const json again = json::parse(tracked("runs list --json").out);
  EXPECT_EQ(again[0]["info"]["data"]["fingerprint"], run["info"]["data"]["fingerprint"]);
}

TEST_F(PredictCli, ABadCellInALateBlockNamesItsLineAndLeavesNoOutput) {
  std::string text = read_file(churn_);
  // Line 4900 of the file: its account_length (second column) is not a number.
  std::size_t pos = 0;
  for (int line = 1; line < 4900; ++line) pos = text.find('\n', pos) + 1;
  const std::size_t comma = text.find(',', pos);
  text.replace(comma + 1, text.find(',', comma + 1) - comma - 1, "lots");
  const auto data = tmp_.file("bad.csv");
  write_file_atomic(data, text);
  const auto out = tmp_.file("scores.csv");
  const auto r = run_cli("predict -m " + model_ + " --data " + data + " --memory 64K -o " + out);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(data + ":4900:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("account_length"), std::string::npos) << r.err;
  for (const auto& entry : std::filesystem::directory_iterator(tmp_.path()))
    EXPECT_EQ(entry.path().filename().string().find("scores.csv"), std::string::npos) << entry.path();
}

TEST_F(PredictCli, ATableScoresIntoATableAsAFileScoresIntoAFile) {
  const std::string db = "sqlite://" + tmp_.file("shop.db");
  ASSERT_EQ(run_cli("copy --data " + churn_ + " --out " + db + " --out-table customers").exit_code, 0);
  const std::string predict =
      "predict -m " + model_ + " --data " + db + " --table customers --id state --out " + db + " --out-table scores";
  const auto first = run_cli(predict);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto from_file = run_cli("predict -m " + model_ + " --data " + churn_ + " --id state");
  const auto scores = [&] { return run_cli("copy --data " + db + " --table scores").out; };
  EXPECT_EQ(scores(), from_file.out);
  // A table that exists: refused by default, left as it was.
  const auto again = run_cli(predict);
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("scores"), std::string::npos) << again.err;
  EXPECT_EQ(scores(), from_file.out);
  ASSERT_EQ(run_cli(predict + " --if-exists append").exit_code, 0);
  EXPECT_EQ(scores(), from_file.out + from_file.out.substr(from_file.out.find('\n') + 1));
  ASSERT_EQ(run_cli(predict + " --if-exists replace").exit_code, 0);
  EXPECT_EQ(scores(), from_file.out);
  // The input table is never the output.
  const auto over = run_cli("predict -m " + model_ + " --data " + db + " --table customers --out " + db +
                            " --out-table customers --if-exists replace");
  EXPECT_NE(over.exit_code, 0);
  EXPECT_NE(over.err.find("is the --table the rows come from"), std::string::npos) << over.err;
}

TEST_F(PredictCli, OutputOptionsThatDoNotFitAreRefused) {
  const auto table = run_cli("predict -m " + model_ + " --data " + churn_ + " -o x.csv --out-table t");
  EXPECT_NE(table.exit_code, 0);
  EXPECT_NE(table.err.find("--out-table needs a database URI"), std::string::npos) << table.err;
  const auto db = run_cli("predict -m " + model_ + " --data " + churn_ + " -o sqlite://" + tmp_.file("x.db"));
  EXPECT_NE(db.exit_code, 0);
  EXPECT_NE(db.err.find("needs --out-table"), std::string::npos) << db.err;
}

}  // namespace
}  // namespace shipml
