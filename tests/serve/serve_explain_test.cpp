// Explanations through `shipml serve`: a real server process asked for
// contributions over both protocols gives, bit for bit, what Model::contributions
// and `shipml explain` give on the same rows, for every kind of model, and
// refuses explain parameters it cannot honour with a 400 that names them.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <nlohmann/json.hpp>

#include "explain/explain_support.hpp"
#include "serve/request_bodies.hpp"
#include "serve/server_process.hpp"

namespace shipml::test {
namespace {

using nlohmann::json;

// The models and the rows each is asked about, and one server serving them all.
class ServeExplain : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    models_ = new std::map<std::string, Entry>;
    const Dataset churn = read_dataset(data_path("churn.csv"), "churn");
    const Dataset concrete = read_dataset(data_path("concrete.csv"), "compressive_strength");
    const Dataset iris = read_dataset(data_path("iris.csv"), "species");
    const Dataset regression = explain_data(Kind::regression), binary = explain_data(Kind::binary);
    add("churn", Model("hist_gbdt", {{"n_estimators", "30"}}), churn);  // binary: the second class explained
    add("concrete", Model("linear"), concrete);
    add("iris", Model("logistic"), iris);  // three classes: one output each
    add("onehot", Model("hist_gbdt", {{"n_estimators", "20"}}, {{.transformer = "one_hot", .columns = {"color"}}}),
        regression);
    add("knn", Model("knn"), binary);  // sampled
    add("calibrated", Model("logistic").calibrated({CalibrationMethod::sigmoid, 3}), binary);
    // churn first: /invocations serves the first model given.
    std::vector<std::string> served;
    for (const char* name : {"churn", "concrete", "iris", "onehot", "knn", "calibrated"})
      served.push_back(dir_->file(std::string(name) + ".shipml"));
    server_ = new ServerProcess(served);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete models_;
    delete dir_;
  }

  struct Entry {
    Model model;
    Frame rows;  // without the target
  };
  static void add(const std::string& name, Model m, const Dataset& d) {
    m.fit(d);
    m.save(dir_->file(name + ".shipml"));
    models_->insert_or_assign(name, Entry{std::move(m), first_rows(d.features(), 12)});
  }
  static const Model& model(const std::string& name) { return models_->at(name).model; }
  static const Frame& rows(const std::string& name) { return models_->at(name).rows; }

  // An OIP infer request for the model's rows that asks for `outputs`, with request `parameters`.
  static HttpReply infer(const std::string& name, const std::vector<std::string>& outputs,
                         const json& parameters = json::object()) {
    json body = {{"inputs", tensor_per_column(rows(name))}, {"outputs", json::array()}};
    for (const auto& o : outputs) body["outputs"].push_back({{"name", o}});
    if (!parameters.empty()) body["parameters"] = parameters;
    return server_->post("/v2/models/" + name + "/infer", body.dump());
  }
  // The `contributions` tensor of a 200 answer.
  static json contributions_tensor(const HttpReply& r) {
    EXPECT_EQ(r.status, 200) << r.body;
    const json body = json::parse(r.body);
    for (const auto& o : body["outputs"])
      if (o["name"] == "contributions") return o;
    ADD_FAILURE() << "no contributions output: " << r.body;
    return json::object();
  }
  // An /invocations answer for the model's rows with MLflow `params`.
  static HttpReply invocations(const std::string& name, const json& params) {
    return server_->post("/invocations", json({{"dataframe_records", records(rows(name))}, {"params", params}}).dump());
  }

  static inline TempDir* dir_ = nullptr;
  static inline std::map<std::string, Entry>* models_ = nullptr;
  static inline ServerProcess* server_ = nullptr;
};

