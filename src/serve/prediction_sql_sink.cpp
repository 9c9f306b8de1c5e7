// The prediction log as a table, `prediction_log`, in SQLite or PostgreSQL:
// each batch is one transaction of multi-row INSERTs. The connection is the
// one the run store uses (sources/sql.hpp), which sits below serve in the
// layers, so nothing is duplicated and no layer rule bends.
#include <string>
#include <vector>

#include "prediction_sinks.hpp"
#include "shipml/core/error.hpp"
#include "shipml/io/data_source.hpp"
#include "sources/database_uri.hpp"
#include "sources/sql.hpp"

namespace shipml::serve {
namespace {

constexpr std::size_t kRowsPerInsert = 100;  // 900 parameters: under SQLite's 32,766 and PostgreSQL's 65,535

class SqlSink : public PredictionSink {
 public:
  explicit SqlSink(const sql::DatabaseUri& uri) : postgres_(uri.engine == sql::Engine::postgresql) {
    const std::string label = "prediction log " + uri.shown;
    db_ = postgres_ ? sql::open_postgres(uri.target, label) : sql::open_sqlite(uri.target, label);
    // JSON columns where the engine has them, so SQL can reach into inputs and outputs.
    db_->exec(
        postgres_
            ? "CREATE TABLE IF NOT EXISTS prediction_log (time TIMESTAMPTZ NOT NULL, request_id TEXT "
              "NOT NULL, model TEXT NOT NULL, model_version TEXT NOT NULL, model_loaded_at TIMESTAMPTZ, "
              "endpoint TEXT NOT NULL, latency_ms DOUBLE PRECISION, inputs JSONB NOT NULL, outputs JSONB NOT NULL)"
            : "CREATE TABLE IF NOT EXISTS prediction_log (time TEXT NOT NULL, request_id TEXT NOT NULL, "
              "model TEXT NOT NULL, model_version TEXT NOT NULL, model_loaded_at TEXT, endpoint TEXT NOT NULL, "
              "latency_ms REAL, "
              "inputs TEXT NOT NULL, outputs TEXT NOT NULL)");
    db_->exec("CREATE INDEX IF NOT EXISTS prediction_log_request_id ON prediction_log (request_id)");
  }

  void write(const std::deque<PredictionRecord>& batch) override {
    sql::in_transaction(*db_, [&] {
      for (std::size_t from = 0; from < batch.size(); from += kRowsPerInsert) {
        const std::size_t to = std::min(batch.size(), from + kRowsPerInsert);
        std::string statement =
            "INSERT INTO prediction_log (time, request_id, model, model_version, model_loaded_at, endpoint, "
            "latency_ms, inputs, outputs) VALUES ";
        std::vector<sql::SqlValue> values;
        for (std::size_t i = from; i < to; ++i) {
          const PredictionRecord& r = batch[i];
          statement += i > from ? "," : "";
          statement +=
              postgres_ ? "(?::timestamptz,?,?,?,?::timestamptz,?,?,?::jsonb,?::jsonb)" : "(?,?,?,?,?,?,?,?,?)";
          values.insert(values.end(),
                        {r.time, r.request_id, r.model->name, r.model->version, r.model->loaded_at, r.endpoint,
                         r.latency_seconds * 1e3, inputs_json(r.inputs), outputs_json(r.outputs)});
        }
        db_->exec(statement, values);
      }
    });
  }

 private:
  bool postgres_;
  std::unique_ptr<sql::SqlConnection> db_;
};

}  // namespace

std::unique_ptr<PredictionSink> open_sql_prediction_sink(const PredictionLogOptions& options) {
  return std::make_unique<SqlSink>(sql::parse_database_uri(options.target));
}

std::unique_ptr<PredictionSink> open_prediction_sink(const PredictionLogOptions& options) {
  if (options.target.empty()) throw UsageError("--log-predictions needs a file, sqlite:///path.db or postgresql://...");
  if (is_database_uri(options.target)) {
    try {
      return open_sql_prediction_sink(options);
    } catch (const UsageError& e) {  // a malformed URI: say which option gave it
      throw UsageError(std::string("--log-predictions ") + e.what());
    }
  }
  // Any other scheme is a typo or an engine we do not speak, not a file called "mysql:".
  if (const auto colon = options.target.find("://"); colon != std::string::npos)
    throw UsageError("--log-predictions " + redact_location(options.target) +
                     ": not a file, sqlite:///path.db or postgresql://user@host/db");
  return open_file_prediction_sink(options);
}

}  // namespace shipml::serve
