// A bounded soak: several clients at once mix valid requests, malformed ones and
// clients that vanish, while the model file is replaced and reloaded (SIGHUP)
// over and over with a canary and a shadow model set beside it, and a gRPC
// client sends valid and malformed ModelInfer calls beside them. It ends with zero errors for valid requests, zero 5xx
// for anything, and a server that still answers and stops cleanly. Under the test build's sanitizers, any memory error
// in the server fails it too. SHIPML_SOAK_SECONDS sets the length (default 15).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "serve/grpc_client.hpp"
#include "serve/server_process.hpp"

namespace shipml::test {
namespace {

TEST(ServeSoak, MixedTrafficWithReloadsEndsWithNoServerErrors) {
  const double seconds = std::getenv("SHIPML_SOAK_SECONDS") ? std::atof(std::getenv("SHIPML_SOAK_SECONDS")) : 15;
  TempDir tmp;
  const Dataset churn = read_dataset(data_path("churn.csv"), "churn");
  for (const char* n : {"10", "20"}) {
    Model m("hist_gbdt", {{"n_estimators", n}});
    m.fit(churn);
    m.save(tmp.file(std::string("v") + n + ".shipml"));
  }
  const std::string live = tmp.file("churn.shipml");
  std::filesystem::copy_file(tmp.file("v10.shipml"), live);
  std::vector<std::size_t> first(5);
  for (std::size_t i = 0; i < first.size(); ++i) first[i] = i;
  const std::string csv = to_csv(churn.frame.take(first).without("churn"));

  // The canary answers 30% of the requests and the shadow scores them all: a
  // reload swaps all three while requests (and shadow scoring) are under way.
  // A sample of the answers, the shadow's among them, goes to the prediction log.
  ServerProcess server({live, "--timeout", "2s", "--no-access-log", "--grpc-port", "0", "--canary",
                        "churn=" + tmp.file("v20.shipml") + ":30%", "--shadow", "churn=" + tmp.file("v10.shipml"),
                        "--log-predictions", tmp.file("predictions.jsonl"), "--sample", "0.2"});
  const int port = server.port();
  const int grpc = grpc_port(server);
  std::atomic<bool> done{false};
  std::atomic<long> valid_ok{0}, valid_failed{0}, server_errors{0}, malformed_answered{0};

  auto client = [&](std::uint64_t seed) {
    Random rng(seed);
    while (!done.load()) {
      const auto kind = rng.below(10);
      try {
        if (kind < 6) {  // valid, on a keep-alive connection
          HttpConnection c(port);
          for (int i = 0; i < 5; ++i) {
            const bool v2 = rng.below(2) == 0;
            const std::string raw =
                v2 ? http_request("POST", "/v2/models/churn/infer",
                                  R"({"inputs":[{"name":"state","shape":[1],"datatype":"BYTES","data":["KS"]},)"
                                  R"({"name":"account_length","shape":[1],"datatype":"FP64","data":[128]}]})")
                   : http_request("POST", "/invocations", csv, "text/csv");
            c.send(raw);
            const auto r = c.read_reply();
            // The v2 request lacks most columns on purpose: a 400 is its right answer.
            if (r.status == (v2 ? 400 : 200)) ++valid_ok;
            else ++valid_failed;
            if (r.status >= 500) ++server_errors;
          }
        } else if (kind < 9) {  // malformed: random bytes, cut JSON, lies about lengths
          HttpConnection c(port, 3);
          std::string junk;
          const auto choice = rng.below(3);
          if (choice == 0) {
            for (std::size_t i = 0, n = 1 + rng.below(300); i < n; ++i) junk += static_cast<char>(rng.below(256));
            junk += "\r\n\r\n";
          } else if (choice == 1) {
            junk = http_request("POST", "/invocations", csv.substr(0, rng.below(csv.size())),
                                rng.below(2) ? "text/csv" : "application/json");
          } else {
            junk = http_request("POST", "/v2/models/churn/infer", "{\"inputs\":[{\"name\":1}]}");
          }
          c.send(junk);
          const auto r = c.read_reply();
          if (r.status >= 500) ++server_errors;
          if (r.status >= 400) ++malformed_answered;
        } else {  // vanish half-way
          HttpConnection c(port);
          c.send("POST /invocations HTTP/1.1\r\nContent-Type: text/csv\r\nContent-Length: 900\r\n\r\n" +
                 csv.substr(0, 20));
        }
      } catch (const std::exception&) {
        // A refused or reset connection is the client's problem here; the checks below are the server's.
      }
    }
  };
  // gRPC: five full rows (OK) or a tensor whose data does not fit its shape
  // (INVALID_ARGUMENT); any other status is a failure.
  std::atomic<long> grpc_ok{0}, grpc_failed{0};
  auto grpc_client = [&] {
    GrpcClient c(grpc);
    const inference::ModelInferRequest valid = typed_infer_request(churn.frame.take(first).without("churn"), "churn");
    inference::ModelInferRequest malformed = valid;
    malformed.mutable_inputs(0)->set_shape(0, 7);
    for (long i = 0; !done.load(); ++i) {
      inference::ModelInferResponse answer;
      const bool good = i % 4 != 3;
      const auto status = c.call(&inference::GRPCInferenceService::Stub::ModelInfer, good ? valid : malformed, answer);
      const auto expected = good ? grpc::StatusCode::OK : grpc::StatusCode::INVALID_ARGUMENT;
      if (status.error_code() == expected && (!good || answer.raw_output_contents_size() == 2)) ++grpc_ok;
      else ++grpc_failed;
    }
  };
  std::vector<std::thread> clients;
  for (std::uint64_t i = 0; i < 4; ++i) clients.emplace_back(client, 100 + i);
  clients.emplace_back(grpc_client);

  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  int reloads = 0;
  while (std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    // Replace the file the way a deployment does (write aside, rename over), then reload.
    const std::string next = tmp.file(reloads % 2 ? "v10.shipml" : "v20.shipml");
    std::filesystem::copy_file(next, live + ".new", std::filesystem::copy_options::overwrite_existing);
    std::filesystem::rename(live + ".new", live);
    server.signal(SIGHUP);
    ++reloads;
  }
  done = true;
  for (auto& t : clients) t.join();

  EXPECT_GT(valid_ok.load(), 100);
  EXPECT_EQ(valid_failed.load(), 0);
  EXPECT_EQ(server_errors.load(), 0);
  EXPECT_GT(malformed_answered.load(), 10);
  EXPECT_GT(grpc_ok.load(), 100);
  EXPECT_EQ(grpc_failed.load(), 0);
  EXPECT_EQ(server.get("/v2/health/ready").status, 200);
  const std::string metrics = server.get("/metrics").body;
  EXPECT_NE(
      metrics.find("shipml_requests_total{model=\"churn\",variant=\"canary\",endpoint=\"invocations\",status=\"200\"}"),
      std::string::npos);
  // The shadow scored answers of both variants, and never failed to.
  for (const char* against : {"primary", "canary"})
    EXPECT_NE(metrics.find("shipml_shadow_rows_total{model=\"churn\",version=\"shadow\",against=\"" +
                           std::string(against) + "\"}"),
              std::string::npos)
        << against;
  EXPECT_EQ(std::regex_search(metrics, std::regex("shipml_shadow_failed_total\\{[^}]*\\} [1-9]")), false) << metrics;
  const std::string err = server.stderr_text(200);
  EXPECT_EQ(err.find("failed"), std::string::npos) << err;
  for (const char* reloaded : {"reloaded churn:1", "reloaded churn:canary", "reloaded churn:shadow"})
    EXPECT_NE(err.find(reloaded), std::string::npos) << reloaded;
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(15), 0) << server.stderr_text();
  std::cout << "soak: " << valid_ok << " valid answered, " << malformed_answered << " malformed refused, " << reloads
            << " reloads, " << grpc_ok << " gRPC calls answered\n";
}

}  // namespace
}  // namespace shipml::test
