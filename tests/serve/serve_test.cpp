// `shipml serve` end to end: a real server process, real sockets, the exact bytes
// clients send (pandas, tritonclient, curl), and every endpoint and error path.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "serve/request_bodies.hpp"
#include "serve/server_process.hpp"

namespace shipml::test {
namespace {

using nlohmann::json;

// Models and rows shared by every test: trained once, in a temporary folder.
class Serve : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    Model churn("hist_gbdt", {{"n_estimators", "30"}});
    churn.fit(read_dataset(data_path("churn.csv"), "churn"));
    churn.save(dir_->file("churn.shipml"));
    Model concrete("linear");
    concrete.fit(read_dataset(data_path("concrete.csv"), "compressive_strength"));
    concrete.save(dir_->file("concrete.shipml"));
    // The first 40 rows without the target: what clients will send.
    const Frame all = read_csv(data_path("churn.csv"));
    std::vector<std::size_t> first(40);
    for (std::size_t i = 0; i < first.size(); ++i) first[i] = i;
    rows_ = new Frame(all.take(first).without("churn"));
    write_csv(dir_->file("rows.csv"), *rows_);
    // What `shipml predict` says about them: the answer every protocol must give.
    const auto r =
        run_cli("predict --model " + dir_->file("churn.shipml") + " --data " + dir_->file("rows.csv") + " --proba");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expected_ = new Frame(parse_csv(r.out));
  }
  static void TearDownTestSuite() {
    delete expected_;
    delete rows_;
    delete dir_;
  }

  static std::string model(const std::string& name) { return dir_->file(name + ".shipml"); }
  static std::string expected_label(std::size_t i) { return expected_->column("prediction").text(i); }
  static double expected_proba(std::size_t i, const std::string& cls) {
    return expected_->column("proba_" + cls).values()[i];
  }
  static json records() { return test::records(*rows_); }
  static void expect_labels(const json& predictions) {
    ASSERT_EQ(predictions.size(), rows_->rows()) << predictions.dump();
    for (std::size_t i = 0; i < rows_->rows(); ++i)
      EXPECT_EQ(predictions[i].get<std::string>(), expected_label(i)) << i;
  }

  static inline TempDir* dir_ = nullptr;
  static inline Frame* rows_ = nullptr;
  static inline Frame* expected_ = nullptr;
};

TEST_F(Serve, MlflowCsvAndEveryJsonShapeGiveWhatShipmlPredictGives) {
  ServerProcess server({model("churn")});
  const std::string csv = read_file(dir_->file("rows.csv"));
  for (const std::string type : {"text/csv", "application/csv", "text/csv; charset=utf-8"}) {
    const auto r = server.post("/invocations", csv, type);
    ASSERT_EQ(r.status, 200) << r.body;
    expect_labels(json::parse(r.body)["predictions"]);
  }
  json split = {{"columns", rows_->names()}, {"data", json::array()}};
  json rows = json::array();
  for (std::size_t i = 0; i < rows_->rows(); ++i) {
    json row = json::array();
    for (const auto& c : rows_->columns()) row.push_back(cell(c, i));
    split["data"].push_back(row);
    rows.push_back(row);
  }
  json columnar = json::object();
  for (const auto& c : rows_->columns()) {
    columnar[c.name()] = json::array();
    for (std::size_t i = 0; i < rows_->rows(); ++i) columnar[c.name()].push_back(cell(c, i));
  }
  const std::vector<json> bodies = {
      {{"dataframe_split", split}}, {{"dataframe_records", records()}},
      {{"instances", records()}},   {{"instances", rows}},
      {{"inputs", columnar}},       {{"inputs", records()}},
  };
  for (const auto& body : bodies) {
    const auto r = server.post("/invocations", body.dump());
    ASSERT_EQ(r.status, 200) << body.dump().substr(0, 80) << ": " << r.body;
    expect_labels(json::parse(r.body)["predictions"]);
  }
  // MLflow 1 clients: pandas' split and records bodies as they are, told apart by the content type.
  EXPECT_EQ(server.post("/invocations", split.dump(), "application/json; format=pandas-split").status, 200);
  EXPECT_EQ(server.post("/invocations", records().dump(), "application/json; format=pandas-records").status, 200);
}

