// `shipml serve --log-predictions`: a real server process, real sockets, and
// the records read back from a real JSON-lines file, SQLite file, PostgreSQL
// database (the ctest fixture's server) and a FIFO nobody reads.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "serve/request_bodies.hpp"
#include "serve/server_process.hpp"
#include "shipml/serve/prediction_log.hpp"
#include "track/store_fixture.hpp"

namespace shipml::test {
namespace {

using nlohmann::json;

// One record as a test compares it: the id, and inputs and outputs parsed.
struct Logged {
  std::string request_id;
  json inputs, outputs;
};

// What a client sent and was answered.
struct Sent {
  std::string request_id;  // as the X-Request-Id response header gave it
  json row;                // the row sent
  json predictions;        // /invocations' "predictions"
};

std::vector<Logged> read_json_lines(const std::string& text) {
  std::vector<Logged> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const json r = json::parse(line);  // a split record would not parse
    out.push_back({r.at("request_id"), r.at("inputs"), r.at("outputs")});
  }
  return out;
}

std::vector<Logged> read_sqlite(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT request_id, inputs, outputs FROM prediction_log", -1, &stmt, nullptr);
  std::vector<Logged> out;
  const auto text = [&](int c) { return std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c))); };
  while (sqlite3_step(stmt) == SQLITE_ROW) out.push_back({text(0), json::parse(text(1)), json::parse(text(2))});
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

std::vector<Logged> read_postgres(const std::string& uri) {
  PGconn* c = PQconnectdb(uri.c_str());
  PGresult* r = PQexec(c, "SELECT request_id, inputs::text, outputs::text FROM prediction_log");
  EXPECT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQerrorMessage(c);
  std::vector<Logged> out;
  for (int i = 0; i < PQntuples(r); ++i)
    out.push_back({PQgetvalue(r, i, 0), json::parse(PQgetvalue(r, i, 1)), json::parse(PQgetvalue(r, i, 2))});
  PQclear(r);
  PQfinish(c);
  return out;
}

// A fresh database on the fixture's PostgreSQL server ("" when there is none).
std::string fresh_postgres_database() {
  std::ifstream in(std::string(SHIPML_POSTGRES_STATE) + "/uri");
  std::string base;
  if (!(in >> base)) return "";
  std::string name = "predlog_";
  std::mt19937_64 rng{std::random_device{}()};
  for (int i = 0; i < 12; ++i) name += "abcdefghijklmnopqrstuvwxyz"[rng() % 26];
  run_sql(base, "CREATE DATABASE " + name);
  return base.substr(0, base.rfind('/') + 1) + name;
}

// The value of an unlabelled series in the server's /metrics (-1 when absent).
double metric(const ServerProcess& server, const std::string& name) {
  const std::string text = server.get("/metrics").body;
  const auto at = text.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stod(text.substr(at + name.size() + 2));
}

class PredictionLogTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    Model iris("logistic");
    iris.fit(read_dataset(data_path("iris.csv"), "species"));
    iris.save(dir_->file("iris.shipml"));
    rows_ = new json(records(read_csv(data_path("iris.csv")).without("species")));
  }
  static void TearDownTestSuite() {
    delete rows_;
    delete dir_;
  }
  static std::string model() { return dir_->file("iris.shipml"); }

  // `n` requests on one keep-alive connection, each a row of iris (in turn) to
  // /invocations; every third one names its own X-Request-Id, the others take the
  // server's. Each answer must come back within `timeout` seconds.
  static std::vector<Sent> send(const ServerProcess& server, int n, const std::string& prefix, double timeout = 10) {
    HttpConnection c(server.port(), timeout);
    std::vector<Sent> sent;
    for (int i = 0; i < n; ++i) {
      const json& row = (*rows_)[static_cast<std::size_t>(i) % rows_->size()];
      std::vector<std::string> headers;
      const std::string own = prefix + std::to_string(i);
      if (i % 3 == 0) headers.push_back("X-Request-Id: " + own);
      c.send(
          http_request("POST", "/invocations", json{{"dataframe_records", {row}}}.dump(), "application/json", headers));
      const HttpReply r = c.read_reply();
      EXPECT_EQ(r.status, 200) << "request " << i << ": " << r.body;
      if (r.status != 200) break;
      if (i % 3 == 0) {
        EXPECT_EQ(r.header("x-request-id"), own);
      }
      EXPECT_FALSE(r.header("x-request-id").empty());
      sent.push_back({r.header("x-request-id"), row, json::parse(r.body)["predictions"]});
    }
    return sent;
  }

  // Every request sent is logged exactly once, with its id, row and predictions.
  static void expect_logged(const std::vector<Sent>& sent, const std::vector<Logged>& logged) {
    ASSERT_EQ(logged.size(), sent.size());
    std::map<std::string, const Logged*> by_id;
    for (const auto& l : logged) {
      EXPECT_TRUE(by_id.emplace(l.request_id, &l).second) << "twice: " << l.request_id;
    }
    for (const auto& s : sent) {
      const auto it = by_id.find(s.request_id);
      ASSERT_NE(it, by_id.end()) << "not logged: " << s.request_id;
      EXPECT_EQ(it->second->inputs, json::array({s.row})) << s.request_id;
      EXPECT_EQ(it->second->outputs.at("predictions"), s.predictions) << s.request_id;
      const json& proba = it->second->outputs.at("probabilities");
      ASSERT_EQ(proba.size(), 1u);
      ASSERT_EQ(proba[0].size(), 3u);  // iris' three classes
      double sum = 0;
      for (const auto& p : proba[0]) sum += p.get<double>();
      EXPECT_NEAR(sum, 1, 1e-9);
    }
  }

  static inline TempDir* dir_ = nullptr;
  static inline json* rows_ = nullptr;
};

TEST_F(PredictionLogTest, TenThousandRequestsGiveTenThousandRecordsInAFileSqliteAndPostgres) {
  const std::string file = dir_->file("predictions.jsonl"), db = dir_->file("predictions.db");
  const std::string postgres = fresh_postgres_database();
  std::vector<std::pair<std::string, std::string>> targets = {{"file", file}, {"sqlite", "sqlite://" + db}};
  if (!postgres.empty()) targets.emplace_back("postgres", postgres);
  for (const auto& [kind, target] : targets) {
    SCOPED_TRACE(kind);
    ServerProcess server({model(), "--no-access-log", "--log-predictions", target});
    const auto sent = send(server, 10000, kind + "-");
    ASSERT_EQ(sent.size(), 10000u);
    // SIGTERM: the writer drains the queue before the server exits.
    server.signal(SIGTERM);
    ASSERT_EQ(server.wait_exit(60), 0);
    expect_logged(sent, kind == "file"     ? read_json_lines(read_file(file))
                        : kind == "sqlite" ? read_sqlite(db)
                                           : read_postgres(postgres));
  }
  if (postgres.empty()) GTEST_SKIP() << "no PostgreSQL server: the file and SQLite passed; ctest's fixture starts one";
}

