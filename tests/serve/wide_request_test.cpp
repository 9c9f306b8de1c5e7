// Requests for a wide model (40 numeric columns and a categorical one), decoded
// the way the server decodes them: the rows reach the model exactly as a frame
// built by hand would, and a repeated column or a short one is named, the first
// in column order, whatever the width (wide requests are checked by sorting).
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "shipml/core/error.hpp"
#include "shipml/core/random.hpp"
#include "shipml/serve/mlflow_scoring.hpp"
#include "shipml/serve/open_inference.hpp"
#include "shipml/shipml.hpp"

namespace shipml {
namespace {

using nlohmann::json;

constexpr std::size_t kNumeric = 40;

std::string numeric_name(std::size_t j) { return "x" + std::string(j < 10 ? "0" : "") + std::to_string(j); }

class WideRequest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Random rng(21);
    const std::size_t n = 300;
    std::vector<Column> columns;
    std::vector<double> signal(n);
    for (std::size_t j = 0; j < kNumeric; ++j) {
      std::vector<double> values(n);
      for (std::size_t i = 0; i < n; ++i) {
        values[i] = rng.uniform() * 4 - 2;
        if (j < 5) signal[i] += values[i];
      }
      columns.push_back(Column::numeric(numeric_name(j), std::move(values)));
    }
    std::vector<std::string> colors(n), labels(n);
    for (std::size_t i = 0; i < n; ++i) {
      colors[i] = rng.uniform() < 0.5 ? "red" : "blue";
      labels[i] = signal[i] + (colors[i] == "red" ? 1 : 0) > 0.5 ? "yes" : "no";
    }
    columns.push_back(Column::from_strings("color", colors));
    columns.push_back(Column::from_strings("y", labels));
    model_ = new Model("logistic", {});
    model_->fit(Dataset{.frame = Frame(std::move(columns)), .target = "y"});
  }
  static void TearDownTestSuite() { delete model_; }

  // Two rows: x_j = j / 10 and -j / 10; x01 missing in the second; color red, blue.
  static Frame two_rows() {
    Frame f;
    for (std::size_t j = 0; j < kNumeric; ++j)
      f.add(Column::numeric(numeric_name(j), {j / 10.0, j == 1 ? NAN : -(j / 10.0)}));
    f.add(Column::from_strings("color", {"red", "blue"}));
    return f;
  }

  // The same rows as Open Inference Protocol tensors, one per column, in `names`' order.
  static json v2_body(const std::vector<std::string>& names) {
    json inputs = json::array();
    for (const auto& name : names) {
      json data = name == "color" ? json{"red", "blue"} : json::array();
      if (name != "color") {
        const double j = std::stod(name.substr(1));
        data = name == "x01" ? json{j / 10, nullptr} : json{j / 10, -(j / 10)};
      }
      inputs.push_back(
          {{"name", name}, {"shape", {2}}, {"datatype", name == "color" ? "BYTES" : "FP64"}, {"data", data}});
    }
    return {{"inputs", inputs}};
  }

  static std::vector<std::string> schema_order() {
    std::vector<std::string> names;
    for (std::size_t j = 0; j < kNumeric; ++j) names.push_back(numeric_name(j));
    names.push_back("color");
    return names;
  }

  static std::string v2_error(const json& body) {
    try {
      serve::oip::decode_infer(*model_, body.dump(), "");
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  }

  static Model* model_;
};

Model* WideRequest::model_ = nullptr;

void expect_same_predictions(const Predictions& got, const Predictions& want) {
  ASSERT_EQ(got.values, want.values);
  ASSERT_EQ(got.proba.rows(), want.proba.rows());
  for (Eigen::Index i = 0; i < want.proba.rows(); ++i)
    for (Eigen::Index c = 0; c < want.proba.cols(); ++c) EXPECT_EQ(got.proba(i, c), want.proba(i, c));
}

TEST_F(WideRequest, RowsReachTheModelAsAFrameBuiltByHand) {
  const Predictions want = model_->predict(two_rows());
  EXPECT_NE(want.proba(0, 0), want.proba(1, 0));  // the rows differ, so a mix-up would show
  std::vector<std::string> shuffled = schema_order();
  std::swap(shuffled[0], shuffled[40]);
  std::swap(shuffled[3], shuffled[33]);
  for (const auto& order : {schema_order(), shuffled}) {
    const auto request = serve::oip::decode_infer(*model_, v2_body(order).dump(), "");
    ASSERT_EQ(request.input.rows(), 2u);
    ASSERT_TRUE(request.input.find("x01"));
    EXPECT_TRUE(std::isnan(request.input.find("x01")->values()[1]));
    EXPECT_EQ(request.input.find("color")->text(1), "blue");
    expect_same_predictions(model_->predict(request.input), want);
  }
  // MLflow's dataframe_split, columns in schema order, and in another.
  for (const auto& order : {schema_order(), shuffled}) {
    json data = json::array({json::array(), json::array()});
    const Frame rows = two_rows();
    for (const auto& name : order)
      for (std::size_t i = 0; i < 2; ++i) {
        const Column& c = rows.column(name);
        if (c.is_missing(i)) data[i].push_back(nullptr);
        else if (c.is_numeric()) data[i].push_back(c.values()[i]);
        else data[i].push_back(c.text(i));
      }
    const json body = {{"dataframe_split", {{"columns", order}, {"data", data}}}};
    const auto request = serve::mlflow::decode(*model_, "application/json", body.dump());
    expect_same_predictions(model_->predict(request.input), want);
  }
}

TEST_F(WideRequest, TheFirstRepeatedColumnInOrderIsNamed) {
  std::vector<std::string> names = schema_order();
  names[25] = "x03";  // repeats column 3
  names[12] = "x07";  // repeats column 7, and comes first
  EXPECT_EQ(v2_error(v2_body(names)), "column 'x07' is given twice");
  names[12] = numeric_name(12);
  EXPECT_EQ(v2_error(v2_body(names)), "column 'x03' is given twice");
  // Repeated next to each other, and the last column repeating the first.
  names = schema_order();
  names[40] = "x00";
  EXPECT_EQ(v2_error(v2_body(names)), "column 'x00' is given twice");
  names = schema_order();
  names[31] = "x30";
  EXPECT_EQ(v2_error(v2_body(names)), "column 'x30' is given twice");
  // MLflow's split names the same column.
  names = schema_order();
  names[30] = "x29";
  json row = json::array();
  for (std::size_t j = 0; j < names.size(); ++j) row.push_back(j == 40 ? json("red") : json(1.0));
  const json body = {{"dataframe_split", {{"columns", names}, {"data", {row}}}}};
  try {
    serve::mlflow::decode(*model_, "application/json", body.dump());
    FAIL() << "a repeated column was accepted";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "column 'x29' is given twice");
  }
}

TEST_F(WideRequest, AShortColumnBeforeARepeatedOneIsNamedFirst) {
  json body = v2_body(schema_order());
  body["inputs"][5]["shape"] = {1};
  body["inputs"][5]["data"] = {0.5};
  body["inputs"][30]["name"] = "x02";
  EXPECT_EQ(v2_error(body), "column 'x05' has 1 rows but 'x00' has 2");
  body["inputs"][4]["name"] = "x01";
  EXPECT_EQ(v2_error(body), "column 'x01' is given twice");
}

}  // namespace
}  // namespace shipml