TEST_F(Serve, PandasToJsonSplitBytesWork) {
  // The exact bytes pandas writes, from Debian's pandas.
  const std::string command = "/usr/bin/python3 -c \"import pandas as pd, sys; "
                              "print(pd.read_csv(sys.argv[1]).to_json(orient='split'))\" " +
                              dir_->file("rows.csv");
  FILE* pipe = ::popen(command.c_str(), "r");
  std::string body;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) body.append(buf, n);
  ASSERT_EQ(::pclose(pipe), 0);
  ASSERT_NE(body.find("\"index\":[0,1,2"), std::string::npos) << body.substr(0, 200);
  ServerProcess server({model("churn")});
  const auto wrapped = server.post("/invocations", "{\"dataframe_split\":" + body + "}");
  ASSERT_EQ(wrapped.status, 200) << wrapped.body;
  expect_labels(json::parse(wrapped.body)["predictions"]);
  const auto bare = server.post("/invocations", body);  // MLflow 1 style, no wrapper
  ASSERT_EQ(bare.status, 200) << bare.body;
  expect_labels(json::parse(bare.body)["predictions"]);
}

TEST_F(Serve, OpenInferenceJsonTensorsGiveLabelsAndProbabilities) {
  ServerProcess server({model("churn")});
  const std::size_t n = rows_->rows();
  // One tensor per feature, flat data; text features as BYTES.
  const json per_column = {{"id", "req-1"}, {"inputs", tensor_per_column(*rows_)}};
  // One [n, features] BYTES matrix in schema order, nested data.
  const json matrix = {{"inputs", bytes_matrix(*rows_)}};
  for (const json& body : {per_column, matrix}) {
    for (const std::string path : {"/v2/models/churn/infer", "/v2/models/churn/versions/1/infer"}) {
      const auto r = server.post(path, body.dump());
      ASSERT_EQ(r.status, 200) << r.body;
      const json out = json::parse(r.body);
      EXPECT_EQ(out["model_name"], "churn");
      EXPECT_EQ(out["model_version"], "1");
      ASSERT_EQ(out["outputs"].size(), 2u);
      EXPECT_EQ(out["outputs"][0]["name"], "predict");
      EXPECT_EQ(out["outputs"][0]["datatype"], "BYTES");
      EXPECT_EQ(out["outputs"][0]["shape"], json({n}));
      expect_labels(out["outputs"][0]["data"]);
      EXPECT_EQ(out["outputs"][1]["name"], "predict_proba");
      EXPECT_EQ(out["outputs"][1]["shape"], json({n, 2}));
      for (std::size_t i = 0; i < n; ++i) {
        // Shortest round-trip text on both sides: the same doubles, bit for bit.
        EXPECT_EQ(out["outputs"][1]["data"][2 * i].get<double>(), expected_proba(i, "no")) << i;
        EXPECT_EQ(out["outputs"][1]["data"][2 * i + 1].get<double>(), expected_proba(i, "yes")) << i;
      }
    }
  }
  EXPECT_EQ(json::parse(server.post("/v2/models/churn/infer", per_column.dump()).body)["id"], "req-1");
}

// Little-endian bytes of a tensor, as numpy's tobytes() gives them.
template <class T>
std::string raw_bytes(const std::vector<T>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}
std::string bytes_tensor(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) {
    const auto n = static_cast<std::uint32_t>(v.size());
    out.append(reinterpret_cast<const char*>(&n), 4);
    out += v;
  }
  return out;
}

