// Every registered transformer, run through the same checks (the transformer
// contract): it fits, keeps the rows, gives the same output after a save and
// load, and the same output from several threads at once. Then the pipeline's
// own behaviour: column selection and pass-through, "step.param", one-hot's
// unseen-category policies, target encoding without leakage, and a model with
// a pipeline that is refitted inside every fold and predicts identically after
// a reload.
#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "shipml/model/importance.hpp"
#include "shipml/preprocess/pipeline.hpp"
#include "support.hpp"

namespace shipml::test {
namespace {

// Numbers with missing values, categories with missing values, and dates.
Frame mixed_frame(std::size_t n = 300) {
  Dataset d = synthetic(Task::regression, n, 11);
  std::vector<std::string> dates;
  for (std::size_t i = 0; i < n; ++i)
    dates.push_back("20" + std::to_string(10 + i % 12) + "-0" + std::to_string(1 + i % 9) + "-1" +
                    std::to_string(i % 10) + (i % 2 ? "T1" + std::to_string(i % 10) + ":15" : ""));
  d.frame.add(Column::from_strings("when", dates));
  return d.frame;
}

StepSpec contract_step(const TransformerInfo& info) {
  StepSpec s{.transformer = info.name};
  if (info.name == "date_parts") s.columns = {"when"};
  else if (info.name == "drop_columns" || info.name == "select_columns") s.columns = {"x1", "color"};
  return s;
}

class TransformerContract : public ::testing::TestWithParam<std::string> {};

TEST_P(TransformerContract, FitsKeepsRowsAndRoundTripsThroughAModelFile) {
  const TransformerInfo& info = find_transformer(GetParam());
  Frame frame = mixed_frame();
  const Column target = frame.column("y");
  const Frame features = frame.without("y");
  Pipeline p({contract_step(info)});
  const Frame fitted = p.fit_transform(features, {.target = &target, .task = Task::regression});
  ASSERT_EQ(fitted.rows(), features.rows()) << info.name;
  ASSERT_EQ(p.lineage().size(), fitted.cols());
  for (std::size_t j : p.lineage()) EXPECT_LT(j, features.cols());
  const Frame again = p.transform(features);
  ASSERT_EQ(again.cols(), fitted.cols());
  for (std::size_t j = 0; j < again.cols(); ++j) EXPECT_EQ(again[j].name(), fitted[j].name());
  // The same output after a save and load.
  BinaryWriter out;
  p.save(out);
  Pipeline loaded(Pipeline::specs_from_json(p.to_json()));
  BinaryReader in(out.data());
  loaded.load(in);
  EXPECT_TRUE(in.at_end());
  const Frame reloaded = loaded.transform(features);
  EXPECT_EQ(to_csv(reloaded), to_csv(again)) << info.name;
  // And from several threads at once.
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < results.size(); ++t)
    threads.emplace_back([&, t] { results[t] = to_csv(loaded.transform(features)); });
  for (auto& t : threads) t.join();
  for (const auto& r : results) EXPECT_EQ(r, to_csv(again)) << info.name;
  // Every parameter of the registry can be set by name.
  for (const auto& spec : info.params) {
    Pipeline q({contract_step(info)});
    EXPECT_NO_THROW(q.set(info.name + "." + spec.name, spec.default_value)) << info.name << "." << spec.name;
  }
}

std::vector<std::string> transformer_names() {
  std::vector<std::string> out;
  for (const auto& t : transformers()) out.push_back(t.name);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Registered, TransformerContract, ::testing::ValuesIn(transformer_names()),
                         [](const auto& info) { return info.param; });

TEST(Pipeline, StepsWorkOnTheirColumnsAndPassTheRestThrough) {
  const Frame features = mixed_frame().without("y");  // x1, x2, color, when
  Pipeline p({{.transformer = "standard_scaler", .columns = {"x1"}}, {.transformer = "one_hot", .columns = {"color"}}});
  const Frame out = p.fit_transform(features, {});
  const std::vector<std::string> expected = {"x1",        "x2",           "color=blue", "color=green",
                                             "color=red", "color=violet", "when"};
  EXPECT_EQ(out.names(), expected);
  EXPECT_EQ(p.lineage(), (std::vector<std::size_t>{0, 1, 2, 2, 2, 2, 3}));
  double mean = 0;
  for (double v : out.column("x1").values()) mean += v / static_cast<double>(out.rows());
  EXPECT_NEAR(mean, 0, 1e-12);
  EXPECT_EQ(out.column("x2").values()[3], features.column("x2").values()[3]);  // untouched
  // Without named columns a step takes every column of its kind.
  Pipeline scale_all({{.transformer = "minmax_scaler"}});
  const Frame all = scale_all.fit_transform(features, {});
  EXPECT_EQ(all.cols(), features.cols());
  EXPECT_FALSE(all.column("color").is_numeric());
  EXPECT_LE(*std::max_element(all.column("x1").values().begin(), all.column("x1").values().end()), 1.0);
  // Mistakes name the step.
  EXPECT_THROW(Pipeline({{.transformer = "scaler"}}), UsageError);
  EXPECT_THROW(Pipeline({{.transformer = "imputer"}, {.transformer = "imputer"}}), UsageError);
  EXPECT_THROW(Pipeline({{.transformer = "date_parts"}}), UsageError);  // which columns?
  try {
    Pipeline bad(std::vector<StepSpec>{{.transformer = "one_hot", .columns = {"colour"}}});
    bad.fit_transform(features, {});
    FAIL() << "an unknown column was accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("step 'one_hot' (one_hot): no column 'colour'"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(Pipeline({{.transformer = "imputer", .params = {{"strategy", "median"}}, .columns = {"color"}}})
                   .fit_transform(features, {}),
               UsageError);
}

TEST(Pipeline, ModelParametersAddressStepsByName) {
  const Dataset d = synthetic(Task::classification, 300);
  Model m("logistic", {{"C", "0.5"}, {"scale.with_mean", "false"}},
          {{.name = "scale", .transformer = "standard_scaler"}, {.transformer = "one_hot"}});
  EXPECT_EQ(m.all_params().at("scale.with_mean"), "false");
  EXPECT_EQ(m.all_params().at("one_hot.unseen"), "ignore");
  EXPECT_EQ(m.all_params().at("C"), "0.5");
  const Model changed = m.with({{"one_hot.max_categories", "3"}, {"C", "2"}});
  EXPECT_EQ(changed.all_params().at("one_hot.max_categories"), "3");
  EXPECT_EQ(changed.params().real("C"), 2);
  EXPECT_THROW(m.with({{"scale.with_median", "true"}}), UsageError);
  EXPECT_THROW(Model("logistic", {{"scale.with_mean", "maybe"}}, {{.name = "scale", .transformer = "standard_scaler"}}),
               UsageError);
}

TEST(Pipeline, OneHotUnseenPolicies) {
  const Dataset d = read_dataset(data_path("penguins.csv"), "species");
  Frame unseen = d.features().take(std::vector<std::size_t>{0, 1, 2});
  std::vector<Column> cols = unseen.columns();
  for (auto& c : cols)
    if (c.name() == "island") c = Column::from_strings("island", {"Biscoe", "Atlantis", "Dream"});
  unseen = Frame(cols);
  auto model = [&](const std::string& policy) {
    Model m("logistic", {},
            {{.transformer = "imputer", .params = {{"strategy", "most_frequent"}}},
             {.transformer = "one_hot", .params = {{"unseen", policy}}}});
    m.fit(d);
    return m;
  };
  try {
    model("error").predict(unseen);
    FAIL() << "an unseen category was accepted under unseen=error";
  } catch (const DataError& e) {
    EXPECT_EQ(
        std::string(e.what()),
        "column 'island', row 2: 'Atlantis' is a category the model never saw (it refuses unseen categories of this column)");
  }
  EXPECT_EQ(model("ignore").predict(unseen).values.size(), 3u);
  const Model other = model("other");
  EXPECT_NE(std::find(other.encoded_features().begin(), other.encoded_features().end(), "island=(other)"),
            other.encoded_features().end());
  // A number where only text categories were learned is an error naming the row, whatever the policy.
  cols[0] = Column::numeric("island", {1, 2, 3});
  std::rotate(cols.begin(), cols.begin() + 1, cols.end());  // and the columns in another order
  try {
    model("ignore").predict(Frame(cols));
    FAIL() << "a number was accepted for a categorical column";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "column 'island' holds categories (Biscoe, Dream, Torgersen), but row 1 has the number 1"),
              std::string::npos)
        << e.what();
  }
}

