// `shipml serve --grpc-port`: the Open Inference Protocol over gRPC against a
// real server process on 127.0.0.1, with the stubs any KServe or Triton client
// generates. Every RPC; typed and raw tensors give REST's numbers bit for bit;
// errors get the status codes the protocol's clients expect; the token, the
// metrics, the drift window, the prediction log and reloads are shared with the REST side.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "serve/grpc_client.hpp"
#include "serve/request_bodies.hpp"

namespace shipml::test {
namespace {

using inference::GRPCInferenceService;
using nlohmann::json;
using Stub = GRPCInferenceService::Stub;

// Models and rows shared by every test, trained once.
class Grpc : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    Model churn("hist_gbdt", {{"n_estimators", "20"}});
    churn.fit(read_dataset(data_path("churn.csv"), "churn"));
    churn.save(dir_->file("churn.shipml"));
    Model concrete("linear");
    concrete.fit(read_dataset(data_path("concrete.csv"), "compressive_strength"));
    concrete.save(dir_->file("concrete.shipml"));
    const Frame all = read_csv(data_path("churn.csv"));
    std::vector<std::size_t> first(25);
    for (std::size_t i = 0; i < first.size(); ++i) first[i] = i;
    rows_ = new Frame(all.take(first).without("churn"));
  }
  static void TearDownTestSuite() {
    delete rows_;
    delete dir_;
  }
  static std::string model(const std::string& name) { return dir_->file(name + ".shipml"); }

  static inference::ModelInferRequest typed_request(const Frame& rows, const std::string& model_name) {
    return typed_infer_request(rows, model_name);
  }
  // The same tensors with their data in raw_input_contents, as tritonclient sends them.
  static inference::ModelInferRequest raw_request(const Frame& rows, const std::string& model_name) {
    inference::ModelInferRequest r = typed_request(rows, model_name);
    for (auto& t : *r.mutable_inputs()) {
      std::string bytes;
      for (const double v : t.contents().fp64_contents()) bytes.append(reinterpret_cast<const char*>(&v), 8);
      for (const auto& s : t.contents().bytes_contents()) {
        const auto n = static_cast<std::uint32_t>(s.size());
        bytes.append(reinterpret_cast<const char*>(&n), 4);
        bytes += s;
      }
      t.clear_contents();
      r.add_raw_input_contents(bytes);
    }
    return r;
  }
  // One [rows, features] BYTES tensor, every cell as text, row by row.
  static inference::ModelInferRequest matrix_request(const Frame& rows, const std::string& model_name) {
    inference::ModelInferRequest r;
    r.set_model_name(model_name);
    auto* t = r.add_inputs();
    t->set_name("rows");
    t->set_datatype("BYTES");
    t->add_shape(static_cast<std::int64_t>(rows.rows()));
    t->add_shape(static_cast<std::int64_t>(rows.cols()));
    for (std::size_t i = 0; i < rows.rows(); ++i)
      for (const auto& c : rows.columns()) t->mutable_contents()->add_bytes_contents(c.text(i));
    return r;
  }

  // An FP64 output's elements, from its raw bytes.
  static std::vector<double> doubles(const std::string& raw) {
    std::vector<double> out(raw.size() / 8);
    std::memcpy(out.data(), raw.data(), out.size() * 8);
    return out;
  }
  // A BYTES output's elements.
  static std::vector<std::string> texts(const std::string& raw) {
    std::vector<std::string> out;
    for (std::size_t pos = 0; pos + 4 <= raw.size();) {
      std::uint32_t n = 0;
      std::memcpy(&n, raw.data() + pos, 4);
      out.push_back(raw.substr(pos + 4, n));
      pos += 4 + n;
    }
    return out;
  }
  // REST's answer for the same rows (one tensor per column, JSON numbers).
  static json rest_outputs(ServerProcess& server, const std::string& model_name, const Frame& rows) {
    const auto r =
        server.post("/v2/models/" + model_name + "/infer", json({{"inputs", tensor_per_column(rows)}}).dump());
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body)["outputs"];
  }
  // Doubles equal bit for bit (EXPECT_EQ on doubles would let -0 == 0 through).
  static void expect_same_bits(const std::vector<double>& grpc, const json& rest) {
    ASSERT_EQ(grpc.size(), rest.size());
    for (std::size_t i = 0; i < grpc.size(); ++i) {
      const double r = rest[i].get<double>();
      EXPECT_EQ(std::memcmp(&grpc[i], &r, 8), 0) << i << ": " << grpc[i] << " vs " << r;
    }
  }

  static inline TempDir* dir_ = nullptr;
  static inline Frame* rows_ = nullptr;
};