TEST_F(Serve, TritonClientBinaryTensorRequestsWork) {
  ServerProcess server({model("churn")});
  const std::size_t n = rows_->rows();
  // What tritonclient.http sends: a JSON header naming each input's binary size,
  // then the tensors back to back (numeric features as FP32 [n, 1], text as BYTES),
  // and with no outputs named, binary_data_output for all of them.
  json header = {{"inputs", json::array()}, {"parameters", {{"binary_data_output", true}}}};
  std::string binary;
  for (const auto& c : rows_->columns()) {
    std::string tensor;
    if (c.is_numeric()) {
      std::vector<float> v(c.values().begin(), c.values().end());
      tensor = raw_bytes(v);
    } else {
      std::vector<std::string> v;
      for (std::size_t i = 0; i < n; ++i) v.push_back(c.text(i));
      tensor = bytes_tensor(v);
    }
    header["inputs"].push_back({{"name", c.name()},
                                {"shape", {n, 1}},
                                {"datatype", c.is_numeric() ? "FP32" : "BYTES"},
                                {"parameters", {{"binary_data_size", tensor.size()}}}});
    binary += tensor;
  }
  const std::string json_text = header.dump();
  const auto r = server.post("/v2/models/churn/infer", json_text + binary, "application/octet-stream",
                             {"Inference-Header-Content-Length: " + std::to_string(json_text.size())});
  ASSERT_EQ(r.status, 200) << r.body;
  const std::size_t json_length = std::stoul(r.header("inference-header-content-length"));
  const json out = json::parse(r.body.substr(0, json_length));
  ASSERT_EQ(out["outputs"].size(), 2u);
  const std::size_t labels_size = out["outputs"][0]["parameters"]["binary_data_size"];
  const std::size_t proba_size = out["outputs"][1]["parameters"]["binary_data_size"];
  ASSERT_EQ(json_length + labels_size + proba_size, r.body.size());
  // Labels: length-prefixed strings.
  std::size_t pos = json_length;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t len;
    std::memcpy(&len, r.body.data() + pos, 4);
    EXPECT_EQ(r.body.substr(pos + 4, len), expected_label(i)) << i;
    pos += 4 + len;
  }
  // Probabilities: FP64 row-major. The inputs went through float32, so only close.
  ASSERT_EQ(proba_size, n * 2 * sizeof(double));
  for (std::size_t i = 0; i < n; ++i) {
    double yes;
    std::memcpy(&yes, r.body.data() + pos + (2 * i + 1) * sizeof(double), sizeof yes);
    EXPECT_NEAR(yes, expected_proba(i, "yes"), 0.02) << i;
  }
  // One output asked for as JSON overrides the request-wide binary flag.
  header["outputs"] = {{{"name", "predict"}, {"parameters", {{"binary_data", false}}}}};
  const std::string json2 = header.dump();
  const auto r2 = server.post("/v2/models/churn/infer", json2 + binary, "application/octet-stream",
                              {"Inference-Header-Content-Length: " + std::to_string(json2.size())});
  ASSERT_EQ(r2.status, 200) << r2.body;
  const json out2 = json::parse(r2.body);
  ASSERT_EQ(out2["outputs"].size(), 1u);
  expect_labels(out2["outputs"][0]["data"]);
}