TEST_F(PredictionLogTest, OpenInferenceRequestsAreLoggedAndAnsweredWithTheirId) {
  const std::string file = dir_->file("oip.jsonl");
  ServerProcess server({model(), "--no-access-log", "--log-predictions", file});
  const Frame rows = read_csv(data_path("iris.csv")).without("species");
  const std::string body = json{{"inputs", tensor_per_column(rows)}}.dump();
  const auto r = server.call(
      http_request("POST", "/v2/models/iris/infer", body, "application/json", {"X-Request-Id: batch-of-150"}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("x-request-id"), "batch-of-150");
  // A refused id still gets an answer that carries a (new) id.
  const auto bad = server.call(http_request("POST", "/v2/models/iris/infer", body, "application/json",
                                            {"X-Request-Id: " + std::string(129, 'a')}));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("X-Request-Id"), std::string::npos) << bad.body;
  EXPECT_EQ(bad.header("x-request-id").size(), 32u);
  // Not an inference endpoint: no id.
  EXPECT_EQ(server.get("/v2/models/iris").header("x-request-id"), "");
  server.signal(SIGTERM);
  ASSERT_EQ(server.wait_exit(30), 0);
  const auto logged = read_json_lines(read_file(file));
  ASSERT_EQ(logged.size(), 1u);  // the refused request is not logged
  EXPECT_EQ(logged[0].request_id, "batch-of-150");
  EXPECT_EQ(logged[0].inputs, records(rows));
  const json answer = json::parse(r.body);
  EXPECT_EQ(logged[0].outputs.at("predictions"), answer["outputs"][0]["data"]);  // iris' labels are text
  json flat = json::array();
  for (const auto& row : logged[0].outputs.at("probabilities"))
    for (const auto& p : row) flat.push_back(p);
  EXPECT_EQ(flat, answer["outputs"][1]["data"]);
}

TEST_F(PredictionLogTest, SamplingKeepsTheShareAskedForAndDecidesByTheRequestId) {
  const std::string file = dir_->file("sampled.jsonl");
  ServerProcess server({model(), "--no-access-log", "--log-predictions", file, "--sample", "0.1"});
  const int n = 4000;
  const auto sent = send(server, n, "sampled-");
  ASSERT_EQ(sent.size(), static_cast<std::size_t>(n));
  server.signal(SIGTERM);
  ASSERT_EQ(server.wait_exit(30), 0);
  const auto logged = read_json_lines(read_file(file));
  // Binomial(4000, 0.1): mean 400, sigma 19; five sigma either side.
  const double sigma = std::sqrt(n * 0.1 * 0.9);
  EXPECT_NEAR(static_cast<double>(logged.size()), n * 0.1, 5 * sigma);
  // The same ids the sampling rule picks: the decision is the id's, not chance's.
  std::set<std::string> expected, got;
  for (const auto& s : sent)
    if (serve::sampled(s.request_id, 0.1)) expected.insert(s.request_id);
  for (const auto& l : logged) got.insert(l.request_id);
  EXPECT_EQ(got, expected);
}