TEST_F(Grpc, EveryRpcAnswers) {
  ServerProcess server({model("churn"), "--grpc-port", "0"});
  GrpcClient client(grpc_port(server));
  inference::ServerLiveResponse live;
  ASSERT_TRUE(client.call(&Stub::ServerLive, inference::ServerLiveRequest(), live).ok());
  EXPECT_TRUE(live.live());
  inference::ServerReadyResponse ready;
  ASSERT_TRUE(client.call(&Stub::ServerReady, inference::ServerReadyRequest(), ready).ok());
  EXPECT_TRUE(ready.ready());
  inference::ServerMetadataResponse server_metadata;
  ASSERT_TRUE(client.call(&Stub::ServerMetadata, inference::ServerMetadataRequest(), server_metadata).ok());
  EXPECT_EQ(server_metadata.name(), "shipml");
  EXPECT_EQ(server_metadata.version(), SHIPML_VERSION);

  inference::ModelReadyRequest ready_request;
  ready_request.set_name("churn");
  inference::ModelReadyResponse model_ready;
  ASSERT_TRUE(client.call(&Stub::ModelReady, ready_request, model_ready).ok());
  EXPECT_TRUE(model_ready.ready());

  // Metadata: what REST's GET /v2/models/churn says, inputs in schema order.
  inference::ModelMetadataRequest metadata_request;
  metadata_request.set_name("churn");
  inference::ModelMetadataResponse metadata;
  ASSERT_TRUE(client.call(&Stub::ModelMetadata, metadata_request, metadata).ok());
  const json rest = json::parse(server.get("/v2/models/churn").body);
  EXPECT_EQ(metadata.name(), "churn");
  EXPECT_EQ(metadata.platform(), "shipml");
  ASSERT_EQ(metadata.versions_size(), 1);
  EXPECT_EQ(metadata.versions(0), "1");
  ASSERT_EQ(static_cast<std::size_t>(metadata.inputs_size()), rest["inputs"].size());
  for (int i = 0; i < metadata.inputs_size(); ++i) {
    EXPECT_EQ(metadata.inputs(i).name(), rest["inputs"][i]["name"]);
    EXPECT_EQ(metadata.inputs(i).datatype(), rest["inputs"][i]["datatype"]);
    EXPECT_EQ(metadata.inputs(i).shape(0), -1);
  }
  ASSERT_EQ(metadata.outputs_size(), 2);
  EXPECT_EQ(metadata.outputs(0).name(), "predict");
  EXPECT_EQ(metadata.outputs(1).name(), "predict_proba");
  EXPECT_EQ(metadata.outputs(1).shape(1), 2);

  inference::ModelInferRequest infer = typed_request(*rows_, "churn");
  infer.set_id("req-7");
  inference::ModelInferResponse answer;
  const auto status = client.call(&Stub::ModelInfer, infer, answer);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(answer.model_name(), "churn");
  EXPECT_EQ(answer.model_version(), "1");
  EXPECT_EQ(answer.id(), "req-7");
  ASSERT_EQ(answer.outputs_size(), 2);
  EXPECT_EQ(answer.outputs(0).name(), "predict");
  EXPECT_EQ(answer.outputs(0).datatype(), "BYTES");
  EXPECT_EQ(answer.outputs(0).shape(0), static_cast<std::int64_t>(rows_->rows()));
  EXPECT_EQ(answer.outputs(1).datatype(), "FP64");
  ASSERT_EQ(answer.raw_output_contents_size(), 2);
}

TEST_F(Grpc, TypedRawAndMatrixTensorsGiveRestsNumbersBitForBit) {
  ServerProcess server({model("churn"), model("concrete"), "--grpc-port", "0"});
  GrpcClient client(grpc_port(server));
  const json rest = rest_outputs(server, "churn", *rows_);
  for (const auto& request :
       {typed_request(*rows_, "churn"), raw_request(*rows_, "churn"), matrix_request(*rows_, "churn")}) {
    inference::ModelInferResponse answer;
    const auto status = client.call(&Stub::ModelInfer, request, answer);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(answer.raw_output_contents_size(), 2);
    EXPECT_EQ(texts(answer.raw_output_contents(0)), rest[0]["data"].get<std::vector<std::string>>());
    EXPECT_EQ(answer.outputs(1).shape(1), 2);
    expect_same_bits(doubles(answer.raw_output_contents(1)), rest[1]["data"]);
  }
  // Only the output asked for.
  inference::ModelInferRequest proba_only = raw_request(*rows_, "churn");
  proba_only.add_outputs()->set_name("predict_proba");
  inference::ModelInferResponse answer;
  ASSERT_TRUE(client.call(&Stub::ModelInfer, proba_only, answer).ok());
  ASSERT_EQ(answer.outputs_size(), 1);
  EXPECT_EQ(answer.outputs(0).name(), "predict_proba");
  expect_same_bits(doubles(answer.raw_output_contents(0)), rest[1]["data"]);

  // A regressor: FP64 values, and FP32 inputs read as REST reads them.
  const Frame concrete = read_csv(data_path("concrete.csv")).without("compressive_strength");
  std::vector<std::size_t> first(30);
  for (std::size_t i = 0; i < first.size(); ++i) first[i] = i;
  const Frame rows = concrete.take(first);
  const json rest_values = rest_outputs(server, "concrete", rows);
  inference::ModelInferResponse values;
  ASSERT_TRUE(client.call(&Stub::ModelInfer, typed_request(rows, "concrete"), values).ok());
  ASSERT_EQ(values.outputs_size(), 1);
  EXPECT_EQ(values.outputs(0).datatype(), "FP64");
  expect_same_bits(doubles(values.raw_output_contents(0)), rest_values[0]["data"]);
}

