#include "shipml/track/run_store.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "shipml/core/clock.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/random.hpp"
#include "shipml/io/data_source.hpp"
#include "shipml/io/file.hpp"
#include "sources/sql.hpp"

namespace shipml {
namespace fs = std::filesystem;
using sql::SqlValue;

namespace {

// Each entry is one schema version, applied once, in order, inside a transaction.
// Old stores are brought forward on first use; never edit an entry, add one.
const std::vector<std::string> kMigrations = {
    R"(CREATE TABLE runs (id TEXT PRIMARY KEY, experiment TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL,
         start_time TEXT NOT NULL, end_time TEXT, heartbeat TEXT, duration_s DOUBLE PRECISION, error TEXT,
         info TEXT NOT NULL);
       CREATE INDEX runs_by_experiment ON runs (experiment, start_time);
       CREATE TABLE params (run_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key));
       CREATE TABLE metrics (run_id TEXT NOT NULL, key TEXT NOT NULL, step INTEGER NOT NULL, value DOUBLE PRECISION,
         PRIMARY KEY (run_id, key, step));
       CREATE TABLE tags (run_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key));
       CREATE TABLE artifacts (run_id TEXT NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL, PRIMARY KEY (run_id, name)))",
    R"(CREATE TABLE model_versions (name TEXT NOT NULL, version INTEGER NOT NULL, stage TEXT NOT NULL,
         source_run TEXT, path TEXT NOT NULL, created TEXT NOT NULL, notes TEXT, metrics TEXT NOT NULL,
         PRIMARY KEY (name, version)))",
    // Aliases, and the registry's history; the versions registered before it
    // began are its first entries (seq = version: registrations came in that order).
    R"(CREATE TABLE model_aliases (name TEXT NOT NULL, alias TEXT NOT NULL, version INTEGER NOT NULL,
         PRIMARY KEY (name, alias));
       CREATE TABLE model_history (name TEXT NOT NULL, seq INTEGER NOT NULL, version INTEGER NOT NULL,
         action TEXT NOT NULL, from_value TEXT, to_value TEXT, actor TEXT NOT NULL, at TEXT NOT NULL, notes TEXT,
         PRIMARY KEY (name, seq));
       INSERT INTO model_history (name, seq, version, action, from_value, to_value, actor, at, notes)
         SELECT name, version, version, 'registered', '', 'none', '', created, notes FROM model_versions)",
    // Lists of many runs: newest first, and filters on a metric's, parameter's
    // or tag's value, read through an index instead of every run.
    R"(CREATE INDEX runs_by_start_time ON runs (start_time);
       CREATE INDEX metrics_by_value ON metrics (key, step, value, run_id);
       CREATE INDEX params_by_value ON params (key, value, run_id);
       CREATE INDEX tags_by_value ON tags (key, value, run_id))",
};

double to_double(const std::optional<std::string>& text) {
  if (!text) return std::nan("");
  double v = 0;
  std::from_chars(text->data(), text->data() + text->size(), v);
  return v;
}

// Statements split on ';' (the migrations hold no literal semicolons).
std::vector<std::string> statements(const std::string& script) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < script.size()) {
    const auto end = script.find(';', start);
    const std::string s = script.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (s.find_first_not_of(" \n\t") != std::string::npos) out.push_back(s);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

// --- filters and sorting: "metrics.auc > 0.9 and params.max_leaves = 31" ---

struct Token {
  std::string text;
  bool quoted = false;
};

std::vector<Token> tokenize(const std::string& s) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == ' ' || c == '\t') {
      ++i;
    } else if (c == '\'' || c == '"') {
      const auto end = s.find(c, i + 1);
      if (end == std::string::npos) throw UsageError("--filter: unterminated quote in '" + s + "'");
      out.push_back({s.substr(i + 1, end - i - 1), true});
      i = end + 1;
    } else if (c == '<' || c == '>' || c == '!' || c == '=') {
      std::string op(1, c);
      if (i + 1 < s.size() && s[i + 1] == '=') op += '=';
      if (op == "!") throw UsageError("--filter: '!' must be '!='");
      out.push_back({op});
      i += op.size();
    } else {
      const auto end = s.find_first_of(" \t<>!='\"", i);
      out.push_back({s.substr(i, end == std::string::npos ? std::string::npos : end - i)});
      i = end == std::string::npos ? s.size() : end;
    }
  }
  return out;
}