TEST_F(Serve, RegressionModelsAnswerValues) {
  ServerProcess server({model("concrete")});
  const std::string body = R"({"dataframe_records":[{"cement":540,"blast_furnace_slag":0,"fly_ash":0,"water":162,
    "superplasticizer":2.5,"coarse_aggregate":1040,"fine_aggregate":676,"age":28}]})";
  const auto r = server.post("/invocations", body);
  ASSERT_EQ(r.status, 200) << r.body;
  const Model m = Model::load(model("concrete"));
  Frame f = parse_csv("cement,blast_furnace_slag,fly_ash,water,superplasticizer,coarse_aggregate,fine_aggregate,age\n"
                      "540,0,0,162,2.5,1040,676,28\n");
  EXPECT_EQ(json::parse(r.body)["predictions"][0].get<double>(), m.predict(f).values[0]);
  const auto meta = json::parse(server.get("/v2/models/concrete").body);
  ASSERT_EQ(meta["outputs"].size(), 2u);  // predict, and contributions for those who ask
  EXPECT_EQ(meta["outputs"][0]["datatype"], "FP64");
  EXPECT_EQ(meta["outputs"][1]["name"], "contributions");
  const json infer = {
      {"inputs",
       {{{"name", "x"}, {"shape", {1, 8}}, {"datatype", "FP32"}, {"data", {540, 0, 0, 162, 2.5, 1040, 676, 28}}}}}};
  const auto v2 = server.post("/v2/models/concrete/infer", infer.dump());
  ASSERT_EQ(v2.status, 200) << v2.body;
  EXPECT_NEAR(json::parse(v2.body)["outputs"][0]["data"][0].get<double>(), m.predict(f).values[0], 1e-9);
  EXPECT_EQ(server
                .post("/v2/models/concrete/infer", json({{"inputs",
                                                          {{{"name", "x"},
                                                            {"shape", {1, 8}},
                                                            {"datatype", "FP32"},
                                                            {"data", {540, 0, 0, 162, 2.5, 1040, 676, 28}}}}},
                                                         {"outputs", {{{"name", "predict_proba"}}}}})
                                                       .dump())
                .status,
            400);
}

TEST_F(Serve, HealthMetadataAndMetricsEndpoints) {
  ServerProcess server({model("churn"), "strength:2=" + model("concrete")});
  EXPECT_EQ(server.get("/v2/health/live").body, "{\"live\":true}");
  EXPECT_EQ(server.get("/v2/health/ready").status, 200);
  EXPECT_EQ(server.get("/ping").status, 200);
  EXPECT_EQ(server.get("/health").status, 200);
  EXPECT_EQ(server.get("/version").body, std::string(SHIPML_VERSION) + "\n");
  const json v2 = json::parse(server.get("/v2").body);
  EXPECT_EQ(v2["name"], "shipml");
  EXPECT_EQ(v2["extensions"], json({"binary_tensor_data"}));
  const json meta = json::parse(server.get("/v2/models/churn").body);
  EXPECT_EQ(meta["name"], "churn");
  EXPECT_EQ(meta["versions"], json({"1"}));
  EXPECT_EQ(meta["inputs"].size(), rows_->cols());
  EXPECT_EQ(meta["inputs"][0], json({{"name", "state"}, {"datatype", "BYTES"}, {"shape", {-1}}}));
  EXPECT_EQ(meta["inputs"][1]["datatype"], "FP64");
  EXPECT_EQ(meta["parameters"]["classes"], json({"no", "yes"}));
  EXPECT_EQ(server.get("/v2/models/strength/versions/2").status, 200);
  EXPECT_EQ(json::parse(server.get("/v2/models/strength/versions/2/ready").body)["ready"], true);
  EXPECT_EQ(server.get("/v2/models/strength/versions/1").status, 404);
  EXPECT_EQ(server.get("/v2/models/churn/ready").status, 200);

  for (int i = 0; i < 3; ++i) server.post("/invocations", read_file(dir_->file("rows.csv")), "text/csv");
  server.post("/invocations", "{", "application/json");
  const auto metrics = server.get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& m = metrics.body;
  EXPECT_NE(
      m.find("shipml_requests_total{model=\"churn\",variant=\"primary\",endpoint=\"invocations\",status=\"200\"} 3"),
      std::string::npos)
      << m;
  EXPECT_NE(
      m.find("shipml_requests_total{model=\"churn\",variant=\"primary\",endpoint=\"invocations\",status=\"400\"} 1"),
      std::string::npos);
  EXPECT_NE(m.find("shipml_rows_predicted_total{model=\"churn\",variant=\"primary\"} 120"), std::string::npos);
  EXPECT_NE(
      m.find(
          "shipml_request_duration_seconds_bucket{model=\"churn\",variant=\"primary\",endpoint=\"invocations\",le=\"+Inf\"} 4"),
      std::string::npos);
  EXPECT_NE(m.find("shipml_model_info{model=\"strength\",version=\"2\",variant=\"primary\",estimator=\"linear\""),
            std::string::npos);
  EXPECT_NE(m.find("shipml_requests_in_flight "), std::string::npos);
  EXPECT_NE(m.find("shipml_model_load_seconds{model=\"churn\",version=\"1\"}"), std::string::npos);

  // One JSON line per request in the access log (each event loop writes its own lines,
  // so the order across connections is the order each loop got to them). A loop
  // writes its lines after sending its responses: give the last ones a moment.
  std::string log = server.access_log();
  for (int i = 0; i < 200 && std::count(log.begin(), log.end(), '\n') < 15; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    log = server.access_log();
  }
  std::vector<json> lines;
  std::istringstream in(log);
  for (std::string l; std::getline(in, l);) lines.push_back(json::parse(l));
  EXPECT_GE(lines.size(), 15u);
  const auto live =
      std::find_if(lines.begin(), lines.end(), [](const json& l) { return l["path"] == "/v2/health/live"; });
  ASSERT_NE(live, lines.end()) << log;
  EXPECT_EQ((*live)["method"], "GET");
  EXPECT_EQ((*live)["status"], 200);
  EXPECT_EQ((*live)["remote"], "127.0.0.1");
  const auto invocation = std::find_if(lines.begin(), lines.end(),
                                       [](const json& l) { return l["path"] == "/invocations" && l["status"] == 200; });
  ASSERT_NE(invocation, lines.end());
  EXPECT_EQ((*invocation)["model"], "churn");
  EXPECT_EQ((*invocation)["rows"], 40);
}