TEST_F(Grpc, ErrorsGetTheProtocolsStatusCodesAndRestsMessages) {
  ServerProcess server({model("churn"), "--grpc-port", "0"});
  GrpcClient client(grpc_port(server));
  auto infer = [&](const inference::ModelInferRequest& request) {
    inference::ModelInferResponse answer;
    return client.call(&Stub::ModelInfer, request, answer);
  };
  EXPECT_EQ(infer(typed_request(*rows_, "nope")).error_code(), grpc::StatusCode::NOT_FOUND);
  inference::ModelMetadataRequest missing;
  missing.set_name("nope");
  inference::ModelMetadataResponse metadata;
  EXPECT_EQ(client.call(&Stub::ModelMetadata, missing, metadata).error_code(), grpc::StatusCode::NOT_FOUND);

  // Bad shape: more elements than the shape holds; a [rows, 3] tensor fits no layout.
  auto too_many = typed_request(*rows_, "churn");
  too_many.mutable_inputs(0)->set_shape(0, 2);
  const auto shape_status = infer(too_many);
  EXPECT_EQ(shape_status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(shape_status.error_message().find("elements but its shape holds 2"), std::string::npos)
      << shape_status.error_message();
  auto three_wide = typed_request(*rows_, "churn");
  three_wide.mutable_inputs(0)->add_shape(3);
  EXPECT_EQ(infer(three_wide).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // Bad datatype: unknown, and data in the wrong contents field.
  auto unknown = typed_request(*rows_, "churn");
  unknown.mutable_inputs(0)->set_datatype("COMPLEX128");
  const auto unknown_status = infer(unknown);
  EXPECT_EQ(unknown_status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // The REST side's message, word for word.
  json rest_body = {{"inputs", tensor_per_column(*rows_)}};
  rest_body["inputs"][0]["datatype"] = "COMPLEX128";
  const auto rest = server.post("/v2/models/churn/infer", rest_body.dump());
  EXPECT_EQ(rest.status, 400);
  EXPECT_EQ(unknown_status.error_message(), json::parse(rest.body)["error"]);
  auto wrong_field = typed_request(*rows_, "churn");
  for (auto& t : *wrong_field.mutable_inputs())
    if (t.datatype() == "FP64") t.set_datatype("FP32");
  const auto field_status = infer(wrong_field);
  EXPECT_EQ(field_status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(field_status.error_message().find("fp32_contents"), std::string::npos) << field_status.error_message();

  // The schema: a feature left out is named, as every front door names it.
  auto short_request = typed_request(*rows_, "churn");
  const std::string dropped = short_request.inputs(0).name();
  short_request.mutable_inputs()->erase(short_request.mutable_inputs()->begin());
  const auto schema_status = infer(short_request);
  EXPECT_EQ(schema_status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(schema_status.error_message().find(dropped), std::string::npos) << schema_status.error_message();

  // raw_input_contents that do not match the inputs.
  auto raw = raw_request(*rows_, "churn");
  raw.mutable_raw_input_contents()->RemoveLast();
  EXPECT_EQ(infer(raw).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto cut = raw_request(*rows_, "churn");
  cut.mutable_raw_input_contents(0)->pop_back();
  EXPECT_EQ(infer(cut).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // And the server still answers.
  EXPECT_TRUE(infer(typed_request(*rows_, "churn")).ok());
}

TEST_F(Grpc, TheBearerTokenGuardsEverythingButHealth) {
  TempDir tmp;
  write_file_atomic(tmp.file("token"), "s3cret-token\n");
  ServerProcess server({model("churn"), "--token-file", tmp.file("token"), "--grpc-port", "0"});
  const int port = grpc_port(server);
  for (const std::string token : {"", "wrong"}) {
    GrpcClient client(port, token);
    inference::ModelInferResponse answer;
    EXPECT_EQ(client.call(&Stub::ModelInfer, typed_request(*rows_, "churn"), answer).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
    inference::ServerMetadataResponse metadata;
    EXPECT_EQ(client.call(&Stub::ServerMetadata, inference::ServerMetadataRequest(), metadata).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
    inference::ServerLiveResponse live;
    EXPECT_TRUE(client.call(&Stub::ServerLive, inference::ServerLiveRequest(), live).ok());
  }
  GrpcClient client(port, "s3cret-token");
  inference::ModelInferResponse answer;
  EXPECT_TRUE(client.call(&Stub::ModelInfer, typed_request(*rows_, "churn"), answer).ok());
}

TEST_F(Grpc, MetricsAndReloadsAreSharedWithRest) {
  TempDir tmp;
  const std::string path = tmp.file("live.shipml");
  std::filesystem::copy_file(model("concrete"), path);
  ServerProcess server({path, "--grpc-port", "0"});
  GrpcClient client(grpc_port(server));
  const Frame all = read_csv(data_path("concrete.csv")).without("compressive_strength");
  const std::vector<std::size_t> first_row = {0};
  const Frame row = all.take(first_row);
  auto grpc_value = [&] {
    inference::ModelInferResponse answer;
    const auto status = client.call(&Stub::ModelInfer, typed_request(row, "live"), answer);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return doubles(answer.raw_output_contents(0)).at(0);
  };
  const double before = grpc_value();
  expect_same_bits({before}, rest_outputs(server, "live", row)[0]["data"]);
  // Counted with REST's requests, under the gRPC endpoint's name.
  const std::string metrics = server.get("/metrics").body;
  EXPECT_NE(metrics.find("endpoint=\"grpc_model_infer\""), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("endpoint=\"v2_infer\""), std::string::npos) << metrics;
  // Both protocols' rows go into the model's one drift window.
  EXPECT_NE(metrics.find("shipml_drift_window_rows{model=\"live\",version=\"1\"} 2\n"), std::string::npos) << metrics;

  Model tree("decision_tree", {{"max_depth", "2"}});
  tree.fit(read_dataset(data_path("concrete.csv"), "compressive_strength"));
  tree.save(path);
  server.signal(SIGHUP);
  ASSERT_TRUE(server.wait_for_stderr("reloaded live:1"));
  const double after = grpc_value();
  EXPECT_NE(before, after);
  expect_same_bits({after}, rest_outputs(server, "live", row)[0]["data"]);
}

TEST_F(Grpc, PredictionsAreLoggedUnderTheRequestIdSentOrMadeUp) {
  TempDir tmp;
  const std::string log = tmp.file("predictions.jsonl");
  ServerProcess server({model("churn"), "--grpc-port", "0", "--log-predictions", log, "--no-access-log"});
  GrpcClient client(grpc_port(server));
  // Returns the x-request-id the server answered with.
  auto infer = [&](const std::string& sent) {
    grpc::ClientContext context;
    if (!sent.empty()) context.AddMetadata("x-request-id", sent);
    inference::ModelInferResponse answer;
    const auto status = client.stub().ModelInfer(&context, typed_request(*rows_, "churn"), &answer);
    EXPECT_TRUE(status.ok()) << status.error_message();
    const auto& metadata = context.GetServerInitialMetadata();
    const auto it = metadata.find("x-request-id");
    return it == metadata.end() ? std::string() : std::string(it->second.data(), it->second.size());
  };
  EXPECT_EQ(infer("grpc-client-7"), "grpc-client-7");
  const std::string made_up = infer("");
  EXPECT_EQ(made_up.size(), 32u);
  {  // An id REST would refuse is refused here too.
    grpc::ClientContext context;
    context.AddMetadata("x-request-id", std::string(200, 'x'));
    inference::ModelInferResponse answer;
    EXPECT_EQ(client.stub().ModelInfer(&context, typed_request(*rows_, "churn"), &answer).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  server.signal(SIGTERM);
  ASSERT_EQ(server.wait_exit(15), 0) << server.stderr_text();
  std::istringstream in(read_file(log));
  std::vector<std::string> ids;
  for (std::string line; std::getline(in, line);) {
    const json record = json::parse(line);
    EXPECT_EQ(record["endpoint"], "grpc_model_infer");
    EXPECT_EQ(record["inputs"].size(), rows_->rows());
    EXPECT_EQ(record["outputs"]["predictions"].size(), rows_->rows());
    ids.push_back(record["request_id"]);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"grpc-client-7", made_up}));
}

}  // namespace
}  // namespace shipml::test
