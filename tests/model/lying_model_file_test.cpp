// Model files that pass their checksum but lie: a checksum is no signature, so
// anyone can edit a file and re-sign it. Every loader checks what it reads
// against the rest of the file, and a file that disagrees with itself is
// refused with one line naming the file and what disagrees, never read out of
// bounds. Files here are edited as structures (header JSON, counts in the body)
// and re-signed; loaders are also given crafted state directly.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>

#include "model/model_parts.hpp"
#include "shipml/model/encoder.hpp"
#include "shipml/model/model_file.hpp"
#include "shipml/preprocess/transformer.hpp"
#include "support.hpp"

namespace shipml {
namespace {

using test::load_error;
using test::Parts;
using test::put_together;
using test::take_apart;

Parts trained(const std::string& estimator, const std::string& data, const std::string& target,
              const std::map<std::string, std::string>& params = {}, std::vector<StepSpec> steps = {}) {
  Model m(estimator, params, std::move(steps));
  m.fit(read_dataset(test::data_path(data), target));
  return take_apart(encode_model(m));
}

// Where what follows the encoder's state starts in a body: the pipeline's, or the learner's.
std::size_t learner_offset(const std::string& body) {
  BinaryReader in(body);
  FeatureEncoder encoder;
  encoder.load(in);
  BinaryWriter again;
  encoder.save(again);
  return again.data().size();
}

template <class T>
void overwrite(std::string& body, std::size_t at, T value) {
  std::memcpy(body.data() + at, &value, sizeof value);
}

// The error a loader gives for crafted state, or "no error".
template <class Load>
std::string loader_error(Load load) {
  try {
    load();
  } catch (const ModelError& e) {
    return e.what();
  }
  return "no error";
}

std::string estimator_error(const std::string& name, Task task, const BinaryWriter& state) {
  const EstimatorInfo& info = find_estimator(name);
  auto learner = info.create(Params::validate(name, info.params, {}), task);
  BinaryReader in(state.data());
  return loader_error([&] { learner->load(in); });
}

std::string transformer_error(const std::string& name, const BinaryWriter& state) {
  const TransformerInfo& info = find_transformer(name);
  auto step = info.create(Params::validate(name, info.params, {}));
  BinaryReader in(state.data());
  return loader_error([&] { step->load(in); });
}

// ---- the two reported files, through Model::load and the real CLI

// A 3-class tree under a header naming 9 classes: `predict --proba` printed
// six columns of heap memory.
TEST(LyingModelFile, NineClassesOnAThreeClassTreeAreRefused) {
  Parts p = trained("decision_tree", "iris.csv", "species");
  for (int c = 3; c < 9; ++c) p.header["classes"].push_back("class" + std::to_string(c));
  test::TempDir dir;
  const std::string model = dir.file("model.shipml");
  std::ofstream(model, std::ios::binary) << put_together(p);
  const std::string why = "the header names 9 classes but the decision_tree predicts 3 classes";
  EXPECT_EQ(loader_error([&] { Model::load(model); }), model + ": " + why);
  const auto r = test::run_cli("predict --proba --model " + model + " --data " + test::data_path("iris.csv"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "shipml: error: " + model + ": " + why + "\n");
  EXPECT_EQ(r.out, "");
}

// An xgboost model whose trailing class count says 100000: predict crashed.
TEST(LyingModelFile, XGBoostWithAHundredThousandClassesIsRefused) {
  Parts p = trained("xgboost", "iris.csv", "species", {{"n_estimators", "2"}});
  overwrite<std::uint64_t>(p.body, p.body.size() - 8, 100000);
  test::TempDir dir;
  const std::string model = dir.file("model.shipml");
  std::ofstream(model, std::ios::binary) << put_together(p);
  const std::string why =
      "model body is corrupted: xgboost: the stored booster (multi:softprob, num_class 3) does not fit a "
      "100000-class classifier";
  EXPECT_EQ(loader_error([&] { Model::load(model); }), model + ": " + why);
  const auto r = test::run_cli("predict --model " + model + " --data " + test::data_path("iris.csv"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "shipml: error: " + model + ": " + why + "\n");
}

// ---- the header against itself and the body

TEST(LyingModelFile, ATaskTheEstimatorDoesNotDoIsRefused) {
  Parts p = trained("logistic", "iris.csv", "species");
  p.header["task"] = "regression";
  p.header["classes"] = nlohmann::json::array();
  EXPECT_EQ(load_error(put_together(p)), "model.shipml: the header's task is regression, which logistic does not do");
}

TEST(LyingModelFile, FewerClassesThanTheLearnerPredictsAreRefused) {
  Parts p = trained("gaussian_nb", "iris.csv", "species");
  p.header["classes"].erase(2);
  EXPECT_EQ(load_error(put_together(p)),
            "model.shipml: the header names 2 classes but the gaussian_nb predicts 3 classes");
}

TEST(LyingModelFile, ARegressionHeaderOnAClassifierIsRefused) {
  Parts p = trained("knn", "iris.csv", "species");
  p.header["task"] = "regression";
  p.header["classes"] = nlohmann::json::array();
  EXPECT_EQ(load_error(put_together(p)), "model.shipml: the header names no classes but the knn predicts 3 classes");
}

TEST(LyingModelFile, ASchemaNamingAColumnTwiceIsRefused) {
  Parts p = trained("linear", "diabetes.csv", "progression");
  p.header["schema"][1]["name"] = p.header["schema"][0]["name"];
  const std::string name = p.header["schema"][0]["name"];
  EXPECT_EQ(load_error(put_together(p)), "model.shipml: the schema names the column '" + name + "' twice");
}

TEST(LyingModelFile, RepeatedCategoriesAreRefused) {
  Parts p = trained("logistic", "penguins.csv", "species");
  for (auto& field : p.header["schema"])
    if (field.contains("categories")) {
      field["categories"].push_back(field["categories"][0]);
      EXPECT_EQ(load_error(put_together(p)),
                "model.shipml: the categories of column '" + field["name"].get<std::string>() + "' repeat");
      return;
    }
  FAIL() << "penguins.csv has no categorical column";
}

TEST(LyingModelFile, AnEmptySchemaIsRefused) {
  Parts p = trained("linear", "diabetes.csv", "progression");
  p.header["schema"] = nlohmann::json::array();
  EXPECT_EQ(load_error(put_together(p)), "model.shipml: the header's schema has no columns");
}

// ---- the encoder's width against the learner's features

TEST(LyingModelFile, LinearCoefficientsMustMatchTheEncodedFeatures) {
  Parts p = trained("linear", "diabetes.csv", "progression");
  const std::size_t at = learner_offset(p.body);
  std::uint64_t n;
  std::memcpy(&n, p.body.data() + at, 8);
  overwrite<std::uint64_t>(p.body, at, n - 1);
  p.body.erase(at + 8, 8);  // one coefficient fewer
  EXPECT_EQ(load_error(put_together(p)), "model.shipml: the encoder gives " + std::to_string(n) +
                                             " features but the linear reads " + std::to_string(n - 1));
}

TEST(LyingModelFile, ATreeReadingMoreFeaturesThanEncodedIsRefused) {
  Parts p = trained("decision_tree", "iris.csv", "species");
  overwrite<std::uint64_t>(p.body, learner_offset(p.body) + 4, 5);  // after the u32 class count
  EXPECT_EQ(load_error(put_together(p)), "model.shipml: the encoder gives 4 features but the decision_tree reads 5");
}

TEST(LyingModelFile, AOneHotWidthPastTheEndAllocatesNothing) {
  BinaryWriter state;
  state.u8(0);  // one_hot_scaled
  state.u64(1);
  state.u8(1);                        // categorical...
  state.u64(std::uint64_t{1} << 60);  // ...with 2^60 categories
  state.f64(0);
  state.f64(1);
  state.u8(0);
  state.texts({});
  FeatureEncoder encoder;
  BinaryReader in(state.data());
  EXPECT_EQ(loader_error([&] { encoder.load(in); }),
            "model body is corrupted: encoder column names do not match its plan");
}

// ---- the binary reader

TEST(LyingModelFile, CountsPastTheBytesLeftAllocateNothing) {
  BinaryWriter w;
  w.u64(std::uint64_t{1} << 60);
  w.u64(0);
  for (std::size_t item : {0, 1, 8}) {
    BinaryReader in(w.data());
    EXPECT_EQ(loader_error([&] { in.count(item); }), "model body is corrupted: a length runs past the end") << item;
  }
  BinaryReader strings(w.data());
  EXPECT_EQ(loader_error([&] { strings.texts(); }), "model body is corrupted: a length runs past the end");
  BinaryReader doubles(w.data());
  EXPECT_EQ(loader_error([&] { doubles.array<double>(); }), "model body is corrupted: a length runs past the end");
}

// ---- estimators' loaders, given crafted state

TEST(LyingModelFile, DecisionTreeRefusesOneClass) {
  BinaryWriter state;
  state.u32(1);
  EXPECT_EQ(estimator_error("decision_tree", Task::classification, state),
            "model body is corrupted: decision_tree: a class count of 1 (0 for a regressor, at least 2 otherwise)");
}

TEST(LyingModelFile, ForestRefusesNoTrees) {
  BinaryWriter state;
  state.u32(0);  // a regressor
  state.u64(0);  // of no features
  state.f64(NAN);
  state.u64(0);  // no binned features
  state.u64(0);  // no trees
  EXPECT_EQ(estimator_error("random_forest", Task::regression, state),
            "model body is corrupted: random_forest: a forest without trees");
}

TEST(LyingModelFile, ForestRefusesAClassCountTooLargeForAnInt) {
  BinaryWriter state;
  state.u32(0x80000000u);
  EXPECT_EQ(
      estimator_error("extra_trees", Task::classification, state),
      "model body is corrupted: extra_trees: a class count of 2147483648 (0 for a regressor, at least 2 otherwise)");
}

TEST(LyingModelFile, HistGbdtRefusesALossThatDoesNotFitTheClasses) {
  BinaryWriter state;
  state.u32(2);
  state.u64(0);
  state.u8(1);  // squared_error, for a classifier
  EXPECT_EQ(estimator_error("hist_gbdt", Task::classification, state),
            "model body is corrupted: hist_gbdt: the boosting loss does not fit the classes");
}

TEST(LyingModelFile, HistGbdtRefusesOneClass) {
  // One class once passed every check and predict_proba wrote past its one column.
  BinaryWriter state;
  state.u32(1);
  EXPECT_EQ(estimator_error("hist_gbdt", Task::classification, state),
            "model body is corrupted: hist_gbdt: a class count of 1 (0 for a regressor, at least 2 otherwise)");
}

TEST(LyingModelFile, KnnRefusesAClassIndexThatIsNotANumber) {
  BinaryWriter state;
  state.u64(1);  // one training point
  state.u64(1);  // of one dimension
  state.array(std::vector<double>{0.5});
  state.array(std::vector<double>{NAN});  // its class: NaN passed "v < 0 || v >= classes"
  state.u64(2);
  EXPECT_EQ(estimator_error("knn", Task::classification, state),
            "model body is corrupted: knn: a class index is out of range");
}

// Training writes n_neighbors as asked, even past the rows it kept, and
// prediction takes min(k, rows) neighbours: such a file tells no lie.
TEST(LyingModelFile, KnnAskingForMoreNeighboursThanRowsIsNoLie) {
  const Parts p = trained("knn", "iris.csv", "species", {{"n_neighbors", "500"}});
  const Model m = decode_model(put_together(p), "model.shipml");
  EXPECT_EQ(m.predict(read_csv(test::data_path("iris.csv"))).values.size(), 150u);
}

TEST(LyingModelFile, LogisticRefusesOneClass) {
  BinaryWriter state;
  state.u32(1);
  EXPECT_EQ(estimator_error("logistic", Task::classification, state),
            "model body is corrupted: logistic: a class count of 1 (0 for a regressor, at least 2 otherwise)");
}

// ---- xgboost: libxgboost trusts its model's indices, so shipml checks them first

class LyingXGBoost : public testing::Test {
 protected:
  void SetUp() override {
    const Parts p = trained("xgboost", "iris.csv", "species", {{"n_estimators", "2"}});
    const std::size_t start = p.body.find("{\"learner\"");
    ASSERT_NE(start, std::string::npos);
    std::uint64_t length;
    std::memcpy(&length, p.body.data() + start - 8, 8);
    json_ = p.body.substr(start, length);
    model_ = nlohmann::json::parse(json_);  // iris has no NaN to write
  }
  // The error loading `model` as a 3-class xgboost classifier gives.
  std::string error(const nlohmann::json& model, std::uint64_t classes = 3) const {
    return error_text(model.dump(), classes);
  }
  std::string error_text(const std::string& text, std::uint64_t classes = 3) const {
    BinaryWriter state;
    state.text(text);
    state.u64(classes);
    return estimator_error("xgboost", Task::classification, state);
  }
  nlohmann::json& tree(std::size_t t) { return model_["learner"]["gradient_booster"]["model"]["trees"][t]; }
  std::string json_;
  nlohmann::json model_;
};

TEST_F(LyingXGBoost, TheStoredModelLoads) { EXPECT_EQ(error(model_), "no error"); }

TEST_F(LyingXGBoost, AChildOutsideTheTreeIsRefused) {
  tree(0)["left_children"][0] = 100000;
  EXPECT_EQ(error(model_), "model body is corrupted: xgboost: tree 0: node 0's left child is out of range");
}

TEST_F(LyingXGBoost, AFeatureTheBoosterDoesNotHaveIsRefused) {
  tree(0)["split_indices"][0] = 100000;
  EXPECT_EQ(error(model_), "model body is corrupted: xgboost: tree 0: node 0's feature is out of range");
}

TEST_F(LyingXGBoost, AParentOutsideTheTreeIsRefused) {
  tree(0)["parents"][1] = -7;
  EXPECT_EQ(error(model_), "model body is corrupted: xgboost: tree 0: a parent is out of range");
}

TEST_F(LyingXGBoost, ACycleIsRefused) {
  auto& left = tree(0)["left_children"];
  auto& right = tree(0)["right_children"];
  ASSERT_EQ(left[0], 1);  // XGBoost's root has children 1 and 2
  left[1] = 0;            // node 1's children: the root and itself
  right[1] = 1;
  EXPECT_EQ(error(model_), "model body is corrupted: xgboost: tree 0: node 1 is reached twice (a cycle)");
}

TEST_F(LyingXGBoost, AnOutputGroupPastTheClassesIsRefused) {
  model_["learner"]["gradient_booster"]["model"]["tree_info"][0] = 3;
  EXPECT_EQ(error(model_), "model body is corrupted: xgboost: the output group of tree 0 is out of range");
}

TEST_F(LyingXGBoost, ArraysShorterThanTheTreeAreRefused) {
  tree(0)["parents"].erase(0);
  EXPECT_EQ(error(model_).rfind("model body is corrupted: xgboost: tree 0: parents does not have", 0), 0u);
}

TEST_F(LyingXGBoost, ClassesTheObjectiveDisagreesWithAreRefused) {
  model_["learner"]["objective"]["softmax_multiclass_param"]["num_class"] = "0";
  EXPECT_EQ(error(model_),
            "model body is corrupted: xgboost: the objective and the learner disagree on the number of classes");
  EXPECT_EQ(error(nlohmann::json::parse(json_), 2),
            "model body is corrupted: xgboost: the stored booster (multi:softprob, num_class 3) does not fit a "
            "2-class classifier");
}

TEST_F(LyingXGBoost, ACategoricalSplitWithoutCategoriesIsRefused) {
  tree(0)["split_type"][0] = 1;
  EXPECT_EQ(error(model_), "model body is corrupted: xgboost: tree 0: node 0 splits on categories it does not list");
  tree(0)["categories_nodes"] = {0};
  tree(0)["categories_segments"] = {0};
  tree(0)["categories_sizes"] = {1};
  tree(0)["categories"] = {-5};  // libxgboost would set bit -5
  EXPECT_EQ(error(model_), "model body is corrupted: xgboost: tree 0: a category is out of range");
}

// nlohmann decodes \u escapes, libxgboost keeps them: "lef\u0074_children" is
// left_children to one and another key to the other.
TEST_F(LyingXGBoost, AKeyEscapedAsUnicodeIsRefused) {
  std::string text = model_.dump();
  text.replace(text.find("\"left_children\""), 15, "\"lef\\u0074_children\"");
  EXPECT_EQ(error_text(text),
            "model body is corrupted: xgboost: the stored model escapes a character as \\u, which libxgboost reads "
            "otherwise");
}

// libxgboost parses nested values recursively.
TEST_F(LyingXGBoost, NestingDeeperThanXGBoostsIsRefused) {
  std::string text = model_.dump();
  text.replace(text.find("\"attributes\":{}"), 15,
               "\"attributes\":{\"x\":" + std::string(100000, '[') + std::string(100000, ']') + "}");
  EXPECT_EQ(error_text(text), "model body is corrupted: xgboost: the stored model nests deeper than XGBoost's JSON");
}

// What shipml does not check itself, libxgboost refuses as it loads: one line of it.
TEST_F(LyingXGBoost, WhatLibxgboostRefusesIsOneLine) {
  tree(0)["loss_changes"].erase(0);
  const std::string e = error(model_);
  EXPECT_EQ(e.rfind("model body is corrupted: xgboost: the stored model does not load: ", 0), 0u) << e;
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
}

TEST_F(LyingXGBoost, TextThatIsNotItsJsonIsRefused) {
  EXPECT_EQ(error(nlohmann::json("binf")), "model body is corrupted: xgboost: the stored model is not XGBoost's JSON");
}

// ---- pipelines: the steps must meet the schema's columns and give pipeline_output_schema's

std::vector<StepSpec> scaled() { return {StepSpec{"scale", "standard_scaler", {}, {}}}; }

TEST(LyingModelFile, APipelineOutputSchemaThePipelineDoesNotGiveIsRefused) {
  Parts p = trained("linear", "diabetes.csv", "progression", {}, scaled());
  const std::string name = p.header["pipeline_output_schema"][0]["name"];
  p.header["pipeline_output_schema"][0]["name"] = "renamed";
  EXPECT_EQ(load_error(put_together(p)),
            "model.shipml: the pipeline's column '" + name + "' is not pipeline_output_schema's 'renamed'");
}

TEST(LyingModelFile, AStepWhoseColumnsTheSchemaLacksIsRefusedAtLoad) {
  Parts p = trained("linear", "diabetes.csv", "progression", {}, scaled());
  const std::string name = p.header["schema"][0]["name"];
  p.header["schema"][0]["name"] = "renamed";
  EXPECT_EQ(load_error(put_together(p)),
            "model.shipml: step 'scale' (standard_scaler): the column '" + name + "' it was fitted on is gone");
}

TEST(LyingModelFile, ALineagePastTheSchemaIsRefused) {
  Parts p = trained("linear", "diabetes.csv", "progression", {}, scaled());
  overwrite<std::uint64_t>(p.body, learner_offset(p.body) + 8, 99);  // the first output's schema column
  EXPECT_EQ(load_error(put_together(p)), "model.shipml: the pipeline's lineage does not match its columns");
}

// ---- transformers' loaders, given crafted state

TEST(LyingModelFile, TargetEncoderRefusesOutputsWithoutLabels) {
  BinaryWriter state;
  state.array(std::vector<double>{0.2, 0.3, 0.5});  // three outputs...
  state.texts({"a"});                               // ...one label
  state.u64(0);
  EXPECT_EQ(transformer_error("target_encoder", state),
            "model body is corrupted: target_encoder: its outputs and their labels differ in number");
}

TEST(LyingModelFile, PolynomialRefusesATermOfNoColumn) {
  BinaryWriter state;
  state.u64(2);
  state.u64(2);
  state.array(std::vector<std::uint64_t>{0});
  state.array(std::vector<std::uint64_t>{});
  EXPECT_EQ(transformer_error("polynomial", state), "model body is corrupted: polynomial: a term uses no column");
}

TEST(LyingModelFile, SelectKBestRefusesAColumnKeptTwice) {
  BinaryWriter state;
  state.u64(3);
  state.array(std::vector<std::uint64_t>{1, 1});
  state.texts({"b", "b"});
  EXPECT_EQ(transformer_error("select_k_best", state),
            "model body is corrupted: select_k_best: its kept columns are not ascending, one name each");
}

TEST(LyingModelFile, BinningRefusesEdgesOutOfOrder) {
  for (const auto& edges : {std::vector<double>{3, 1, 2}, std::vector<double>{0, NAN, 2}}) {
    BinaryWriter state;
    state.u64(1);
    state.array(edges);
    EXPECT_EQ(transformer_error("binning", state),
              "model body is corrupted: binning: a column's edges are not ascending");
  }
}

// ---- calibration and threshold (format 3): the header's blocks and the calibrator's maps

Parts calibrated(const std::string& data, const std::string& target, CalibrationMethod method) {
  Model m = Model("gaussian_nb").calibrated({method, 3});
  m.fit(read_dataset(test::data_path(data), target));
  return take_apart(encode_model(m));
}

// Where a binary isotonic calibrator's n thresholds start (after its count):
// the body ends with u64 1, then n thresholds and n values, each an array.
std::size_t isotonic_thresholds_at(const std::string& body, std::uint64_t& n) {
  auto u64_at = [&](std::size_t at) {
    std::uint64_t v;
    std::memcpy(&v, body.data() + at, 8);
    return v;
  };
  for (n = 1; 16 * n + 24 <= body.size(); ++n) {
    const std::size_t start = body.size() - 16 * n - 24;
    if (u64_at(start) == 1 && u64_at(start + 8) == n && u64_at(body.size() - 8 * n - 8) == n) return start + 16;
  }
  ADD_FAILURE() << "no isotonic calibrator at the end of the body";
  return 0;
}

TEST(LyingModelFile, ACalibratorForAnotherClassCountIsRefused) {
  Parts p = calibrated("iris.csv", "species", CalibrationMethod::sigmoid);
  overwrite<std::uint64_t>(p.body, p.body.size() - 3 * 16 - 8, 2);  // 3 maps of (a, b), one per class
  EXPECT_EQ(load_error(put_together(p)),
            "model.shipml: model body is corrupted: calibration: 2 calibrators for 3 classes (3 expected: one per "
            "class)");
}

TEST(LyingModelFile, ASigmoidParameterThatIsNotANumberIsRefused) {
  Parts p = calibrated("breast_cancer.csv", "diagnosis", CalibrationMethod::sigmoid);
  overwrite<double>(p.body, p.body.size() - 8, NAN);
  EXPECT_EQ(load_error(put_together(p)),
            "model.shipml: model body is corrupted: calibration: calibrator 1: a sigmoid parameter is not a number");
}

TEST(LyingModelFile, IsotonicThresholdsNotIncreasingAreRefused) {
  Parts p = calibrated("breast_cancer.csv", "diagnosis", CalibrationMethod::isotonic);
  std::uint64_t n = 0;
  const std::size_t at = isotonic_thresholds_at(p.body, n);
  ASSERT_GE(n, 2u);
  double first, second;
  std::memcpy(&first, p.body.data() + at, 8);
  std::memcpy(&second, p.body.data() + at + 8, 8);
  overwrite<double>(p.body, at, second);
  overwrite<double>(p.body, at + 8, first);
  EXPECT_EQ(load_error(put_together(p)),
            "model.shipml: model body is corrupted: calibration: calibrator 1: thresholds not increasing (at 2)");
  Parts q = calibrated("breast_cancer.csv", "diagnosis", CalibrationMethod::isotonic);
  const std::size_t values_at = isotonic_thresholds_at(q.body, n) + 8 * n + 8;
  overwrite<double>(q.body, values_at, 1.5);  // a probability above 1
  EXPECT_EQ(load_error(put_together(q)),
            "model.shipml: model body is corrupted: calibration: calibrator 1: values not non-decreasing "
            "probabilities (at 1)");
}

TEST(LyingModelFile, ACalibrationHeaderWithoutItsMapsIsRefused) {
  Parts p = calibrated("breast_cancer.csv", "diagnosis", CalibrationMethod::sigmoid);
  p.body.resize(p.body.size() - 24);  // the count and (a, b) gone
  EXPECT_EQ(load_error(put_together(p)), "model.shipml: model body is corrupted: unexpected end of data");
  // The maps without the header's block: a format-2 reading sees bytes it does not know.
  Parts q = calibrated("breast_cancer.csv", "diagnosis", CalibrationMethod::sigmoid);
  q.version = 2;
  EXPECT_EQ(load_error(put_together(q)),
            "model.shipml: corrupted model file (unexpected bytes after the fitted state)");
}

TEST(LyingModelFile, ACalibratedRegressionIsRefused) {
  Parts p = trained("linear", "diabetes.csv", "progression");
  p.version = 3;
  p.header["calibration"] = {{"method", "sigmoid"}, {"input", "probability"}, {"cv", 5}};
  EXPECT_EQ(load_error(put_together(p)), "model.shipml: the header calibrates a regression model");
}

TEST(LyingModelFile, AThresholdOnThreeClassesOrOutsideZeroToOneIsRefused) {
  Parts p = trained("decision_tree", "iris.csv", "species");
  p.version = 3;
  p.header["threshold"] = {{"value", 0.3}};
  EXPECT_EQ(load_error(put_together(p)),
            "model.shipml: the header's threshold is for two classes, and it names 3 classes");
  Parts q = trained("decision_tree", "breast_cancer.csv", "diagnosis");
  q.version = 3;
  q.header["threshold"] = {{"value", 1.5}};
  EXPECT_EQ(load_error(put_together(q)), "model.shipml: the header's threshold 1.5 is not a probability (0 to 1)");
  q.header["threshold"] = {{"value", 0.4}, {"metric", "roc_auc"}, {"cv", 5}};
  EXPECT_NE(load_error(put_together(q))
                .find("cannot load: threshold tune:roc_auc: roc_auc does not depend on the "
                      "threshold"),
            std::string::npos);
  q.header["threshold"] = {{"value", 0.4}};  // and as it should be: it loads
  EXPECT_EQ(load_error(put_together(q)), "no error");
}

}  // namespace
}  // namespace shipml