const char* const kAttributes[] = {"id", "experiment", "kind", "status", "start_time", "end_time", "duration"};

// One field of a filter or a sort: the SQL for its value in a row of `runs`
// (with its parameters), whether it is a number, and for a metric, parameter
// or tag, the table and key its values live under.
struct Field {
  std::string expr;
  bool numeric = false;
  std::string table, key;
};

Field field_sql(const std::string& field, std::vector<SqlValue>& params) {
  const auto dot = field.find('.');
  const std::string space = dot == std::string::npos ? "" : field.substr(0, dot);
  const std::string key = dot == std::string::npos ? field : field.substr(dot + 1);
  if (space == "metrics") {
    params.emplace_back(key);
    return {"(SELECT m.value FROM metrics m WHERE m.run_id = runs.id AND m.key = ? AND m.step = -1)", true, "metrics",
            key};
  }
  if (space == "params" || space == "tags") {
    params.emplace_back(key);
    return {"(SELECT p.value FROM " + space + " p WHERE p.run_id = runs.id AND p.key = ?)", false, space, key};
  }
  if (space.empty() || space == "attributes")
    for (const char* a : kAttributes)
      if (key == a) return {key == "duration" ? "duration_s" : key, key == "duration"};
  if (space.empty()) return field_sql("metrics." + key, params);  // "roc_auc > 0.9"
  throw UsageError(
      "unknown field '" + field +
      "' (use metrics.NAME or a metric's bare name, params.NAME, tags.NAME, or id, experiment, kind, status, "
      "start_time, end_time, duration)");
}

// The conditions of `filter`. `listing`: for a page in start_time order, where
// a run's id is tested against each metric's (or parameter's) matches while
// reading runs newest first; counting instead looks the matches up by id.
// (SQLite picks its plan from the form: `id || ''` cannot use the id's index.)
std::string filter_sql(const std::string& filter, std::vector<SqlValue>& params, bool listing) {
  const auto tokens = tokenize(filter);
  std::string sql;
  std::size_t i = 0;
  while (i < tokens.size()) {
    if (i + 3 > tokens.size()) throw UsageError("--filter: expected FIELD OP VALUE in '" + filter + "'");
    const std::string& op = tokens[i + 1].text;
    if (tokens[i + 1].quoted || (op != "=" && op != "!=" && op != "<" && op != "<=" && op != ">" && op != ">="))
      throw UsageError("--filter: '" + tokens[i + 1].text + "' is not a comparison (=, !=, <, <=, >, >=)");
    std::vector<SqlValue> field_params;
    const Field field = field_sql(tokens[i].text, field_params);
    const Token& value = tokens[i + 2];
    double number = 0;
    const auto [end, ec] = std::from_chars(value.text.data(), value.text.data() + value.text.size(), number);
    const bool is_number = !value.quoted && ec == std::errc() && end == value.text.data() + value.text.size();
    if (field.numeric && !is_number)
      throw UsageError("--filter: " + tokens[i].text + " is a number; '" + value.text + "' is not");
    // A metric, parameter or tag is looked up by its key and value (indexed),
    // not read per run: a filter over 100,000 runs reads only those that match.
    std::string expr = field.expr;
    if (!field.table.empty()) {
      field_params = {field.key};
      expr = "value";
    }
    params.insert(params.end(), field_params.begin(), field_params.end());
    std::string condition;
    if (field.numeric) {
      params.emplace_back(number);
      condition = expr + " " + op + " ?";
    } else if (is_number && op != "=" && op != "!=") {
      // A parameter compared as a number: params are stored as text.
      params.emplace_back(number);
      condition = "CAST(" + expr + " AS DOUBLE PRECISION) " + op + " ?";
    } else {
      params.emplace_back(value.text);
      condition = expr + " " + (op == "!=" ? "<>" : op) + " ?";
    }
    if (!field.table.empty())
      condition = std::string(listing ? "runs.id || ''" : "runs.id") + " IN (SELECT run_id FROM " + field.table +
                  " WHERE key = ?" + (field.table == "metrics" ? " AND step = -1" : "") + " AND " + condition + ")";
    sql += (sql.empty() ? "" : " AND ") + condition;
    i += 3;
    if (i < tokens.size()) {
      std::string conj = tokens[i].text;
      for (char& c : conj) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (conj != "and" || tokens[i].quoted)
        throw UsageError("--filter: conditions are joined with 'and', not '" + tokens[i].text + "'");
      ++i;
      if (i == tokens.size()) throw UsageError("--filter: nothing after 'and'");
    }
  }
  return sql;
}