TEST_F(Serve, BadRequestsGetClearErrorsInEachProtocolsShape) {
  ServerProcess server({model("churn"), "--max-body", "64KiB"});
  auto mlflow_error = [&](const std::string& body, const std::string& type = "application/json") {
    const auto r = server.post("/invocations", body, type);
    const json j = json::parse(r.body);
    EXPECT_TRUE(j.contains("error_code")) << r.body;
    return std::make_pair(r.status, j.value("message", ""));
  };
  // A missing column, named.
  auto [status, message] = mlflow_error(R"({"dataframe_records":[{"state":"KS"}]})");
  EXPECT_EQ(status, 400);
  EXPECT_NE(message.find("missing column 'account_length'"), std::string::npos) << message;
  // A word where a number was learned: the column and the row.
  json bad_row = records();
  bad_row[2]["total_day_minutes"] = "lots";
  std::tie(status, message) = mlflow_error(json({{"dataframe_records", bad_row}}).dump());
  EXPECT_EQ(status, 400);
  EXPECT_NE(message.find("column 'total_day_minutes' must be numeric, but row 3 has 'lots'"), std::string::npos)
      << message;
  // A number given as text is read as the number; extra columns are ignored; order does not matter.
  json fine = records();
  fine[0]["total_day_minutes"] = "265.1";
  fine[0]["unused_extra"] = 1;
  EXPECT_EQ(server.post("/invocations", json({{"dataframe_records", fine}}).dump()).status, 200);
  // Malformed JSON, with where.
  std::tie(status, message) = mlflow_error("{\"dataframe_records\": [");
  EXPECT_EQ(status, 400);
  EXPECT_NE(message.find("line 1"), std::string::npos);
  EXPECT_EQ(json::parse(server.post("/invocations", "{\"x\":").body)["error_code"], "MALFORMED_REQUEST");
  // Wrong shapes, none of the keys, two keys, deep nesting, huge numbers.
  EXPECT_EQ(mlflow_error(R"({"dataframe_split":{"columns":["state"],"data":[["KS","extra"]]}})").first, 400);
  EXPECT_EQ(mlflow_error(R"({"rows":[]})").first, 400);
  EXPECT_EQ(mlflow_error(R"({"instances":[],"inputs":[]})").first, 400);
  EXPECT_EQ(mlflow_error(std::string(5000, '[') + std::string(5000, ']')).first, 400);
  std::tie(status, message) = mlflow_error(R"({"dataframe_split":{"columns":["account_length"],"data":[[1e999]]}})");
  EXPECT_EQ(status, 400);
  EXPECT_NE(message.find("number overflow parsing '1e999'"), std::string::npos) << message;
  EXPECT_EQ(mlflow_error(R"({"dataframe_records":[{"state":{"nested":1}}]})").first, 400);
  // Content types MLflow does not take: 415.
  EXPECT_EQ(mlflow_error("a,b\n1,2\n", "text/plain").first, 415);
  EXPECT_EQ(mlflow_error("{}", "").first, 415);
  // A CSV error names the line.
  std::tie(status, message) = mlflow_error("state,account_length\n\"KS,1\n", "text/csv");
  EXPECT_EQ(status, 400);
  EXPECT_NE(message.find("request body"), std::string::npos) << message;

  // Open Inference Protocol errors: {"error": ...}.
  auto v2_error = [&](const std::string& path, const json& body) {
    const auto r = server.post(path, body.dump());
    EXPECT_TRUE(json::parse(r.body).contains("error")) << r.body;
    return r.status;
  };
  const json one = {{"inputs", {{{"name", "account_length"}, {"shape", {2}}, {"datatype", "FP64"}, {"data", {1}}}}}};
  EXPECT_EQ(v2_error("/v2/models/churn/infer", one), 400);  // 1 element for shape [2]
  EXPECT_EQ(v2_error("/v2/models/nope/infer", one), 404);
  EXPECT_EQ(v2_error("/v2/models/churn/infer", json::object()), 400);
  EXPECT_EQ(v2_error("/v2/models/churn/infer",
                     {{"inputs", {{{"name", "state"}, {"shape", {1}}, {"datatype", "FP99"}, {"data", {1}}}}}}),
            400);
  EXPECT_EQ(v2_error("/v2/models/churn/infer",
                     {{"inputs", {{{"name", "state"}, {"shape", {1}}, {"datatype", "BYTES"}, {"data", {1}}}}}}),
            400);
  EXPECT_EQ(v2_error("/v2/models/churn/infer",
                     {{"inputs", {{{"name", "state"}, {"shape", {1, 2, 3}}, {"datatype", "BYTES"}, {"data", {"a"}}}}}}),
            400);
  const std::string cut_header =
      R"({"inputs":[{"name":"account_length","shape":[2],"datatype":"FP64","parameters":{"binary_data_size":16}}]})";
  const auto cut = server.post("/v2/models/churn/infer", cut_header + std::string(8, '\0'), "application/octet-stream",
                               {"Inference-Header-Content-Length: " + std::to_string(cut_header.size())});
  EXPECT_EQ(cut.status, 400) << cut.body;

  // HTTP-level errors.
  EXPECT_EQ(server.get("/nowhere").status, 404);
  const auto wrong_method = server.get("/invocations");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.header("allow"), "POST");
  EXPECT_EQ(server.post("/v2/health/live", "").status, 405);
  EXPECT_EQ(server.post("/invocations", std::string(70 * 1024, ' ')).status, 413);
  EXPECT_EQ(server.call("GARBAGE\r\n\r\n").status, 400);
  EXPECT_EQ(server.call("GET / HTTP/3.0\r\n\r\n").status, 505);
  // And the server is still fine.
  EXPECT_EQ(server.get("/v2/health/ready").status, 200);
}