TEST_F(PredictionLogTest, AFullQueueDropsAndCountsAndNeverDelaysARequest) {
  // A FIFO whose reader does not read: once the pipe's buffer is full the
  // writer blocks in write() for as long as the test likes.
  const std::string fifo = dir_->file("stuck.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(reader, 0);
  ServerProcess server({model(), "--no-access-log", "--log-predictions", fifo, "--log-queue", "20"});
  const int n = 3000;
  // Were a request to wait for the log it would wait forever: the reply timeout would fail it.
  const auto sent = send(server, n, "stuck-", 5);
  ASSERT_EQ(sent.size(), static_cast<std::size_t>(n));
  EXPECT_GT(metric(server, "shipml_prediction_log_dropped_total"), 0);
  EXPECT_LE(metric(server, "shipml_prediction_log_queue_depth"), 20);

  // Now read: the writer catches up, and every record is either written or dropped.
  ::fcntl(reader, F_SETFL, 0);  // blocking reads from here on
  std::string read_back;
  std::thread drain([&] {
    char chunk[65536];
    ssize_t got;
    while ((got = ::read(reader, chunk, sizeof chunk)) > 0) read_back.append(chunk, static_cast<std::size_t>(got));
  });
  double written = 0, dropped = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    written = metric(server, "shipml_prediction_log_written_total");
    dropped = metric(server, "shipml_prediction_log_dropped_total");
    if (written + dropped >= n && metric(server, "shipml_prediction_log_queue_depth") == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(written + dropped, n);
  EXPECT_GT(dropped, 0);
  EXPECT_EQ(metric(server, "shipml_prediction_log_failed_total"), 0);
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(30), 0);
  drain.join();  // the server's exit closed the FIFO's write end
  ::close(reader);
  EXPECT_EQ(read_json_lines(read_back).size(), static_cast<std::size_t>(written));
}

TEST_F(PredictionLogTest, ASinkThatFailsIsCountedAndReportedOnceAndTheServerKeepsServing) {
  // /dev/full: every write fails with ENOSPC, as on a full disk.
  ServerProcess server({model(), "--no-access-log", "--log-predictions", "/dev/full"});
  const int n = 500;
  ASSERT_EQ(send(server, n, "full-").size(), static_cast<std::size_t>(n));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (metric(server, "shipml_prediction_log_failed_total") + metric(server, "shipml_prediction_log_dropped_total") <
             n &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(
      metric(server, "shipml_prediction_log_failed_total") + metric(server, "shipml_prediction_log_dropped_total"), n);
  EXPECT_EQ(metric(server, "shipml_prediction_log_written_total"), 0);
  EXPECT_EQ(server.get("/v2/health/ready").status, 200);
  const std::string err = server.stderr_text(100);
  const std::string said = "prediction log: cannot write";
  ASSERT_NE(err.find(said), std::string::npos) << err;
  EXPECT_EQ(err.find(said, err.find(said) + 1), std::string::npos) << "said more than once: " << err;
  EXPECT_NE(err.find("No space left on device"), std::string::npos) << err;
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(30), 0);
}

TEST_F(PredictionLogTest, TheFileRotatesBySizeAndNoRecordIsLostOrSplit) {
  const std::string file = dir_->file("rotated.jsonl");
  const std::size_t max_bytes = 20000;
  ServerProcess server({model(), "--no-access-log", "--log-predictions", file, "--log-max-bytes",
                        std::to_string(max_bytes), "--log-keep", "100"});
  const auto sent = send(server, 600, "rotated-");
  server.signal(SIGTERM);
  ASSERT_EQ(server.wait_exit(30), 0);
  std::string all;
  int files = 0;
  for (int i = 100; i >= 0; --i) {
    const std::string path = i ? file + "." + std::to_string(i) : file;
    if (!std::filesystem::exists(path)) continue;
    const std::string text = read_file(path);
    EXPECT_LE(text.size(), max_bytes) << path;
    ASSERT_TRUE(text.empty() || text.back() == '\n') << path << " ends inside a record";
    all += text;
    ++files;
  }
  EXPECT_GT(files, 5);  // 600 records of ~400 bytes: a dozen files
  expect_logged(sent, read_json_lines(all));
}

TEST_F(PredictionLogTest, ABadTargetOrShareIsAClearErrorAtStartup) {
  const auto fails = [&](const std::string& flags, const std::string& says) {
    const auto r = run_cli("serve " + model() + " --port 0 " + flags);
    EXPECT_NE(r.exit_code, 0) << flags;
    EXPECT_NE(r.err.find(says), std::string::npos) << flags << ": " << r.err;
  };
  fails("--log-predictions mysql://db/x", "--log-predictions mysql://db/x: not a file, sqlite:///path.db");
  fails("--log-predictions " + dir_->file("no/such/folder/p.jsonl"), "cannot open the prediction log");
  fails("--log-predictions sqlite://host/x.db", "--log-predictions sqlite://host/x.db: a SQLite URI has no host");
  fails("--log-predictions " + dir_->file("p.jsonl") + " --sample 1.5", "--sample '1.5' is not a share");
  fails("--log-predictions " + dir_->file("p.jsonl") + " --sample ten", "--sample 'ten' is not a share");
  fails("--log-predictions " + dir_->file("p.jsonl") + " --log-max-bytes 0", "--log-max-bytes '0' is not a size");
  fails("--sample 0.5", "--sample is used with --log-predictions");
}

}  // namespace
}  // namespace shipml::test