TEST(Pipeline, TargetEncodingIsCrossFittedSoNoiseCarriesNoSignal) {
  // An identifier with 100 values and no link to the target: encoded with its
  // own rows' targets it would look predictive; cross-fitted it must not.
  Random rng(5);
  const std::size_t n = 2000;
  std::vector<std::string> id(n);
  std::vector<double> y(n);
  for (std::size_t i = 0; i < n; ++i) id[i] = "id" + std::to_string(rng.below(100)), y[i] = rng.uniform();
  Frame f;
  f.add(Column::from_strings("id", id));
  const Column target = Column::numeric("y", y);
  Pipeline p({{.transformer = "target_encoder", .params = {{"smoothing", "0"}}}});
  const Frame crossfit = p.fit_transform(f, {.target = &target, .task = Task::regression, .seed = 1});
  const Frame in_sample = p.transform(f);
  auto correlation = [&](std::span<const double> x) {
    double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < n; ++i) mx += x[i] / n, my += y[i] / n;
    for (std::size_t i = 0; i < n; ++i)
      sxy += (x[i] - mx) * (y[i] - my), sxx += (x[i] - mx) * (x[i] - mx), syy += (y[i] - my) * (y[i] - my);
    return sxy / std::sqrt(sxx * syy);
  };
  EXPECT_GT(correlation(in_sample.column("id").values()), 0.15);           // leaks the target
  EXPECT_LT(std::abs(correlation(crossfit.column("id").values())), 0.08);  // does not
}