// A contributions tensor against the library's contributions of the same rows:
// its layout, its parameters and every value, to the last bit (the server
// writes the shortest text that reads back exactly).
void expect_tensor_is(const json& t, const Contributions& c) {
  const std::size_t n = static_cast<std::size_t>(c.values[0].rows()), outputs = c.values.size();
  const std::size_t width = c.columns.size() + 1;
  json shape = {n};
  if (outputs > 1) shape.push_back(outputs);
  shape.push_back(width);
  EXPECT_EQ(t["datatype"], "FP64");
  EXPECT_EQ(t["shape"], shape);
  std::vector<std::string> columns = c.columns;
  columns.push_back("expected_value");
  const json& p = t["parameters"];
  EXPECT_EQ(p["columns"], json(columns));
  EXPECT_EQ(p["outputs"], json(c.outputs));
  EXPECT_EQ(p["method"], c.method);
  EXPECT_EQ(p["exact"], c.exact);
  EXPECT_EQ(p["error_bound"].get<double>(), c.error_bound);
  EXPECT_EQ(p["before_calibration"], c.before_calibration);
  ASSERT_EQ(t["data"].size(), n * outputs * width) << t.dump().substr(0, 300);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t o = 0; o < outputs; ++o)
      for (std::size_t j = 0; j < width; ++j) {
        const double expected =
            j + 1 < width ? c.values[o](static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) : c.expected[o];
        EXPECT_EQ(t["data"][(i * outputs + o) * width + j].get<double>(), expected)
            << "row " << i << " output " << o << " column " << columns[j];
      }
}

TEST_F(ServeExplain, OpenInferenceContributionsAreTheLibrarysForEveryKindOfModel) {
  for (const std::string name : {"churn", "concrete", "iris", "onehot"}) {
    SCOPED_TRACE(name);
    const auto r = infer(name, {"predict", "contributions"});
    ASSERT_EQ(r.status, 200) << r.body;
    const json out = json::parse(r.body)["outputs"];
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0]["name"], "predict");  // in the order asked for, beside the predictions
    expect_tensor_is(out[1], model(name).contributions(rows(name)));
  }
  // Three classes: [rows, classes, columns + 1], each class's last axis adding up to its raw output.
  const json iris = contributions_tensor(infer("iris", {"contributions"}));
  EXPECT_EQ(iris["parameters"]["outputs"], json({"setosa", "versicolor", "virginica"}));
  const Matrix raw = model("iris").raw_output(rows("iris"));
  for (Eigen::Index i = 0; i < raw.rows(); ++i)
    for (Eigen::Index k = 0; k < 3; ++k) {
      double sum = 0;
      for (std::size_t j = 0; j < 5; ++j)
        sum += iris["data"][static_cast<std::size_t>((i * 3 + k) * 5) + j].get<double>();
      EXPECT_NEAR(sum, raw(i, k), 1e-9) << "row " << i << " class " << k;
    }
  // A pipeline's one-hot columns are summed into the column the user sent.
  EXPECT_EQ(contributions_tensor(infer("onehot", {"contributions"}))["parameters"]["columns"],
            json({"x1", "x2", "color", "expected_value"}));
}

TEST_F(ServeExplain, TheServerAgreesWithShipmlExplain) {
  write_csv(dir_->file("churn_rows.csv"), rows("churn"));
  const auto cli =
      run_cli("explain --model " + dir_->file("churn.shipml") + " --data " + dir_->file("churn_rows.csv") + " --json");
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  const json explained = json::parse(cli.out);
  const json t = contributions_tensor(infer("churn", {"contributions"}));
  const json columns = t["parameters"]["columns"];
  const std::size_t width = columns.size();
  ASSERT_EQ(explained["rows"].size(), rows("churn").rows());
  for (std::size_t i = 0; i < explained["rows"].size(); ++i) {
    const json& row = explained["rows"][i];
    for (std::size_t j = 0; j + 1 < width; ++j)
      EXPECT_EQ(t["data"][i * width + j].get<double>(),
                row["contributions"][columns[j].get<std::string>()].get<double>())
          << "row " << i << " column " << columns[j];
    EXPECT_EQ(t["data"][i * width + width - 1].get<double>(), explained["expected_value"][0].get<double>());
  }
  EXPECT_EQ(t["parameters"]["method"], explained["method"]);
}