bool process_gone(const nlohmann::json& info) {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  if (info.value("host", "") != host || !info.contains("pid")) return false;
  return ::kill(info["pid"].get<int>(), 0) != 0 && errno == ESRCH;
}

}  // namespace

nlohmann::json RunRecord::to_json() const {
  nlohmann::json j = {{"id", id},
                      {"experiment", experiment},
                      {"kind", kind},
                      {"status", status},
                      {"start_time", start_time},
                      {"end_time", end_time},
                      {"heartbeat", heartbeat},
                      {"duration_seconds", duration_seconds},
                      {"params", params},
                      {"metrics", nlohmann::json::object()},
                      {"metric_steps", metric_steps},
                      {"tags", tags},
                      {"artifacts", artifacts},
                      {"info", info}};
  for (const auto& [k, v] : metrics) j["metrics"][k] = std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
  if (!error.empty()) j["error"] = error;
  return j;
}

RunStore::RunStore(std::string uri, std::unique_ptr<sql::SqlConnection> db, std::string artifact_root)
    : uri_(std::move(uri)), db_(std::move(db)), artifact_root_(std::move(artifact_root)) {
  migrate();
}
RunStore::~RunStore() = default;

std::unique_ptr<RunStore> RunStore::open(const std::string& given) {
  std::string uri = given;
  if (uri.empty()) uri = std::getenv("SHIPML_TRACKING_URI") ? std::getenv("SHIPML_TRACKING_URI") : "runs";
  if (uri.starts_with("postgresql://") || uri.starts_with("postgres://")) {
    const char* root = std::getenv("SHIPML_ARTIFACT_ROOT");
    std::string artifacts = root ? root : "runs/artifacts";
    fs::create_directories(artifacts);
    return std::unique_ptr<RunStore>(new RunStore(uri, sql::open_postgres(uri, "run database " + redact_location(uri)),
                                                  fs::absolute(artifacts).string()));
  }
  if (uri.starts_with("file:")) uri = uri.substr(5);
  std::error_code ec;
  fs::create_directories(uri, ec);
  if (ec) throw DataError("cannot create the runs folder " + uri + ": " + ec.message());
  const std::string folder = fs::absolute(uri).string();
  return std::unique_ptr<RunStore>(new RunStore(
      folder, sql::open_sqlite(folder + "/shipml.db", "run database " + folder + "/shipml.db"), folder + "/artifacts"));
}

void RunStore::migrate() {
  db_->exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied TEXT NOT NULL)");
  sql::in_transaction(*db_, [&] {
    db_->lock_exclusive();
    const auto rows = db_->query("SELECT MAX(version) FROM schema_migrations");
    const int current = rows.empty() || !rows[0][0] ? 0 : std::stoi(*rows[0][0]);
    if (current > static_cast<int>(kMigrations.size()))
      throw DataError("the run store " + uri_ + " has schema version " + std::to_string(current) +
                      ", newer than this shipml knows (" + std::to_string(kMigrations.size()) + "): upgrade shipml");
    for (int v = current; v < static_cast<int>(kMigrations.size()); ++v) {
      for (const auto& s : statements(kMigrations[static_cast<std::size_t>(v)])) db_->exec(s);
      db_->exec("INSERT INTO schema_migrations (version, applied) VALUES (?, ?)",
                {std::int64_t{v + 1}, utc_timestamp()});
    }
  });
}

