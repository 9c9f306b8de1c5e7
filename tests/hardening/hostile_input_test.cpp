// Hostile and careless input: numbers that are not finite or too large, metrics
// fed NaN, frames of very many columns, files that are not UTF-8, outputs that
// would replace the user's data. Each test failed before its fix: a crash, a
// hang, silent garbage or a lost file.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>

#include "serve/server_process.hpp"
#include "shipml/core/memory.hpp"
#include "shipml/core/names.hpp"
#include "shipml/metrics/curves.hpp"
#include "support.hpp"

namespace shipml {
namespace {

using test::run_cli;
using test::TempDir;

void write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// A two-class problem of `rows` rows, with `cell(i)` as column x's text.
std::string table(std::size_t rows, const std::function<std::string(std::size_t)>& cell) {
  std::string csv = "x,z,y\n";
  for (std::size_t i = 0; i < rows; ++i)
    csv += cell(i) + "," + std::to_string(i % 7) + "," + (i % 3 == 0 ? "a" : "b") + "\n";
  return csv;
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

// 1. Non-finite numbers: refused where they are, the same at training and prediction.
TEST(NonFinite, InfiniteCellsAreRefusedWithFileLineAndColumn) {
  for (const std::string bad : {"inf", "-Infinity", "1e400", "-2e999"}) {
    const std::string csv = "x,y\n1,a\n2,b\n" + bad + ",a\n4,b\n";
    const std::string message = message_of([&] { parse_csv(csv, {}, "data.csv"); });
    EXPECT_NE(message.find("data.csv:4:1: '" + bad + "' in column 'x' is not a finite number"), std::string::npos)
        << bad << ": " << message;
  }
}

TEST(NonFinite, TinyNumbersReadAsZeroAndTextStaysText) {
  const Frame f = parse_csv("x,w\n1e-400,inf\n2,apple\n", {}, "data.csv");
  ASSERT_TRUE(f.column("x").is_numeric());
  EXPECT_EQ(f.column("x").values()[0], 0.0);
  EXPECT_FALSE(f.column("w").is_numeric());  // "inf" then words: a text column, not an error
}

TEST(NonFinite, EveryFrontDoorRefusesInfinityByColumnAndRow) {
  Dataset d = test::synthetic(Task::classification);
  Model model("logistic");
  model.fit(d);
  std::vector<double> x1(d.frame.column("x1").values().begin(), d.frame.column("x1").values().end());
  x1[4] = -INFINITY;
  std::vector<Column> columns;
  for (const auto& c : d.frame.columns()) columns.push_back(c.name() == "x1" ? Column::numeric("x1", x1) : c);
  const Dataset bad{Frame(columns), "y", "synthetic"};
  for (const std::string& message :
       {message_of([&] { Model("logistic").fit(bad); }), message_of([&] { model.predict(bad.features()); })})
    EXPECT_NE(message.find("column 'x1', row 5: -inf is not a finite number"), std::string::npos) << message;
}

TEST(NonFinite, HugeValuesNeverGiveASavedModelThatAnswersNaN) {
  TempDir dir;
  write(dir.file("huge.csv"), table(300, [](std::size_t i) { return i % 2 ? "1e308" : "-1e308"; }));
  for (const char* estimator : {"logistic", "gaussian_nb", "knn", "hist_gbdt"}) {
    const std::string model = dir.file(std::string(estimator) + ".shipml");
    const auto train = run_cli("train --data " + dir.file("huge.csv") + " -t y -e " + estimator + " -o " + model,
                               "SHIPML_TRACKING=off");
    if (train.exit_code != 0) {
      EXPECT_EQ(train.exit_code, 1) << estimator << ": " << train.err;
      EXPECT_TRUE(train.err.find("column 'x' holds numbers too large to standardise (up to") != std::string::npos ||
                  train.err.find("are not numbers") != std::string::npos)
          << estimator << ": " << train.err;
      EXPECT_FALSE(std::filesystem::exists(model)) << estimator;
      continue;
    }
    const auto predict = run_cli("predict -m " + model + " --data " + dir.file("huge.csv") + " --proba");
    if (predict.exit_code == 0) {
      EXPECT_EQ(predict.out.find("nan"), std::string::npos) << estimator;
      EXPECT_EQ(predict.out.find(",,"), std::string::npos) << estimator;
    } else {
      EXPECT_NE(predict.err.find("is not a number"), std::string::npos) << estimator << ": " << predict.err;
    }
  }
}

TEST(NonFinite, AColumnTooLargeToStandardiseIsNamed) {
  TempDir dir;
  write(dir.file("huge.csv"), table(300, [](std::size_t i) { return i % 2 ? "1e308" : "1.5e308"; }));
  for (const char* estimator : {"logistic", "knn"}) {
    const auto r = run_cli("score --data " + dir.file("huge.csv") + " -t y -e " + estimator, "SHIPML_TRACKING=off");
    EXPECT_EQ(r.exit_code, 1) << estimator;
    EXPECT_NE(r.err.find("column 'x' holds numbers too large to standardise (up to 1.5e+308)"), std::string::npos)
        << estimator << ": " << r.err;
  }
  // Trees take such numbers as they are.
  const auto tree = run_cli("score --data " + dir.file("huge.csv") + " -t y -e hist_gbdt", "SHIPML_TRACKING=off");
  EXPECT_EQ(tree.exit_code, 0) << tree.err;
  // A pipeline's scaler refuses them too, rather than pass them on unscaled to a tree.
  const auto scaled = run_cli("score --data " + dir.file("huge.csv") + " -t y -e hist_gbdt --step standard_scaler",
                              "SHIPML_TRACKING=off");
  EXPECT_EQ(scaled.exit_code, 1) << scaled.err;
  EXPECT_NE(scaled.err.find("standard_scaler: column 'x' holds numbers too large to standardise"), std::string::npos)
      << scaled.err;
}

TEST(NonFinite, TheServerRefusesInfinityNamingTheColumn) {
  TempDir dir;
  Model iris("logistic");
  iris.fit(read_dataset(test::data_path("iris.csv"), "species"));
  iris.save(dir.file("iris.shipml"));
  test::ServerProcess server({dir.file("iris.shipml")});
  const std::string columns =
      R"({"columns": ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"], )";
  const auto ok =
      server.post("/invocations", R"({"dataframe_split": )" + columns + R"("data": [[5.1, 3.5, 1.4, 0.2]]}})");
  EXPECT_EQ(ok.status, 200) << ok.body;
  // A JSON number beyond the double range fails the document's parse, which names the token.
  const auto overflow =
      server.post("/invocations", R"({"dataframe_split": )" + columns + R"("data": [[5.1, 3.5, 1e400, 0.2]]}})");
  EXPECT_EQ(overflow.status, 400) << overflow.body;
  EXPECT_NE(overflow.body.find("1e400"), std::string::npos) << overflow.body;
  const auto text =
      server.post("/invocations", R"({"dataframe_split": )" + columns + R"("data": [[5.1, 3.5, "inf", 0.2]]}})");
  EXPECT_EQ(text.status, 400) << text.body;
  EXPECT_NE(text.body.find("petal_length_cm"), std::string::npos) << text.body;
  EXPECT_NE(text.body.find("not a finite number"), std::string::npos) << text.body;
  const auto csv = server.post(
      "/invocations", "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm\n5.1,3.5,-inf,0.2\n", "text/csv");
  EXPECT_EQ(csv.status, 400) << csv.body;
  EXPECT_NE(csv.body.find("not a finite number"), std::string::npos) << csv.body;
}

// 2. Metrics on NaN terminate, and say what was wrong.
TEST(MetricsOnNaN, RocAucAndCurvesRefuseNaNScoresInsteadOfHanging) {
  const std::vector<int> truth = {0, 1, 0, 1, 1, 0};
  const std::vector<double> scores = {0.1, NAN, 0.3, NAN, 0.9, 0.2};
  EXPECT_NE(message_of([&] { roc_auc_binary(truth, scores); }).find("2 of 6 are not finite"), std::string::npos);
  EXPECT_NE(message_of([&] { roc_curve(truth, scores); }).find("not finite"), std::string::npos);
  Evaluation e;
  e.task = Task::classification;
  e.n_classes = 2;
  e.truth = {0, 1, 0, 1};
  e.predicted = {0, 1, 1, 1};
  e.proba = Matrix::Constant(4, 2, 0.5);
  e.proba(2, 1) = NAN;
  for (const auto& metric : metrics()) {
    if (metric.task != Task::classification) continue;
    const std::string message = message_of([&] { metric.compute(e); });
    EXPECT_NE(message.find(metric.name + ": the model's probabilities: 1 of 8 are not finite"), std::string::npos)
        << metric.name << ": " << message;
  }
}

TEST(MetricsOnNaN, ScoringAModelThatAnswersNaNEndsWithAnError) {
  TempDir dir;
  write(dir.file("huge.csv"), table(300, [](std::size_t i) { return i % 2 ? "1e308" : "-1e308"; }));
  const auto r = run_cli("score --data " + dir.file("huge.csv") + " -t y -e gaussian_nb -m roc_auc",
                         "SHIPML_TRACKING=off timeout 60");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;  // it ends, with an error that names the column
  EXPECT_NE(r.err.find("column 'x' holds numbers too large to standardise"), std::string::npos) << r.err;
}

// 3. Memory: a dense encoding larger than the machine is refused before it is allocated.
// `rows` rows, each of its own city: as many categories as rows.
std::string a_city_per_row(int rows) {
  std::string csv = "city,x,y\n";
  for (int i = 0; i < rows; ++i)
    csv += "c" + std::to_string(i) + "," + std::to_string(i % 13) + "," + (i % 2 ? "a" : "b") + "\n";
  return csv;
}

TEST(Memory, OneHotOfAHundredThousandCategoriesIsRefusedNamingTheColumn) {
  TempDir dir;
  write(dir.file("cities.csv"), a_city_per_row(100000));
  // The same limit on every machine, however much memory it has.
  const auto r = run_cli("train --data " + dir.file("cities.csv") + " -t y -e logistic -o " + dir.file("m.shipml"),
                         "SHIPML_TRACKING=off SHIPML_MEMORY_LIMIT=8G timeout 120");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("encoding 100000 rows into 100001 columns (one per category: column 'city' alone has 100000)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("74.5 GB, more than the "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(" of memory available"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("a tree learner"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.file("m.shipml")));
}

TEST(Memory, APipelinesOneHotStepIsCheckedToo) {
  TempDir dir;
  write(dir.file("cities.csv"), a_city_per_row(100000));
  write(dir.file("pipeline.yaml"), "steps:\n  - one_hot\nestimator: logistic\n");
  const auto r = run_cli("train --data " + dir.file("cities.csv") + " -t y --pipeline " + dir.file("pipeline.yaml") +
                             " -o " + dir.file("m.shipml"),
                         "SHIPML_TRACKING=off SHIPML_MEMORY_LIMIT=8G timeout 120");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("one_hot: 100000 rows into 100000 columns (column 'city' alone gives 100000)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("max_categories"), std::string::npos);
}

TEST(Memory, SizesReadForPeople) {
  EXPECT_EQ(format_bytes(512), "512 bytes");
  EXPECT_EQ(format_bytes(std::uint64_t{80'000'000'000}), "74.5 GB");
  EXPECT_GT(available_memory(), std::uint64_t{1} << 20);
  EXPECT_NO_THROW(require_memory(1024, "a little", ""));
  EXPECT_THROW(require_memory(std::uint64_t{1} << 62, "a lot", "use less"), DataError);
}

TEST(Memory, ALimitOfItsOwnFromTheEnvironment) {
  EXPECT_EQ(parse_memory_size("1048576"), std::uint64_t{1} << 20);
  EXPECT_EQ(parse_memory_size("512M"), std::uint64_t{512} << 20);
  EXPECT_EQ(parse_memory_size("1.5g"), std::uint64_t{3} << 29);
  for (const char* bad : {"", "lots", "-1G", "0", "8GB", "1e30T"})
    EXPECT_THROW(parse_memory_size(bad), UsageError) << bad;

  TempDir dir;
  // 20,000 categories over 20,000 rows: a 3.0 GB block this machine could give, but not a 200 MB budget.
  std::string csv = "city,y\n";
  for (int i = 0; i < 20000; ++i) csv += "c" + std::to_string(i) + "," + (i % 2 ? "a" : "b") + "\n";
  write(dir.file("cities.csv"), csv);
  const auto limited =
      run_cli("train --data " + dir.file("cities.csv") + " -t y -e logistic -o " + dir.file("m.shipml"),
              "SHIPML_TRACKING=off SHIPML_MEMORY_LIMIT=200M timeout 120");
  EXPECT_EQ(limited.exit_code, 1) << limited.err;
  EXPECT_NE(limited.err.find("more than the 200.0 MB of memory available"), std::string::npos) << limited.err;
  const auto bad = run_cli("train --data " + dir.file("cities.csv") + " -t y -e logistic -o " + dir.file("m.shipml"),
                           "SHIPML_TRACKING=off SHIPML_MEMORY_LIMIT=lots timeout 120");
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("SHIPML_MEMORY_LIMIT: memory size 'lots' is not a positive number"), std::string::npos)
      << bad.err;
}

// 4. Many columns: linear, and messages that stay readable.
TEST(ManyColumns, AFrameOfTwoHundredThousandColumnsBuildsInLinearTime) {
  std::vector<Column> columns;
  for (int j = 0; j < 200000; ++j) columns.push_back(Column::numeric("c" + std::to_string(j), {1.0, 2.0}));
  const auto start = std::chrono::steady_clock::now();
  const Frame f(std::move(columns));
  EXPECT_NE(f.find("c199999"), nullptr);
  EXPECT_EQ(f.find("c200000"), nullptr);
  // Quadratic name checks took minutes here; linear ones take well under a second even under sanitizers.
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 30.0);
  const std::string message = message_of([&] { f.column("missing"); });
  EXPECT_NE(message.find("... and 199980 more"), std::string::npos);
  EXPECT_LT(message.size(), 600u);
  EXPECT_NE(message_of([&] {
              Frame(std::vector<Column>{Column::numeric("a", {1}), Column::numeric("a", {2})});
            }).find("duplicate column name 'a'"),
            std::string::npos);
}

TEST(ManyColumns, EchoedValuesAreCutAndEscaped) {
  EXPECT_EQ(echoed("plain"), "plain");
  EXPECT_EQ(echoed("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(echoed(std::string("\xFF\xFEs\0p", 5)), "\\xff\\xfes\\x00p");
  const std::string line(10'000'000, 'x');
  const std::string cut = echoed(line);
  EXPECT_LT(cut.size(), 120u);
  EXPECT_NE(cut.find("(10000000 bytes)"), std::string::npos);
}

// 9. Files that are not what they claim.
TEST(Encodings, Utf16And32NulBytesAndLatin1AreNamed) {
  const std::string utf16 = std::string("\xFF\xFE", 2) + std::string("s\0p\0\n\0", 6);
  EXPECT_NE(message_of([&] { parse_csv(utf16, {}, "f.csv"); }).find("f.csv: the file is UTF-16"), std::string::npos);
  EXPECT_NE(message_of([&] { parse_csv(std::string("\xFF\xFE\0\0s\0\0\0", 8), {}, "f.csv"); }).find("UTF-32"),
            std::string::npos);
  EXPECT_NE(message_of([&] { parse_csv(std::string("a,b\n1,\0\n", 8), {}, "f.csv"); }).find("f.csv:2:3: a NUL byte"),
            std::string::npos);
  const std::string latin1 = message_of([&] { parse_csv("name,y\ncaf\xE9,1\n", {}, "f.csv"); });
  EXPECT_NE(latin1.find("f.csv:2:4: bytes that are not UTF-8"), std::string::npos) << latin1;
  EXPECT_NE(latin1.find("iconv -f WINDOWS-1252"), std::string::npos);
  // UTF-8 with and without its byte-order mark is read.
  EXPECT_EQ(parse_csv("\xEF\xBB\xBFname,y\ncaf\xC3\xA9,1\n").column("name").text(0), "caf\xC3\xA9");
}

TEST(Encodings, ATenMegabyteLineIsNotEchoedWhole) {
  TempDir dir;
  write(dir.file("wide.csv"), std::string(10'000'000, 'x') + "\n1\n");
  const auto r = run_cli("score --data " + dir.file("wide.csv") + " -t species -e logistic", "SHIPML_TRACKING=off");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_LT(r.err.size(), 1000u);
  EXPECT_NE(r.err.find("no column named 'species'"), std::string::npos) << r.err.substr(0, 300);
}

TEST(Encodings, AScoreOnAHandfulOfRowsSaysSo) {
  const std::string iris = "score --data " + test::data_path("iris.csv") + " -t species -e logistic";
  const auto one = run_cli(iris + " --test-size 0.001", "SHIPML_TRACKING=off");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.out.find("warning: the test set has 1 row: a score measured on so few is mostly chance"),
            std::string::npos)
      << one.out;
  const auto json = nlohmann::json::parse(run_cli(iris + " --cv 10 --json", "SHIPML_TRACKING=off").out);
  EXPECT_EQ(json["warnings"][0], "a fold tests on 15 rows: a score measured on so few is mostly chance (use more "
                                 "rows: fewer folds)");
  const auto enough = run_cli(iris + " --cv 5", "SHIPML_TRACKING=off");
  EXPECT_EQ(enough.out.find("warning"), std::string::npos) << enough.out;
}

// 7. The user's own files.
TEST(UsersFiles, AnOutputThatIsTheInputIsRefusedByInodeNotName) {
  TempDir dir;
  const std::string data = dir.file("v.csv");
  std::filesystem::copy_file(test::data_path("iris.csv"), data);
  const std::string before = read_file(data);
  std::filesystem::create_hard_link(data, dir.file("link.csv"));
  for (const std::string& command : {"train --data " + data + " -t species -e logistic --force -o " + data,
                                     "predict -m MODEL --data " + data + " -o " + dir.file("link.csv"),
                                     "predict -m MODEL --data " + data + " -o " + dir.path().string() + "/./v.csv"}) {
    std::string line = command;
    if (const auto at = line.find("MODEL"); at != std::string::npos) {
      ASSERT_EQ(
          run_cli("train --data " + data + " -t species -e logistic -o " + dir.file("m.shipml"), "SHIPML_TRACKING=off")
              .exit_code,
          0);
      line.replace(at, 5, dir.file("m.shipml"));
    }
    const auto r = run_cli(line, "SHIPML_TRACKING=off");
    EXPECT_EQ(r.exit_code, 2) << line << ": " << r.err;
    EXPECT_NE(r.err.find("is the --data file"), std::string::npos) << r.err;
    EXPECT_EQ(read_file(data), before) << line;
  }
}

TEST(UsersFiles, AFileThatIsNotAModelIsReplacedOnlyWithForce) {
  TempDir dir;
  const std::string notes = dir.file("notes.txt");
  write(notes, "my notes\n");
  const std::string train = "train --data " + test::data_path("iris.csv") + " -t species -e logistic -o " + notes;
  const auto refused = run_cli(train, "SHIPML_TRACKING=off");
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("is not a shipml model file"), std::string::npos) << refused.err;
  EXPECT_EQ(read_file(notes), "my notes\n");
  // A model over a model is the everyday case; --force replaces anything.
  ASSERT_EQ(run_cli(train + " --force", "SHIPML_TRACKING=off").exit_code, 0);
  ASSERT_EQ(run_cli(train, "SHIPML_TRACKING=off").exit_code, 0);
  EXPECT_NO_THROW(Model::load(notes));
  // The library refuses the same, unless forced.
  write(notes, "my notes\n");
  Model m("logistic");
  m.fit(test::synthetic(Task::classification));
  EXPECT_THROW(m.save(notes), UsageError);
  EXPECT_EQ(read_file(notes), "my notes\n");
  m.save(notes, true);
  EXPECT_NO_THROW(Model::load(notes));
}

// 8. Leftovers of a writer killed with kill -9 go at the next write.
TEST(Leftovers, TemporariesOfDeadWritersAreRemovedAtTheNextWrite) {
  TempDir dir;
  const std::string model = dir.file("model.shipml");
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);  // a process that no longer exists
  const std::string dead = model + ".tmp." + std::to_string(child);
  const std::string alive = model + ".tmp." + std::to_string(::getppid());
  const std::string other = dir.file("other.shipml.tmp." + std::to_string(child));
  for (const auto& f : {dead, alive, other}) write(f, std::string(1 << 20, 'x'));
  write_file_atomic(model, "new");
  EXPECT_FALSE(std::filesystem::exists(dead));
  EXPECT_TRUE(std::filesystem::exists(alive));  // its writer may still be writing
  EXPECT_TRUE(std::filesystem::exists(other));  // another file's, collected when that file is written
  EXPECT_EQ(read_file(model), "new");
}

}  // namespace
}  // namespace shipml
