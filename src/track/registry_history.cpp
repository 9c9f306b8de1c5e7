// The registry's history: every registration, stage change and alias change,
// with who made it and when, numbered per model in the order it happened.
#include <algorithm>
#include <limits>

#include "shipml/core/clock.hpp"
#include "shipml/track/registry.hpp"
#include "sources/sql.hpp"
#include "track/os_user.hpp"
#include "track/registry_tables.hpp"

namespace shipml {

nlohmann::json ModelEvent::to_json() const {
  return {{"name", name}, {"version", version}, {"action", action}, {"from", from},
          {"to", to},     {"actor", actor},     {"at", at},         {"notes", notes}};
}

namespace registry {

void record_event(sql::SqlConnection& db, ModelEvent event) {
  // The caller holds the exclusive lock, so MAX + 1 is this model's next number
  // even with other writers waiting (as add() takes the next version).
  const auto rows = db.query("SELECT MAX(seq) FROM model_history WHERE name = ?", {event.name});
  const std::int64_t seq = rows.empty() || !rows[0][0] ? 1 : std::stoll(*rows[0][0]) + 1;
  if (event.actor.empty()) event.actor = os_user();
  event.at = utc_timestamp(6);  // microseconds: events of one command keep their order across models too
  db.exec("INSERT INTO model_history (name, seq, version, action, from_value, to_value, actor, at, notes) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {event.name, seq, std::int64_t{event.version}, event.action, event.from, event.to, event.actor, event.at,
           event.notes});
}

}  // namespace registry

std::vector<ModelEvent> ModelRegistry::history(const std::string& name, std::size_t limit) {
  // Within a model, seq is the order things happened (clocks can step back);
  // across models, the time is all there is.
  const std::string columns = "SELECT name, version, action, from_value, to_value, actor, at, notes FROM model_history";
  const auto most = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());  // what SQL's LIMIT takes
  const std::string limit_sql = " LIMIT " + std::to_string(std::min(limit, most));
  const auto rows = name.empty() ? store_.db_->query(columns + " ORDER BY at DESC, name, seq DESC" + limit_sql)
                                 : store_.db_->query(columns + " WHERE name = ? ORDER BY seq DESC" + limit_sql, {name});
  std::vector<ModelEvent> out;
  for (const auto& r : rows)
    out.push_back({.name = *r[0],
                   .version = std::stoi(*r[1]),
                   .action = *r[2],
                   .from = r[3].value_or(""),
                   .to = r[4].value_or(""),
                   .actor = *r[5],
                   .at = *r[6],
                   .notes = r[7].value_or("")});
  return out;
}

}  // namespace shipml