TEST_F(ServeExplain, MlflowExplainAddsTheLibrarysJsonBesideThePredictions) {
  const auto r = invocations("churn", {{"explain", true}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json body = json::parse(r.body);
  const Model& m = model("churn");
  EXPECT_EQ(body["predictions"].size(), rows("churn").rows());
  EXPECT_EQ(body["contributions"], contributions_json(m.contributions(rows("churn")), m.raw_output(rows("churn"))));
  const auto plain = invocations("churn", {{"explain", false}});
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_FALSE(json::parse(plain.body).contains("contributions")) << plain.body;
  // Other params belong to other models: ignored, as MLflow ignores undeclared params.
  EXPECT_EQ(invocations("churn", {{"temperature", 0.5}}).status, 200);

  // A sampled explanation takes its samples and seed from the params too.
  ServerProcess knn({dir_->file("knn.shipml")});
  const json asked = {{"dataframe_records", records(rows("knn"))},
                      {"params", {{"explain", true}, {"explain_samples", 64}, {"explain_seed", 5}}}};
  const auto sampled = knn.post("/invocations", asked.dump());
  ASSERT_EQ(sampled.status, 200) << sampled.body;
  const Model& k = model("knn");
  EXPECT_EQ(json::parse(sampled.body)["contributions"],
            contributions_json(k.contributions(rows("knn"), {.samples = 64, .seed = 5}), k.raw_output(rows("knn"))));
}

TEST_F(ServeExplain, SampledContributionsFollowTheRequestsSamplesAndSeed) {
  const json asked = {{"explain_samples", 64}, {"explain_seed", 5}};
  const json t = contributions_tensor(infer("knn", {"contributions"}, asked));
  EXPECT_EQ(t["parameters"]["method"], "sampling");
  EXPECT_EQ(t["parameters"]["exact"], false);
  EXPECT_GT(t["parameters"]["error_bound"].get<double>(), 0);
  expect_tensor_is(t, model("knn").contributions(rows("knn"), {.samples = 64, .seed = 5}));
  // The same seed gives the same values; another seed, other values; no parameters, the defaults.
  EXPECT_EQ(contributions_tensor(infer("knn", {"contributions"}, asked))["data"], t["data"]);
  EXPECT_NE(
      contributions_tensor(infer("knn", {"contributions"}, {{"explain_samples", 64}, {"explain_seed", 6}}))["data"],
      t["data"]);
  expect_tensor_is(contributions_tensor(infer("knn", {"contributions"})), model("knn").contributions(rows("knn")));
  // The bound is inclusive (a tree model ignores the samples, so this is quick).
  EXPECT_EQ(infer("churn", {"contributions"}, {{"explain_samples", 10000}}).status, 200);
}

TEST_F(ServeExplain, ACalibratedModelSaysItsLearnerIsExplainedBeforeCalibration) {
  const json t = contributions_tensor(infer("calibrated", {"contributions"}));
  EXPECT_EQ(t["parameters"]["before_calibration"], true);
  expect_tensor_is(t, model("calibrated").contributions(rows("calibrated")));
  EXPECT_EQ(contributions_tensor(infer("churn", {"contributions"}))["parameters"]["before_calibration"], false);
}

TEST_F(ServeExplain, BinaryTensorDataCarriesTheContributionsAsFp64) {
  // What tritonclient asks for by default: every output as binary data.
  const auto r = infer("iris", {"predict_proba", "contributions"}, {{"binary_data_output", true}});
  ASSERT_EQ(r.status, 200) << r.body;
  const std::size_t json_length = std::stoul(r.header("inference-header-content-length"));
  const json out = json::parse(r.body.substr(0, json_length))["outputs"];
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FALSE(out[1].contains("data"));
  const std::size_t proba_size = out[0]["parameters"]["binary_data_size"];
  const std::size_t size = out[1]["parameters"]["binary_data_size"];
  ASSERT_EQ(json_length + proba_size + size, r.body.size());
  const Contributions c = model("iris").contributions(rows("iris"));
  ASSERT_EQ(size, rows("iris").rows() * 3 * 5 * sizeof(double));
  const char* data = r.body.data() + json_length + proba_size;
  for (std::size_t i = 0; i < rows("iris").rows(); ++i)
    for (std::size_t k = 0; k < 3; ++k) {
      double v;
      std::memcpy(&v, data + ((i * 3 + k) * 5 + 0) * sizeof v, sizeof v);
      EXPECT_EQ(v, c.values[k](static_cast<Eigen::Index>(i), 0)) << i << " " << k;
      std::memcpy(&v, data + ((i * 3 + k) * 5 + 4) * sizeof v, sizeof v);
      EXPECT_EQ(v, c.expected[k]);
    }
}

TEST_F(ServeExplain, MetadataListsTheContributionsAndPlainRequestsDoNotGetThem) {
  const json churn = json::parse(server_->get("/v2/models/churn").body);
  ASSERT_EQ(churn["outputs"].size(), 3u);
  EXPECT_EQ(churn["outputs"][2]["name"], "contributions");
  EXPECT_EQ(churn["outputs"][2]["shape"], json({-1, 20}));  // 19 columns and the expected value
  EXPECT_EQ(churn["outputs"][2]["parameters"]["columns"].back(), "expected_value");
  const json iris = json::parse(server_->get("/v2/models/iris").body);
  EXPECT_EQ(iris["outputs"][2]["shape"], json({-1, 3, 5}));
  EXPECT_EQ(iris["outputs"][2]["parameters"]["outputs"], json({"setosa", "versicolor", "virginica"}));
  // No outputs named: predict and predict_proba, as before.
  const auto plain =
      server_->post("/v2/models/churn/infer", json({{"inputs", tensor_per_column(rows("churn"))}}).dump());
  ASSERT_EQ(plain.status, 200) << plain.body;
  const json outputs = json::parse(plain.body)["outputs"];
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_EQ(outputs[1]["name"], "predict_proba");
}

TEST_F(ServeExplain, BadExplainParametersGetA400ThatNamesThem) {
  auto expect_400 = [](const HttpReply& r, const std::string& names) {
    EXPECT_EQ(r.status, 400) << r.body;
    const json body = json::parse(r.body);
    const std::string message = body.contains("error") ? body["error"] : body["message"];
    EXPECT_NE(message.find(names), std::string::npos) << message;
  };
  for (const json& samples : {json(0), json(1), json(10001), json(1e12), json(-3), json(2.5), json("many")})
    expect_400(infer("knn", {"contributions"}, {{"explain_samples", samples}}), "parameters.explain_samples");
  expect_400(infer("knn", {"contributions"}, {{"explain_seed", -1}}), "parameters.explain_seed");
  expect_400(infer("knn", {"contributions"}, {{"explain_seed", "x"}}), "parameters.explain_seed");
  // A misspelt output still lists what the model gives.
  expect_400(infer("churn", {"contribution"}), "(this model gives: predict, predict_proba, contributions)");
  // MLflow: explain is true or false, and the sampling is bounded the same way.
  for (const json& explain : {json("yes"), json(1), json(nullptr), json::array({true})})
    expect_400(invocations("churn", {{"explain", explain}}), "params.explain must be true or false");
  expect_400(invocations("churn", {{"explain", true}, {"explain_samples", 1000000000}}), "params.explain_samples");
  expect_400(server_->post("/invocations",
                           json({{"dataframe_records", records(rows("churn"))}, {"params", "explain"}}).dump()),
             "'params' must be an object");
}

TEST(ServeExplainOldFile, AModelThatCannotExplainSaysWhyWithA400) {
  // Files written before explanations keep no training means of a linear model's encoded features.
  ServerProcess server({"ames=" + source_path("tests/golden/v1/linear_regression_ames.shipml")});
  const Frame rows = first_rows(read_csv(data_path("ames.csv")), 2);
  const json body = {{"inputs", tensor_per_column(rows)}, {"outputs", {{{"name", "contributions"}}}}};
  const auto r = server.post("/v2/models/ames/infer", body.dump());
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("this model cannot explain its predictions"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("refit"), std::string::npos) << r.body;
  // Its predictions are served as ever.
  const json plain = {{"inputs", tensor_per_column(rows)}};
  EXPECT_EQ(server.post("/v2/models/ames/infer", plain.dump()).status, 200);
}

}  // namespace
}  // namespace shipml::test
