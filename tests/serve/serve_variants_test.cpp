// Canary and shadow models behind `shipml serve`: a canary answers its share
// of a name's requests (within binomial tolerance), the same sticky key always
// reaches the same variant over REST and gRPC, and the metrics count each
// variant; a shadow scores every answered row off the request path, its
// agreement equals what the library says of the same rows, its answers are
// logged beside the ones served, and a shadow that cannot score is counted
// without failing a request.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "serve/grpc_client.hpp"
#include "serve/request_bodies.hpp"
#include "serve/server_process.hpp"

namespace shipml::test {
namespace {

using nlohmann::json;

// The value of the series `name{labels}` (labels exactly as rendered); NaN when absent.
double series(const std::string& metrics, const std::string& name, const std::string& labels) {
  const std::string prefix = name + "{" + labels + "} ";
  std::istringstream in(metrics);
  for (std::string l; std::getline(in, l);)
    if (l.starts_with(prefix)) return std::stod(l.substr(prefix.size()));
  return std::nan("");
}

// Rows [first, first + n) of the frame.
Frame rows_of(const Frame& all, std::size_t first, std::size_t n) {
  std::vector<std::size_t> rows(n);
  for (std::size_t i = 0; i < n; ++i) rows[i] = first + i;
  return all.take(rows);
}

std::string v2_body(const Frame& rows) { return json{{"inputs", tensor_per_column(rows)}}.dump(); }

// Two different models of churn.csv: the one served and the one beside it;
// and two models that could not stand beside it (other inputs, another task).
struct ChurnModels {
  TempDir dir;
  Dataset data = read_dataset(data_path("churn.csv"), "churn");
  std::string primary = dir.file("primary.shipml"), other = dir.file("other.shipml");
  std::string iris = dir.file("iris.shipml"), concrete = dir.file("concrete.shipml");
  ChurnModels() {
    Model gbdt("hist_gbdt", {{"n_estimators", "20"}});
    gbdt.fit(data);
    gbdt.save(primary);
    Model logistic("logistic");
    logistic.fit(data);
    logistic.save(other);
    Model flowers("logistic");
    flowers.fit(read_dataset(data_path("iris.csv"), "species"));
    flowers.save(iris);
    Model strength("linear");
    strength.fit(read_dataset(data_path("concrete.csv"), "compressive_strength"));
    strength.save(concrete);
  }
};

TEST(ServeCanary, AnswersItsShareOfRequestsAndTheMetricsCountEachVariant) {
  ChurnModels m;
  ServerProcess server({"churn=" + m.primary, "--canary", "churn=" + m.other + ":20%", "--no-access-log"});
  const Frame features = m.data.features();
  const Model primary = Model::load(m.primary), canary = Model::load(m.other);
  constexpr int kRequests = 600;
  int to_canary = 0;
  for (int i = 0; i < kRequests; ++i) {
    const Frame row = rows_of(features, static_cast<std::size_t>(i), 1);
    const auto r = server.post("/v2/models/churn/infer", v2_body(row));
    ASSERT_EQ(r.status, 200) << r.body;
    const json body = json::parse(r.body);
    const std::string version = body["model_version"];
    ASSERT_EQ(r.header("x-model-version"), version);
    ASSERT_TRUE(version == "1" || version == "canary") << version;
    to_canary += version == "canary";
    // Each answer is the answering model's own prediction of the row.
    const Model& answered = version == "canary" ? canary : primary;
    EXPECT_EQ(body["outputs"][0]["data"][0].get<std::string>(), answered.predict(row).label(0)) << "row " << i;
  }
  // 20% of 600: 120, binomial standard deviation 9.8; four of them either way.
  EXPECT_GE(to_canary, 81);
  EXPECT_LE(to_canary, 159);
  const std::string metrics = server.get("/metrics").body;
  EXPECT_EQ(series(metrics, "shipml_requests_total",
                   "model=\"churn\",variant=\"canary\",endpoint=\"v2_infer\",status=\"200\""),
            to_canary);
  EXPECT_EQ(series(metrics, "shipml_requests_total",
                   "model=\"churn\",variant=\"primary\",endpoint=\"v2_infer\",status=\"200\""),
            kRequests - to_canary);
  EXPECT_EQ(series(metrics, "shipml_rows_predicted_total", "model=\"churn\",variant=\"canary\""), to_canary);
  EXPECT_NE(
      metrics.find("shipml_model_info{model=\"churn\",version=\"canary\",variant=\"canary\",estimator=\"logistic\""),
      std::string::npos);
  // Asked for by version, a variant answers every time.
  for (const char* version : {"1", "canary"}) {
    const auto r =
        server.post(std::string("/v2/models/churn/versions/") + version + "/infer", v2_body(rows_of(features, 0, 1)));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json::parse(r.body)["model_version"], version);
  }
}

TEST(ServeCanary, TheSameKeyAlwaysReachesTheSameVariantOverRestAndGrpc) {
  ChurnModels m;
  ServerProcess server({"churn=" + m.primary, "--canary", "churn=" + m.other + ":30%", "--canary-header", "X-User-Id",
                        "--no-access-log", "--grpc-port", "0"});
  GrpcClient grpc(grpc_port(server));
  const Frame row = rows_of(m.data.features(), 0, 1);
  const std::string csv = to_csv(row);
  const inference::ModelInferRequest grpc_request = typed_infer_request(row, "churn");
  constexpr int kKeys = 200;
  int keys_to_canary = 0;
  for (int k = 0; k < kKeys; ++k) {
    const std::string key = "user-" + std::to_string(k);
    std::set<std::string> versions;
    for (int i = 0; i < 3; ++i) {
      const auto r = server.post("/invocations", csv, "text/csv", {"X-User-Id: " + key});
      ASSERT_EQ(r.status, 200) << r.body;
      versions.insert(r.header("x-model-version"));
    }
    inference::ModelInferResponse answer;
    ASSERT_TRUE(
        grpc.call(&inference::GRPCInferenceService::Stub::ModelInfer, grpc_request, answer, {{"x-user-id", key}}).ok());
    versions.insert(answer.model_version());
    ASSERT_EQ(versions.size(), 1u) << key << " reached more than one variant";
    keys_to_canary += *versions.begin() == "canary";
  }
  // 30% of 200 keys: 60, binomial standard deviation 6.5; four of them either way.
  EXPECT_GE(keys_to_canary, 35);
  EXPECT_LE(keys_to_canary, 85);
  const std::string metrics = server.get("/metrics").body;
  EXPECT_EQ(series(metrics, "shipml_requests_total",
                   "model=\"churn\",variant=\"canary\",endpoint=\"grpc_model_infer\",status=\"200\""),
            keys_to_canary);
  EXPECT_EQ(series(metrics, "shipml_requests_total",
                   "model=\"churn\",variant=\"canary\",endpoint=\"invocations\",status=\"200\""),
            3 * keys_to_canary);
}

// Polls /metrics until `name{labels}` reaches `value` (the shadow scores off the request path).
std::string metrics_when(const ServerProcess& server, const std::string& name, const std::string& labels,
                         double value) {
  std::string metrics;
  for (int i = 0; i < 200; ++i) {
    metrics = server.get("/metrics").body;
    if (series(metrics, name, labels) == value) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return metrics;
}

TEST(ServeShadow, ScoresEveryAnsweredRowAgreesAsTheLibraryDoesAndIsLoggedBesideTheAnswer) {
  ChurnModels m;
  const std::string log = m.dir.file("predictions.jsonl");
  ServerProcess server(
      {"churn=" + m.primary, "--shadow", "churn=" + m.other, "--no-access-log", "--log-predictions", log});
  const Frame features = m.data.features();
  constexpr std::size_t kRequests = 10, kRows = 50;
  std::set<std::string> request_ids;
  for (std::size_t i = 0; i < kRequests; ++i) {
    const auto r = i % 2 ? server.post("/v2/models/churn/infer", v2_body(rows_of(features, i * kRows, kRows)))
                         : server.post("/invocations", to_csv(rows_of(features, i * kRows, kRows)), "text/csv");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("x-model-version"), "1");  // a shadow never answers
    request_ids.insert(r.header("x-request-id"));
  }
  const std::string labels = "model=\"churn\",version=\"shadow\",against=\"primary\"";
  const std::string metrics = metrics_when(server, "shipml_shadow_rows_total", labels, kRequests * kRows);
  ASSERT_EQ(series(metrics, "shipml_shadow_rows_total", labels), kRequests * kRows) << metrics;

  // The agreement the library computes on the same rows.
  const Frame sent = rows_of(features, 0, kRequests * kRows);
  const Predictions served = Model::load(m.primary).predict(sent), shadow = Model::load(m.other).predict(sent);
  int agreeing = 0;
  for (std::size_t i = 0; i < sent.rows(); ++i) agreeing += served.label(i) == shadow.label(i);
  ASSERT_LT(agreeing, static_cast<int>(sent.rows()));  // the two models do disagree somewhere
  EXPECT_EQ(series(metrics, "shipml_shadow_agreeing_rows_total", labels), agreeing);
  EXPECT_DOUBLE_EQ(series(metrics, "shipml_shadow_agreement", labels), static_cast<double>(agreeing) / sent.rows());
  EXPECT_EQ(series(metrics, "shipml_shadow_failed_total", labels), 0);
  EXPECT_NE(metrics.find("shipml_shadow_dropped_total 0\n"), std::string::npos);

  // Stopping writes what is queued: one record per request for each model, under the same request id.
  server.signal(SIGTERM);
  ASSERT_EQ(server.wait_exit(15), 0) << server.stderr_text();
  std::map<std::string, std::set<std::string>> versions_by_id;
  std::istringstream in(read_file(log));
  int shadow_rows = 0;
  for (std::string line; std::getline(in, line);) {
    const json record = json::parse(line);
    versions_by_id[record["request_id"]].insert(record["model_version"].get<std::string>());
    if (record["endpoint"] == "shadow") {
      EXPECT_EQ(record["model_version"], "shadow");
      for (const auto& p : record["outputs"]["predictions"]) shadow_rows += p.is_string();
    }
  }
  EXPECT_EQ(versions_by_id.size(), kRequests);
  for (const auto& id : request_ids) EXPECT_EQ(versions_by_id[id], (std::set<std::string>{"1", "shadow"})) << id;
  EXPECT_EQ(shadow_rows, static_cast<int>(kRequests * kRows));
}

TEST(ServeShadow, AShadowThatCannotScoreTheRowsIsCountedAndNoRequestFails) {
  ChurnModels m;
  ServerProcess server({"churn=" + m.primary, "--shadow", "churn:2=" + m.iris, "--no-access-log"});
  for (int i = 0; i < 5; ++i) {
    const auto r = server.post("/invocations", to_csv(rows_of(m.data.features(), 0, 3)), "text/csv");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  const std::string labels = "model=\"churn\",version=\"2\",against=\"primary\"";
  const std::string metrics = metrics_when(server, "shipml_shadow_failed_total", labels, 5);
  EXPECT_EQ(series(metrics, "shipml_shadow_failed_total", labels), 5) << metrics;
  EXPECT_EQ(series(metrics, "shipml_shadow_rows_total", labels), 0);
}

TEST(ServeShadow, ComparesWithTheVariantThatAnsweredEach) {
  ChurnModels m;
  // The shadow is the canary's file: it agrees with every canary answer, and
  // with the primary's as the library says.
  ServerProcess server({"churn=" + m.primary, "--canary", "churn=" + m.other + ":50%", "--shadow", "churn=" + m.other,
                        "--no-access-log"});
  const Frame features = m.data.features();
  const Predictions served = Model::load(m.primary).predict(features), shadow = Model::load(m.other).predict(features);
  constexpr std::size_t kRequests = 60, kRows = 5;
  std::size_t canary_rows = 0, primary_rows = 0, primary_agreeing = 0;
  for (std::size_t i = 0; i < kRequests; ++i) {
    const auto r = server.post("/invocations", to_csv(rows_of(features, i * kRows, kRows)), "text/csv");
    ASSERT_EQ(r.status, 200) << r.body;
    if (r.header("x-model-version") == "canary") {
      canary_rows += kRows;
      continue;
    }
    primary_rows += kRows;
    for (std::size_t row = i * kRows; row < (i + 1) * kRows; ++row)
      primary_agreeing += served.label(row) == shadow.label(row);
  }
  ASSERT_GT(canary_rows, 0u);
  ASSERT_GT(primary_rows, 0u);
  const std::string canary = "model=\"churn\",version=\"shadow\",against=\"canary\"";
  const std::string primary = "model=\"churn\",version=\"shadow\",against=\"primary\"";
  std::string metrics = metrics_when(server, "shipml_shadow_rows_total", canary, canary_rows);
  metrics = metrics_when(server, "shipml_shadow_rows_total", primary, primary_rows);
  EXPECT_EQ(series(metrics, "shipml_shadow_rows_total", canary), canary_rows) << metrics;
  EXPECT_EQ(series(metrics, "shipml_shadow_agreement", canary), 1);
  EXPECT_EQ(series(metrics, "shipml_shadow_rows_total", primary), primary_rows);
  EXPECT_EQ(series(metrics, "shipml_shadow_agreeing_rows_total", primary), primary_agreeing);
}

TEST(ServeVariants, BadCanaryAndShadowFlagsAreRefusedNamingTheFlag) {
  ChurnModels m;
  const std::string base = "serve churn=" + m.primary + " --check ";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--canary churn=" + m.other + ":0%", "above 0% and at most 100%"},
      {"--canary churn=" + m.other + ":150%", "above 0% and at most 100%"},
      {"--canary churn=" + m.other, "must end with the share of requests"},
      {"--canary churn=" + m.other + ":ten%", "must end with the share of requests"},
      {"--canary other=" + m.other + ":10%", "no model 'other' is served"},
      {"--shadow other=" + m.other, "no model 'other' is served"},
      {"--canary churn=" + m.other + ":10% --canary churn:3=" + m.other + ":5%", "has a canary already"},
      {"--shadow churn:1=" + m.other, "version 1 is given twice"},
      {"--shadow-queue 5", "--shadow-queue is used with --shadow"},
      {"--canary-header X-User-Id", "--canary-header is used with --canary"},
      {"--canary churn=" + m.other + ":10% --canary-header 'X User'", "is not a header name"},
      {"--canary churn=" + m.iris + ":10%", "cannot answer churn's requests: its input columns"},
      {"--canary churn=" + m.concrete + ":10%", "cannot answer churn's requests: it is a regression model"},
  };
  for (const auto& [flags, message] : cases) {
    const auto r = run_cli(base + flags);
    EXPECT_NE(r.exit_code, 0) << flags;
    EXPECT_NE(r.err.find(message), std::string::npos) << flags << ": " << r.err;
  }
  // Each --canary and --shadow takes one value: the model may follow them.
  const auto ok = run_cli("serve --canary churn=" + m.other + ":12.5% --shadow churn=" + m.other +
                          " churn=" + m.primary + " --check");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.err.find("canary answering 12.5% of churn's requests"), std::string::npos) << ok.err;
  EXPECT_NE(ok.err.find("model churn:shadow = logistic classification"), std::string::npos) << ok.err;
}

}  // namespace
}  // namespace shipml::test
