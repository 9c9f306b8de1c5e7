// --weight COL on the command line: the column weighs every fit and every
// metric of train, score, compare, search, select and the curves, is never a
// feature, and is noted wherever scores are shown and in the run record.
#include <gtest/gtest.h>

#include "support.hpp"

namespace shipml {
namespace {

using test::run_cli;

nlohmann::json json_of(const test::RunResult& r) { return nlohmann::json::parse(r.out); }

// diabetes.csv with a weight column "w" (1, 2 or 3 by row) and, for the
// duplication check, the same rows each repeated w times.
struct WeightedFiles {
  test::TempDir dir;
  std::string weighted = dir.file("weighted.csv"), repeated = dir.file("repeated.csv");
  WeightedFiles(const std::string& data_file = "diabetes.csv") {
    const Frame frame = read_csv(test::data_path(data_file));
    std::vector<double> w(frame.rows());
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < w.size(); ++i) {
      w[i] = static_cast<double>(1 + (i * 7) % 3);
      for (int c = 0; c < static_cast<int>(w[i]); ++c) rows.push_back(i);
    }
    Frame with = frame;
    with.add(Column::numeric("w", w));
    write_csv(weighted, with);
    write_csv(repeated, frame.take(rows));
  }
};

TEST(WeightCli, ScoreWeighsTheMetricsAndSaysSo) {
  const WeightedFiles files;
  const std::string data = "--data " + files.weighted + " --target progression -e linear --cv 3 --json -q";
  const auto weighted = run_cli("score " + data + " --weight w");
  ASSERT_EQ(weighted.exit_code, 0) << weighted.err;
  const auto j = json_of(weighted);
  EXPECT_EQ(j["weight"], "w");
  EXPECT_EQ(j["validation"], "3-fold CV, rows weighted by 'w'");
  // The same numbers as the library's, where the metrics are weighted means.
  Dataset d = read_dataset(files.weighted, "progression");
  d.weight = "w";
  const Result r = score(Model("linear"), d, {.folds = 3});
  EXPECT_NEAR(j["metrics"]["r2"]["mean"].get<double>(), r.mean("r2"), 1e-12);
  // Read as a feature instead, the column gives other numbers.
  const auto as_feature = run_cli("score " + data);
  ASSERT_EQ(as_feature.exit_code, 0) << as_feature.err;
  EXPECT_NE(json_of(as_feature)["metrics"]["r2"]["mean"], j["metrics"]["r2"]["mean"]);
  const auto table = run_cli("score --data " + files.weighted + " --target progression -e linear --weight w -q");
  EXPECT_NE(table.out.find("rows weighted by 'w'"), std::string::npos) << table.out;
}

TEST(WeightCli, TrainWithWholeNumberWeightsIsTrainOnRepeatedRows) {
  const WeightedFiles files;
  const test::TempDir tmp;
  const auto weighted = run_cli("train --data " + files.weighted + " --target progression -e decision_tree --set " +
                                "max_depth=4 --weight w -q -o " + tmp.file("w.shipml"));
  ASSERT_EQ(weighted.exit_code, 0) << weighted.err;
  const auto repeated =
      run_cli("train --data " + files.repeated + " --target progression -e decision_tree --set max_depth=4 -q -o " +
              tmp.file("r.shipml"));
  ASSERT_EQ(repeated.exit_code, 0) << repeated.err;
  const auto a = run_cli("predict -m " + tmp.file("w.shipml") + " --data " + test::data_path("diabetes.csv"));
  const auto b = run_cli("predict -m " + tmp.file("r.shipml") + " --data " + test::data_path("diabetes.csv"));
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  // The weight column is not among the features the model reads, and the file says it was weighted.
  const auto inspect = json_of(run_cli("inspect --json " + tmp.file("w.shipml")));
  EXPECT_EQ(inspect["metadata"]["training"]["weight"], "w");
  for (const auto& field : inspect["schema"]) EXPECT_NE(field["name"], "w");
}

TEST(WeightCli, EveryScoringCommandTakesIt) {
  const WeightedFiles files;
  const test::TempDir tmp;
  const std::string data = "--data " + files.weighted + " --target progression --weight w ";
  const auto compared = run_cli("compare " + data + "-e linear -e decision_tree --cv 3 --json -q");
  ASSERT_EQ(compared.exit_code, 0) << compared.err;
  EXPECT_EQ(json_of(compared)["validation"], "3-fold CV, rows weighted by 'w'");
  const auto searched =
      run_cli("search " + data + "-e linear --grid alpha=0,1 --cv 3 --json -q --out " + tmp.file("search"));
  ASSERT_EQ(searched.exit_code, 0) << searched.err;
  EXPECT_EQ(json_of(searched)["validation"], "3-fold CV, rows weighted by 'w'");
  const auto selected = run_cli("select " + data + "-e linear --method rfecv --cv 3 --json -q");
  ASSERT_EQ(selected.exit_code, 0) << selected.err;
  const auto permuted = run_cli("select " + data + "-e linear --method permutation --json -q");
  ASSERT_EQ(permuted.exit_code, 0) << permuted.err;
  const auto curve = run_cli("plot learning_curve --data " + files.weighted +
                             " --target progression --weight w -e linear --cv 3 -o " + tmp.file("lc.svg"));
  ASSERT_EQ(curve.exit_code, 0) << curve.err;
}

TEST(WeightCli, BadWeightsAreNamedWithTheirRow) {
  const test::TempDir tmp;
  const std::string file = tmp.file("bad.csv");
  write_file_atomic(file, "x,y,w\n1,2,1\n2,4,-1\n3,5,2\n4,8,1\n");
  const auto negative = run_cli("train --data " + file + " --target y -e linear --weight w -q -o " + tmp.file("m"));
  EXPECT_EQ(negative.exit_code, 1);
  EXPECT_NE(negative.err.find("weight column 'w': row 2 has weight -1"), std::string::npos) << negative.err;
  const auto unknown = run_cli("score --data " + file + " --target y -e linear --weight W -q");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("--weight W: no such column"), std::string::npos) << unknown.err;
  const auto target = run_cli("score --data " + file + " --target y -e linear --weight y -q");
  EXPECT_EQ(target.exit_code, 2);
  EXPECT_NE(target.err.find("--weight y is also the --target column"), std::string::npos) << target.err;
  write_file_atomic(file, "x,y,w\n1,2,0\n2,4,0\n3,5,0\n");
  const auto zeros = run_cli("train --data " + file + " --target y -e linear --weight w -q -o " + tmp.file("m"));
  EXPECT_EQ(zeros.exit_code, 1);
  EXPECT_NE(zeros.err.find("every weight is 0"), std::string::npos) << zeros.err;
}

TEST(WeightCli, ExperimentFilesNameItUnderData) {
  const WeightedFiles files;
  const test::TempDir tmp;
  const std::string spec = tmp.file("weighted.yaml");
  write_file_atomic(spec, "name: weighted\ndata: {path: " + files.weighted +
                              ", target: progression, weight: w}\nvalidation: {cv: 3}\nestimators: [linear]\nout: " +
                              tmp.file("out") + "\n");
  const auto r = run_cli("run " + spec + " -q");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("rows weighted by 'w'"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace shipml
