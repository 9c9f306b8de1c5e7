// Drift: the reference a fit keeps, its statistics on hand-checked counts,
// and the columns it flags on real data shifted on purpose.
#include <gtest/gtest.h>

#include <cmath>

#include "model/model_parts.hpp"
#include "support.hpp"

namespace shipml::test {
namespace {

// A numeric column of one value replaced by `f(value)`.
Frame with_column(const Frame& rows, const std::string& name, const std::function<double(double)>& f) {
  std::vector<Column> cols;
  for (const auto& c : rows.columns()) {
    if (c.name() != name) {
      cols.push_back(c);
      continue;
    }
    std::vector<double> v(c.values().begin(), c.values().end());
    for (double& x : v) x = f(x);
    cols.push_back(Column::numeric(name, std::move(v)));
  }
  return Frame(std::move(cols));
}

TEST(DriftStatistics, MatchHandComputedValuesOnTwoBins) {
  ColumnReference ref{.name = "x", .type = ColumnType::numeric, .edges = {0.5}, .counts = {50, 50}, .missing = 0};
  // 80 rows in the first bin, 20 in the second: PSI = (0.8-0.5)ln(1.6) + (0.2-0.5)ln(0.4).
  const ColumnDrift d = compare(ref, {.bins = {80, 20}, .missing = 0}, {});
  EXPECT_NEAR(d.psi, 0.3 * std::log(1.6) + -0.3 * std::log(0.4), 1e-12);
  EXPECT_EQ(d.test, "ks");
  EXPECT_NEAR(d.statistic, 0.3, 1e-12);  // the cumulative shares after bin 1: 0.8 against 0.5
  // Kolmogorov's asymptotic p-value at en = sqrt(100*100/200).
  const double en = std::sqrt(50.0), lambda = (en + 0.12 + 0.11 / en) * 0.3;
  double q = 0;
  for (int j = 1; j <= 100; ++j) q += 2 * ((j % 2) ? 1 : -1) * std::exp(-2.0 * j * j * lambda * lambda);
  EXPECT_NEAR(d.p_value, q, 1e-12);
  EXPECT_TRUE(d.flagged);  // 100 rows, PSI 0.42

  ColumnReference cat{.name = "c", .type = ColumnType::categorical, .categories = {"a", "b"}, .counts = {60, 40, 0}};
  // Pearson's chi-squared against the training shares: (40-60)^2/60 + (40-40)^2/40 + (20-0.5/100*100... )
  const ColumnDrift c = compare(cat, {.bins = {40, 40, 20}, .missing = 0}, {.psi = 0.2, .min_rows = 1000});
  const double total = 0.6 + 0.4 + 0.005;  // the unseen "other" bin weighs half a row
  const double e0 = 0.6 / total * 100, e1 = 0.4 / total * 100, e2 = 0.005 / total * 100;
  EXPECT_NEAR(c.statistic, (40 - e0) * (40 - e0) / e0 + (40 - e1) * (40 - e1) / e1 + (20 - e2) * (20 - e2) / e2, 1e-9);
  EXPECT_EQ(c.test, "chi2");
  EXPECT_LT(c.p_value, 1e-10);
  EXPECT_FALSE(c.flagged) << "fewer rows than min_rows flag nothing";
}

TEST(DriftStatistics, AlmostEqualDistributionsHaveAPValueNearOne) {
  // D = 0.001 on 5000 and 1000 rows: lambda is about 0.03, where the Kolmogorov
  // distribution's survival is 1 to double precision.
  ColumnReference ref{.name = "x", .type = ColumnType::numeric, .edges = {0.5}, .counts = {2500, 2500}, .missing = 0};
  const ColumnDrift d = compare(ref, {.bins = {499, 501}, .missing = 0}, {});
  EXPECT_NEAR(d.statistic, 0.001, 1e-12);
  EXPECT_GT(d.p_value, 0.999999);
  // Far apart (lambda about 17): a p-value of practically 0.
  ColumnReference wide{.name = "x", .type = ColumnType::numeric, .edges = {0.5}, .counts = {50000, 50000}};
  const ColumnDrift far = compare(wide, {.bins = {57500, 42500}, .missing = 0}, {});
  EXPECT_NEAR(far.statistic, 0.075, 1e-12);
  const double en = std::sqrt(100000.0 * 100000 / 200000), lambda = (en + 0.12 + 0.11 / en) * 0.075;
  EXPECT_GT(lambda, 1.18);
  EXPECT_LT(far.p_value, 1e-100);
}

TEST(DriftStatistics, TheKolmogorovPValueAgreesWithTheAlternatingSeriesWhereThatConverges) {
  // Below lambda 1.18 the code sums the theta-function series; the alternating
  // one (summed here, 200 terms) converges as well from lambda 0.3 on: both must agree.
  ColumnReference ref{.name = "x", .type = ColumnType::numeric, .edges = {0.5}, .counts = {2500, 2500}};
  const double en = std::sqrt(5000.0 * 5000 / 10000);
  for (std::uint64_t first : {2535u, 2550u, 2575u, 2600u, 2650u}) {
    const ColumnDrift c = compare(ref, {.bins = {first, 5000 - first}, .missing = 0}, {});
    const double lambda = (en + 0.12 + 0.11 / en) * c.statistic;
    ASSERT_GT(lambda, 0.3);
    double alternating = 0;
    for (int j = 1; j <= 200; ++j) alternating += 2 * ((j % 2) ? 1 : -1) * std::exp(-2.0 * j * j * lambda * lambda);
    EXPECT_NEAR(c.p_value, alternating, 1e-12) << "lambda " << lambda;
  }
}

TEST(DriftStatistics, MissingValuesCountInThePsiNotInTheTest) {
  ColumnReference ref{.name = "x", .type = ColumnType::numeric, .edges = {0.5}, .counts = {50, 50}, .missing = 0};
  const ColumnDrift d = compare(ref, {.bins = {25, 25}, .missing = 50}, {});
  EXPECT_DOUBLE_EQ(d.statistic, 0);  // the values present are spread as in training
  EXPECT_GT(d.psi, 1);               // half the rows went missing
  EXPECT_DOUBLE_EQ(d.missing_rate, 0.5);
  EXPECT_TRUE(d.flagged);
}

TEST(Drift, AFitKeepsAReferenceOfEveryColumnThatSurvivesTheModelFile) {
  TempDir dir;
  const Dataset d = read_dataset(data_path("churn.csv"), "churn");
  Model model("hist_gbdt", {{"n_estimators", "20"}});
  model.fit(d);
  const auto ref = model.drift_reference();
  ASSERT_TRUE(ref);
  ASSERT_EQ(ref->columns.size(), model.schema().fields().size());
  for (std::size_t j = 0; j < ref->columns.size(); ++j) {
    EXPECT_EQ(ref->columns[j].name, model.schema().fields()[j].name);
    EXPECT_EQ(ref->columns[j].rows(), std::min<std::size_t>(d.rows(), DriftReference::kSampleRows));
  }
  EXPECT_EQ(ref->prediction.type, ColumnType::categorical);
  EXPECT_LE(ref->columns[0].bins(), DriftReference::kTopCategories + 1);  // 'state': 51 states, top 50 + other
  model.save(dir.file("churn.shipml"));
  const Model loaded = Model::load(dir.file("churn.shipml"));
  ASSERT_TRUE(loaded.drift_reference());
  EXPECT_EQ(loaded.drift_reference()->to_json(), ref->to_json());

  // Cross-validation's many fits keep none: their models are thrown away.
  Model fold("logistic");
  fold.fit(d.features(), d.labels(), {.drift_reference = false});
  EXPECT_FALSE(fold.drift_reference());
}

TEST(Drift, TrainingRowsShowNoDriftAndAShiftedColumnIsTheOneFlagged) {
  const Dataset d = read_dataset(data_path("churn.csv"), "churn");
  Model model("hist_gbdt", {{"n_estimators", "20"}});
  model.fit(d);
  const DriftReport same = model.drift(d.features());
  EXPECT_TRUE(same.flagged().empty()) << same.to_json().dump(1);
  EXPECT_LT(same.prediction.psi, 0.01);
  for (const auto& c : same.columns) EXPECT_LT(c.psi, 0.01) << c.name;

  const Frame shifted = with_column(d.features(), "total_day_minutes", [](double x) { return x + 60; });
  const DriftReport moved = model.drift(shifted);
  EXPECT_EQ(moved.flagged(), std::vector<std::string>{"total_day_minutes"}) << moved.to_json().dump(1);
  for (const auto& c : moved.columns)
    if (c.name == "total_day_minutes") EXPECT_LT(c.p_value, 1e-6);
  EXPECT_GT(moved.prediction.psi, same.prediction.psi) << "more day minutes move the predicted churn";
}

TEST(Drift, AModelFileWithoutAReferenceSaysSo) {
  // Golden files predate the reference: they load and predict, and drift explains itself.
  const Model old = Model::load(source_path("tests/golden/v1/hist_gbdt_churn.shipml"));
  EXPECT_FALSE(old.drift_reference());
  const Dataset d = read_dataset(data_path("churn.csv"), "churn");
  try {
    old.drift(d.features());
    FAIL() << "expected a ModelError";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("no drift reference"), std::string::npos) << e.what();
  }
}

TEST(Drift, AReferenceThatIsNotTheSchemasIsRefusedAtLoad) {
  Model model("logistic");
  model.fit(read_dataset(data_path("iris.csv"), "species"));
  Parts p = take_apart(encode_model(model));
  auto& first = p.header["drift_reference"]["columns"][0];
  const nlohmann::json original = first;
  first["name"] = "not_a_column";
  EXPECT_NE(load_error(put_together(p)).find("drift_reference column 'not_a_column' is not the schema's"),
            std::string::npos)
      << load_error(put_together(p));
  first = original;
  first["counts"] = {1, 2};
  EXPECT_NE(load_error(put_together(p)).find("counts for"), std::string::npos) << load_error(put_together(p));
  first = original;
  first["edges"] = {2.0, 1.0};
  EXPECT_NE(load_error(put_together(p)).find("not finite and ascending"), std::string::npos);
  p.header["drift_reference"]["columns"].erase(0);
  EXPECT_NE(load_error(put_together(p)).find("drift_reference has 3 columns for 4"), std::string::npos)
      << load_error(put_together(p));
}

}  // namespace
}  // namespace shipml::test