TEST_F(Serve, BearerTokenGuardsEverythingButHealth) {
  TempDir tmp;
  write_file_atomic(tmp.file("token"), "s3cret-token\n");
  ServerProcess server({model("churn"), "--token-file", tmp.file("token")});
  EXPECT_EQ(server.get("/v2/health/ready").status, 200);
  EXPECT_EQ(server.get("/ping").status, 200);
  const auto denied = server.get("/v2/models/churn");
  EXPECT_EQ(denied.status, 401);
  EXPECT_EQ(denied.header("www-authenticate"), "Bearer");
  EXPECT_EQ(server.call(http_request("GET", "/metrics", "", "", {"Authorization: Bearer wrong"})).status, 401);
  EXPECT_EQ(server.call(http_request("GET", "/v2/models/churn", "", "", {"Authorization: Bearer s3cret-token"})).status,
            200);
  const std::string csv = read_file(dir_->file("rows.csv"));
  EXPECT_EQ(server.post("/invocations", csv, "text/csv", {"Authorization: Bearer s3cret-token"}).status, 200);
  EXPECT_EQ(server.post("/invocations", csv, "text/csv").status, 401);
}

TEST_F(Serve, KeepAlivePipeliningContinueAndChunkedBodies) {
  ServerProcess server({model("churn")});
  HttpConnection c(server.port());
  // Two requests in one write: two answers, in order, on the same connection.
  c.send(http_request("GET", "/v2/health/live", "", "") + http_request("GET", "/v2/models/churn/ready", "", ""));
  EXPECT_EQ(c.read_reply().body, "{\"live\":true}");
  EXPECT_EQ(c.read_reply().status, 200);
  // Expect: 100-continue gets the interim answer before the body is sent (curl does this).
  const std::string csv = read_file(dir_->file("rows.csv"));
  c.send("POST /invocations HTTP/1.1\r\nContent-Type: text/csv\r\nExpect: 100-continue\r\nContent-Length: " +
         std::to_string(csv.size()) + "\r\n\r\n");
  EXPECT_EQ(c.read_reply().status, 100);
  c.send(csv);
  EXPECT_EQ(c.read_reply().status, 200);
  // A chunked body.
  c.send("POST /invocations HTTP/1.1\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n" +
         csv.substr(0, 16) + "\r\n" +
         [&] {
           std::ostringstream hex;
           hex << std::hex << csv.size() - 16;
           return hex.str();
         }() +
         "\r\n" + csv.substr(16) + "\r\n0\r\n\r\n");
  const auto chunked = c.read_reply();
  ASSERT_EQ(chunked.status, 200) << chunked.body;
  expect_labels(json::parse(chunked.body)["predictions"]);
  // Connection: close is honoured.
  c.send(http_request("GET", "/ping", "", "", {"Connection: close"}));
  EXPECT_EQ(c.read_reply().header("connection"), "close");
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(Serve, SlowHalfClosedAndVanishingClientsDoNotHurtTheServer) {
  ServerProcess server({model("churn"), "--timeout", "1s"});
  // A request that stops half-way gets 408 once the timeout passes.
  HttpConnection slow(server.port());
  slow.send("POST /invocations HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"dataf");
  const auto timed_out = slow.read_reply();
  EXPECT_EQ(timed_out.status, 408);
  EXPECT_TRUE(slow.closed_by_server());
  // An idle keep-alive connection is closed without a word.
  HttpConnection idle(server.port());
  EXPECT_TRUE(idle.closed_by_server());
  // A client that sends its request and half-closes still gets the answer.
  HttpConnection half(server.port());
  half.send(http_request("GET", "/v2/health/live", "", ""));
  half.shutdown_write();
  EXPECT_EQ(half.read_reply().status, 200);
  // Clients that vanish mid-body or before reading their answer.
  for (int i = 0; i < 20; ++i) {
    HttpConnection gone(server.port());
    gone.send(i % 2 ? "POST /invocations HTTP/1.1\r\nContent-Length: 5000\r\n\r\nabc"
                    : http_request("POST", "/invocations", read_file(dir_->file("rows.csv")), "text/csv"));
  }
  EXPECT_EQ(server.get("/v2/health/live").status, 200);
}

TEST_F(Serve, SighupReloadsAndABrokenFileKeepsTheOldModelServing) {
  TempDir tmp;
  const std::string path = tmp.file("live.shipml");
  std::filesystem::copy_file(model("concrete"), path);
  ServerProcess server({path});
  const std::string body = R"({"instances":[{"cement":540,"blast_furnace_slag":0,"fly_ash":0,"water":162,
    "superplasticizer":2.5,"coarse_aggregate":1040,"fine_aggregate":676,"age":28}]})";
  const double before = json::parse(server.post("/invocations", body).body)["predictions"][0];
  // A new version of the file: a different learner gives a different answer after SIGHUP.
  Model tree("decision_tree", {{"max_depth", "2"}});
  tree.fit(read_dataset(data_path("concrete.csv"), "compressive_strength"));
  tree.save(path);
  server.signal(SIGHUP);
  ASSERT_TRUE(server.wait_for_stderr("reloaded live:1"));
  const double after = json::parse(server.post("/invocations", body).body)["predictions"][0];
  EXPECT_NE(before, after);
  EXPECT_NE(server.get("/metrics").body.find("estimator=\"decision_tree\""), std::string::npos);
  // A broken file: the reload fails, says so, and the last good version keeps answering.
  write_file_atomic(path, "not a model");
  server.signal(SIGHUP);
  ASSERT_TRUE(server.wait_for_stderr("reload of live:1 failed, still serving the previous one"));
  const auto r = server.post("/invocations", body);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["predictions"][0].get<double>(), after);
  EXPECT_NE(server.get("/metrics").body.find("shipml_model_reload_failures_total{model=\"live\"} 1"),
            std::string::npos);
}