void RunStore::start(RunRecord& run) {
  run.id = random_id();
  // Who is running it, so a run whose process died can be told from one still going.
  if (!run.info.contains("pid")) run.info["pid"] = ::getpid();
  if (!run.info.contains("host")) {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    run.info["host"] = host;
  }
  run.status = "running";
  run.start_time = run.heartbeat = utc_timestamp(6);
  sql::in_transaction(*db_, [&] {
    db_->exec(
        "INSERT INTO runs (id, experiment, kind, status, start_time, heartbeat, info) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {run.id, run.experiment, run.kind, run.status, run.start_time, run.heartbeat, run.info.dump()});
    for (const auto& [k, v] : run.params)
      db_->exec("INSERT INTO params (run_id, key, value) VALUES (?, ?, ?)", {run.id, k, v});
    for (const auto& [k, v] : run.tags)
      db_->exec("INSERT INTO tags (run_id, key, value) VALUES (?, ?, ?)", {run.id, k, v});
  });
}

void RunStore::log_params(const std::string& id, const std::map<std::string, std::string>& params) {
  sql::in_transaction(*db_, [&] {
    for (const auto& [k, v] : params) {
      db_->exec("DELETE FROM params WHERE run_id = ? AND key = ?", {id, k});
      db_->exec("INSERT INTO params (run_id, key, value) VALUES (?, ?, ?)", {id, k, v});
    }
  });
}

void RunStore::log_metric(const std::string& id, const std::string& key, double value, int step) {
  sql::in_transaction(*db_, [&] {
    db_->exec("DELETE FROM metrics WHERE run_id = ? AND key = ? AND step = ?", {id, key, std::int64_t{step}});
    db_->exec("INSERT INTO metrics (run_id, key, step, value) VALUES (?, ?, ?, ?)",
              {id, key, std::int64_t{step}, value});
    db_->exec("UPDATE runs SET heartbeat = ? WHERE id = ?", {utc_timestamp(6), id});
  });
}

void RunStore::log_metrics(const std::string& id, const std::map<std::string, double>& values) {
  sql::in_transaction(*db_, [&] {
    for (const auto& [key, value] : values) {
      db_->exec("DELETE FROM metrics WHERE run_id = ? AND key = ? AND step = -1", {id, key});
      db_->exec("INSERT INTO metrics (run_id, key, step, value) VALUES (?, ?, -1, ?)", {id, key, value});
    }
  });
}

void RunStore::log_series(const std::string& id, const std::string& key, const std::vector<double>& values,
                          int first_step) {
  sql::in_transaction(*db_, [&] {
    db_->exec("DELETE FROM metrics WHERE run_id = ? AND key = ? AND step >= 0", {id, key});
    for (std::size_t i = 0; i < values.size(); ++i)
      db_->exec("INSERT INTO metrics (run_id, key, step, value) VALUES (?, ?, ?, ?)",
                {id, key, static_cast<std::int64_t>(first_step + static_cast<int>(i)), values[i]});
    db_->exec("UPDATE runs SET heartbeat = ? WHERE id = ?", {utc_timestamp(6), id});
  });
}

void RunStore::set_tag(const std::string& id, const std::string& key, const std::string& value) {
  sql::in_transaction(*db_, [&] {
    db_->exec("DELETE FROM tags WHERE run_id = ? AND key = ?", {id, key});
    db_->exec("INSERT INTO tags (run_id, key, value) VALUES (?, ?, ?)", {id, key, value});
  });
}

void RunStore::set_info(const std::string& id, const nlohmann::json& info) {
  db_->exec("UPDATE runs SET info = ?, heartbeat = ? WHERE id = ?", {info.dump(), utc_timestamp(6), id});
}

std::string RunStore::add_artifact(const std::string& id, const std::string& name, const std::string& file) {
  const fs::path dir = fs::path(artifact_root_) / id;
  fs::create_directories(dir);
  const fs::path target = dir / name;
  copy_file_atomic(file, target.string());  // never half an artifact
  sql::in_transaction(*db_, [&] {
    db_->exec("DELETE FROM artifacts WHERE run_id = ? AND name = ?", {id, name});
    db_->exec("INSERT INTO artifacts (run_id, name, path) VALUES (?, ?, ?)", {id, name, target.string()});
  });
  return target.string();
}

void RunStore::heartbeat(const std::string& id) {
  db_->exec("UPDATE runs SET heartbeat = ? WHERE id = ?", {utc_timestamp(6), id});
}

void RunStore::finish(const std::string& id, const std::string& status, const std::string& error) {
  const auto rows = db_->query("SELECT start_time FROM runs WHERE id = ?", {id});
  const std::string end = utc_timestamp(6);
  double duration = 0;
  if (!rows.empty() && rows[0][0]) {
    // Both stamps are ours (ISO 8601, UTC, milliseconds): seconds of the day are enough within a day.
    auto seconds = [](const std::string& t) {
      std::tm tm{};
      strptime(t.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
      return static_cast<double>(timegm(&tm)) + (t.size() > 20 ? std::atof(t.c_str() + 19) : 0.0);
    };
    duration = seconds(end) - seconds(*rows[0][0]);
  }
  db_->exec("UPDATE runs SET status = ?, end_time = ?, heartbeat = ?, duration_s = ?, error = ? WHERE id = ?",
            {status, end, end, duration, error.empty() ? SqlValue(nullptr) : SqlValue(error), id});
}

std::string RunStore::resolve(const std::string& given) {
  if (given.empty()) throw UsageError("a run id is needed");
  // A whole id is one lookup in the primary key; only a prefix needs LIKE,
  // which reads every id (a list of 50 runs of 100,000 would read them 50 times).
  if (given != "latest" && !db_->query("SELECT id FROM runs WHERE id = ?", {given}).empty()) return given;
  const auto rows = given == "latest" ? db_->query("SELECT id FROM runs ORDER BY start_time DESC LIMIT 1")
                                      : db_->query("SELECT id FROM runs WHERE id LIKE ? LIMIT 2", {given + "%"});
  if (rows.empty()) throw UsageError("no run '" + given + "' in " + uri_);
  if (rows.size() > 1) throw UsageError("run id '" + given + "' is ambiguous in " + uri_ + ": give more characters");
  return *rows[0][0];
}

RunRecord RunStore::get(const std::string& given) {
  const std::string id = resolve(given);
  const auto rows = db_->query(
      "SELECT id, experiment, kind, status, start_time, end_time, heartbeat, duration_s, error, info FROM runs WHERE id = ?",
      {id});
  RunRecord r;
  const auto& row = rows.at(0);
  auto text = [&](std::size_t i) { return row[i] ? *row[i] : std::string(); };
  r.id = text(0);
  r.experiment = text(1);
  r.kind = text(2);
  r.status = text(3);
  r.start_time = text(4);
  r.end_time = text(5);
  r.heartbeat = text(6);
  r.duration_seconds = row[7] ? to_double(row[7]) : 0;
  r.error = text(8);
  r.info = nlohmann::json::parse(text(9), nullptr, false);
  if (r.info.is_discarded()) r.info = nlohmann::json::object();
  // A run still "running" whose process is gone (killed, crashed) says so.
  if (r.status == "running" && process_gone(r.info)) r.status = "running (process gone)";
  for (const auto& p : db_->query("SELECT key, value FROM params WHERE run_id = ?", {id})) r.params[*p[0]] = *p[1];
  for (const auto& t : db_->query("SELECT key, value FROM tags WHERE run_id = ?", {id})) r.tags[*t[0]] = *t[1];
  for (const auto& a : db_->query("SELECT name, path FROM artifacts WHERE run_id = ?", {id}))
    r.artifacts[*a[0]] = *a[1];
  for (const auto& m : db_->query("SELECT key, step, value FROM metrics WHERE run_id = ? ORDER BY key, step", {id})) {
    const int step = std::stoi(*m[1]);
    if (step < 0) r.metrics[*m[0]] = to_double(m[2]);
    else r.metric_steps[*m[0]].push_back(to_double(m[2]));
  }
  return r;
}

namespace {

// The WHERE clause (with " WHERE ") of the runs `q` selects, its values added to `params`.
std::string where_sql(const RunQuery& q, std::vector<SqlValue>& params, bool listing) {
  std::string where;
  if (!q.experiment.empty()) {
    where = "experiment = ?";
    params.emplace_back(q.experiment);
  }
  if (!q.filter.empty()) where += (where.empty() ? "" : " AND ") + filter_sql(q.filter, params, listing);
  return where.empty() ? "" : " WHERE " + where;
}

}  // namespace

std::size_t RunStore::count(const RunQuery& q) {
  std::vector<SqlValue> params;
  const auto rows = db_->query("SELECT COUNT(*) FROM runs" + where_sql(q, params, false), params);
  return rows.empty() || !rows[0][0] ? 0 : static_cast<std::size_t>(std::stoull(*rows[0][0]));
}

std::vector<std::string> RunStore::experiments() {
  std::vector<std::string> out;
  for (const auto& row : db_->query("SELECT DISTINCT experiment FROM runs ORDER BY experiment")) out.push_back(*row[0]);
  return out;
}

std::vector<RunRecord> RunStore::list(const RunQuery& q) {
  std::vector<SqlValue> params;
  const std::string where = where_sql(q, params, true);
  std::string sort = q.sort.empty() ? "-start_time" : q.sort;
  const bool descending = sort.front() == '-';
  if (descending || sort.front() == '+') sort = sort.substr(1);
  const Field field = field_sql(sort, params);
  // Runs without the value go last. A run's own fields are never missing
  // (but for end_time and duration): sorted by them alone, an index can serve the order.
  std::string order = field.expr + (descending ? " DESC" : " ASC");
  if (!field.table.empty() || sort == "end_time" || sort == "duration") {
    field_sql(sort, params);  // the expression appears twice, and so do its parameters
    order = "(" + field.expr + " IS NULL), " + order;
  }
  const std::string sql = "SELECT id FROM runs" + where + " ORDER BY " + order + ", start_time DESC LIMIT " +
                          std::to_string(q.limit) + " OFFSET " + std::to_string(q.offset);
  std::vector<RunRecord> out;
  for (const auto& row : db_->query(sql, params)) out.push_back(get(*row[0]));
  return out;
}

void RunStore::remove(const std::string& id) { remove(std::vector<std::string>{id}); }

void RunStore::remove(const std::vector<std::string>& given) {
  std::vector<std::string> ids;
  for (const auto& g : given) {
    const RunRecord run = get(g);
    if (run.status == "running")
      throw UsageError("run " + run.id.substr(0, 8) + " is still running (pid " +
                       std::to_string(run.info.value("pid", 0)) + " on " + run.info.value("host", "?") +
                       "); delete it when it has ended");
    ids.push_back(run.id);
  }
  sql::in_transaction(*db_, [&] {
    for (const auto& id : ids) {
      for (const char* table : {"params", "metrics", "tags", "artifacts"})
        db_->exec(std::string("DELETE FROM ") + table + " WHERE run_id = ?", {id});
      db_->exec("DELETE FROM runs WHERE id = ?", {id});
    }
  });
  for (const auto& id : ids) {
    std::error_code ec;
    fs::remove_all(fs::path(artifact_root_) / id, ec);
  }
}

}  // namespace shipml