TEST(Pipeline, ModelRefitsStepsInEveryFoldAndReloadsIdentically) {
  const Dataset d = read_dataset(data_path("credit_data.csv"), "Status");
  const Model prototype = read_model_spec(source_path("docs/examples/pipelines/credit.yaml"));
  const Validation v{.folds = 3, .seed = 4};
  const Result r = score(prototype, d, v, {"roc_auc"});
  // Fold 0 by hand: the steps fitted on its training rows only.
  const ScoringPlan plan = ScoringPlan::make(d, v, {"roc_auc"});
  Model by_hand = prototype.clone();
  by_hand.fit(d.take(plan.folds[0].train));
  const Predictions p = by_hand.predict(d.take(plan.folds[0].test).features());
  ASSERT_EQ(r.folds[0].held_out.proba.rows(), p.proba.rows());
  EXPECT_TRUE(r.folds[0].held_out.proba.isApprox(p.proba, 1e-12));
  EXPECT_GT(r.mean("roc_auc"), 0.8);

  Model m = prototype.clone();
  m.fit(d);
  TempDir tmp;
  m.save(tmp.file("credit.shipml"));
  const Model back = Model::load(tmp.file("credit.shipml"));
  EXPECT_EQ(back.predict(d.features()).proba, m.predict(d.features()).proba);  // bit for bit
  EXPECT_EQ(back.all_params(), m.all_params());
  EXPECT_TRUE(back.inspect().contains("pipeline"));
  // Importances trace encoded columns back through the steps to the data's columns.
  const LearnedImportance imp = learned_importance(back);
  EXPECT_EQ(imp.columns, back.schema().names());
  for (double v : imp.column_values) EXPECT_GE(v, 0);
  EXPECT_GT(imp.column_values[1], 0);  // Home, one-hot encoded by a step
}

TEST(PipelineCli, SpecFilesStepFlagsAndErrorsThatNameTheRow) {
  TempDir tmp;
  const std::string spec = source_path("docs/examples/pipelines/credit.yaml");
  const auto train = run_cli("train -q --data " + data_path("credit_data.csv") + " -t Status --pipeline " + spec +
                             " --set one_hot.max_categories=3 --out " + tmp.file("credit.shipml"));
  ASSERT_EQ(train.exit_code, 0) << train.err;
  const Model m = Model::load(tmp.file("credit.shipml"));
  EXPECT_EQ(m.all_params().at("one_hot.max_categories"), "3");
  EXPECT_EQ(m.params().real("C"), 0.5);
  write_file_atomic(tmp.file("new.csv"),
                    "Price,Seniority,Home,Time,Age,Marital,Records,Job,Expenses,Income,Assets,Debt,Amount,extra\n"
                    "846,9,rent,60,30,married,no,freelance,73,129,0,0,800,x\n"
                    "846,9,castle,60,30,married,no,freelance,73,129,0,0,800,x\n");
  const auto unseen = run_cli("predict --model " + tmp.file("credit.shipml") + " --data " + tmp.file("new.csv"));
  EXPECT_EQ(unseen.exit_code, 1);
  EXPECT_NE(unseen.err.find("column 'Home', row 2: 'castle' is a category the model never saw"), std::string::npos)
      << unseen.err;
  // Flags build a pipeline too; reordered and extra columns are fine.
  const auto flags =
      run_cli("train -q --data " + data_path("churn.csv") + " -t churn -e logistic --step standard_scaler " +
              "--step one_hot:state,area_code --set one_hot.unseen=error --out " + tmp.file("churn.shipml"));
  ASSERT_EQ(flags.exit_code, 0) << flags.err;
  const auto inspect = run_cli("inspect " + tmp.file("churn.shipml"));
  EXPECT_NE(inspect.out.find("one_hot"), std::string::npos) << inspect.out;
  const auto listed = run_cli("transformers");
  EXPECT_NE(listed.out.find("target_encoder"), std::string::npos);
  EXPECT_EQ(run_cli("transformers one_hot").exit_code, 0);
  // Spec mistakes point at the line.
  write_file_atomic(tmp.file("bad.yaml"), "steps:\n  - imputer: {strategy: mode}\nestimator: logistic\n");
  const auto bad = run_cli("train --data " + data_path("iris.csv") + " -t species --out " + tmp.file("x.shipml") +
                           " --pipeline " + tmp.file("bad.yaml"));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("bad.yaml: line 2, column 5: imputer (imputer): parameter strategy='mode'"), std::string::npos)
      << bad.err;
  EXPECT_EQ(run_cli("train --data " + data_path("iris.csv") + " -t species --out " + tmp.file("x.shipml") +
                    " -e logistic --pipeline " + spec)
                .exit_code,
            2);
}

}  // namespace
}  // namespace shipml::test