TEST_F(Serve, SigtermFinishesTheRequestInFlightAndExitsZero) {
  ServerProcess server({model("churn")});
  const std::string csv = read_file(dir_->file("rows.csv"));
  HttpConnection c(server.port());
  const std::string request = http_request("POST", "/invocations", csv, "text/csv");
  c.send(request.substr(0, request.size() / 2));  // a request half-way through arriving
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  server.signal(SIGTERM);
  ASSERT_TRUE(server.wait_for_stderr("stopping"));
  // New connections are refused from now on...
  EXPECT_THROW(HttpConnection(server.port()).send(http_request("GET", "/ping", "", "")), std::runtime_error);
  // ...but the one in flight is answered, and told the connection closes.
  c.send(request.substr(request.size() / 2));
  const auto r = c.read_reply();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_EQ(server.wait_exit(10), 0);
}

TEST_F(Serve, StartupProblemsAreUsageErrors) {
  const auto missing = run_cli("serve /nonexistent.shipml --check");
  EXPECT_NE(missing.exit_code, 0);
  const auto bad_size = run_cli("serve " + model("churn") + " --max-body lots --check");
  EXPECT_EQ(bad_size.exit_code, 2);
  EXPECT_NE(bad_size.err.find("--max-body 'lots' is not a size"), std::string::npos) << bad_size.err;
  const auto bad_name = run_cli("serve 'a/b=" + model("churn") + "' --check");
  EXPECT_EQ(bad_name.exit_code, 2);
  const auto twice = run_cli("serve " + model("churn") + " " + model("churn") + " --check");
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.err.find("given twice"), std::string::npos);
  const auto ok = run_cli("serve " + model("churn") + " --check");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.err.find("model churn:1 = hist_gbdt"), std::string::npos) << ok.err;
  // A port in use.
  ServerProcess first({model("churn")});
  const auto busy = run_cli("serve " + model("churn") + " --port " + std::to_string(first.port()));
  EXPECT_EQ(busy.exit_code, 2);
  EXPECT_NE(busy.err.find("cannot listen"), std::string::npos) << busy.err;
}

}  // namespace
}  // namespace shipml::test
