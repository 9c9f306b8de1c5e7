// `shipml runs list|show|compare|delete`: reading the run records that train,
// score and the other commands write.
#include <unistd.h>

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <set>
#include <sstream>

#include "commands.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/frame.hpp"
#include "shipml/track/run_store.hpp"
#include "text_table.hpp"

namespace shipml::cli {
namespace {

std::string short_id(const std::string& id) { return id.substr(0, 8); }

std::string number(double v) {
  if (std::isnan(v)) return "-";
  std::ostringstream o;
  o << std::setprecision(4) << v;
  return o.str();
}

std::string duration(double seconds) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(seconds < 10 ? 2 : 0) << seconds << " s";
  return o.str();
}

// The metrics most runs in the list have, in order of how many have them.
std::vector<std::string> common_metrics(const std::vector<RunRecord>& runs, std::size_t most) {
  std::map<std::string, std::size_t> count;
  for (const auto& r : runs)
    for (const auto& [k, v] : r.metrics)
      if (!k.ends_with("_std") && k != "fit_seconds") ++count[k];
  // The most common first; among equals, the ones people look at first.
  static const std::vector<std::string> usual = {"roc_auc", "accuracy", "r2", "rmse", "f1", "log_loss", "mae"};
  auto rank = [](const std::string& m) {
    const auto it = std::find(usual.begin(), usual.end(), m);
    return static_cast<std::size_t>(it - usual.begin());
  };
  std::vector<std::pair<std::string, std::size_t>> ranked(count.begin(), count.end());
  std::stable_sort(ranked.begin(), ranked.end(), [&](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : rank(a.first) < rank(b.first);
  });
  std::vector<std::string> out;
  for (std::size_t i = 0; i < ranked.size() && i < most; ++i) out.push_back(ranked[i].first);
  return out;
}

struct StoreArgs {
  std::string uri;
  void add(CLI::App* cmd) {
    cmd->add_option("--store", uri,
                    "run store: a folder, or postgresql://... (default: $SHIPML_TRACKING_URI or ./runs)");
  }
  std::unique_ptr<RunStore> open() const { return RunStore::open(uri); }
};

void add_list(CLI::App& runs) {
  auto* cmd = runs.add_subcommand("list", "List runs, newest first (or as sorted), with their main metrics");
  auto store = std::make_shared<StoreArgs>();
  auto q = std::make_shared<RunQuery>();
  auto json = std::make_shared<bool>(false);
  store->add(cmd);
  cmd->add_option("--experiment", q->experiment, "only this experiment");
  cmd->add_option("--filter", q->filter,
                  "conditions joined by 'and': metrics.NAME, params.NAME, tags.NAME, status, kind, experiment, "
                  "duration; = != < <= > >=  (e.g. 'metrics.roc_auc > 0.9 and params.max_leaves = 31')");
  cmd->add_option("--sort", q->sort, "field to sort by, '-' first for descending (e.g. -metrics.roc_auc)")
      ->capture_default_str();
  cmd->add_option("--limit", q->limit, "at most this many runs")->capture_default_str();
  cmd->add_flag("--json", *json, "print as JSON");
  cmd->callback([=] {
    const auto runs = store->open()->list(*q);
    if (*json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& r : runs) out.push_back(r.to_json());
      std::cout << out.dump(2) << '\n';
      return;
    }
    if (runs.empty()) {
      std::cout << "no runs\n";
      return;
    }
    const auto metrics = common_metrics(runs, 4);
    std::vector<std::vector<std::string>> table;
    std::vector<std::string> header = {"id", "experiment", "kind", "status", "started (UTC)", "duration", "estimator"};
    header.insert(header.end(), metrics.begin(), metrics.end());
    table.push_back(header);
    for (const auto& r : runs) {
      std::vector<std::string> row = {short_id(r.id),
                                      r.experiment,
                                      r.kind,
                                      r.status,
                                      r.start_time.substr(0, 19),
                                      r.end_time.empty() ? "-" : duration(r.duration_seconds),
                                      r.params.count("estimator") ? r.params.at("estimator") : "-"};
      for (const auto& m : metrics) row.push_back(r.metrics.count(m) ? number(r.metrics.at(m)) : "-");
      table.push_back(row);
    }
    print_table(table);
  });
}

void add_show(CLI::App& runs) {
  auto* cmd = runs.add_subcommand("show", "Everything recorded about one run");
  auto store = std::make_shared<StoreArgs>();
  auto id = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  store->add(cmd);
  cmd->add_option("id", *id, "run id, a unique prefix of it, or 'latest'")->required();
  cmd->add_flag("--json", *json, "print as JSON");
  cmd->callback([=] {
    const RunRecord r = store->open()->get(*id);
    if (*json) {
      std::cout << r.to_json().dump(2) << '\n';
      return;
    }
    std::cout << "run " << r.id << " (" << r.kind << ", experiment " << r.experiment << ")\n"
              << "  status     " << r.status << (r.error.empty() ? "" : ": " + r.error) << '\n'
              << "  started    " << r.start_time
              << (r.end_time.empty() ? "" : ", ended " + r.end_time + " (" + duration(r.duration_seconds) + ")")
              << '\n';
    const std::pair<const char*, const char*> environment[] = {{"command", "command"},
                                                               {"user", "user"},
                                                               {"host", "host"},
                                                               {"working_directory", "directory"},
                                                               {"git_commit", "git commit"},
                                                               {"shipml_version", "shipml"}};
    for (const auto& [key, label] : environment) {
      if (!r.info.contains(key)) continue;
      std::cout << "  " << std::left << std::setw(11) << label << r.info[key].get<std::string>();
      if (std::string(key) == "git_commit" && r.info.value("git_dirty", false))
        std::cout << " (with uncommitted changes)";
      std::cout << '\n';
    }
    if (r.info.contains("data")) {
      const auto& d = r.info["data"];
      std::cout << "  data       " << d.value("source", "") << ": " << d.value("rows", 0) << " rows, "
                << d.value("columns", 0) << " columns, target " << d.value("target", "") << ", fingerprint "
                << d.value("fingerprint", "") << '\n';
    }
    if (r.info.contains("validation"))
      std::cout << "  validation " << r.info["validation"].value("method", "") << ", seed "
                << r.info["validation"].value("seed", 0) << '\n';
    if (!r.params.empty()) {
      std::cout << "  params\n";
      for (const auto& [k, v] : r.params) std::cout << "    " << std::left << std::setw(24) << k << v << '\n';
    }
    if (!r.metrics.empty()) {
      std::cout << "  metrics\n";
      for (const auto& [k, v] : r.metrics) {
        std::cout << "    " << std::left << std::setw(24) << k << number(v);
        if (r.metric_steps.count(k)) {
          std::cout << "   (";
          for (std::size_t i = 0; i < r.metric_steps.at(k).size(); ++i)
            std::cout << (i ? ", " : "") << number(r.metric_steps.at(k)[i]);
          std::cout << ")";
        }
        std::cout << '\n';
      }
    }
    if (!r.tags.empty()) {
      std::cout << "  tags\n";
      for (const auto& [k, v] : r.tags) std::cout << "    " << std::left << std::setw(24) << k << v << '\n';
    }
    if (!r.artifacts.empty()) {
      std::cout << "  artifacts\n";
      for (const auto& [k, v] : r.artifacts) std::cout << "    " << std::left << std::setw(24) << k << v << '\n';
    }
  });
}

void add_compare(CLI::App& runs) {
  auto* cmd = runs.add_subcommand("compare", "Parameters and metrics of runs side by side; '*' marks what differs");
  auto store = std::make_shared<StoreArgs>();
  auto ids = std::make_shared<std::vector<std::string>>();
  auto json = std::make_shared<bool>(false);
  store->add(cmd);
  cmd->add_option("ids", *ids, "two or more run ids (or unique prefixes)")->required()->expected(2, -1);
  cmd->add_flag("--json", *json, "print as JSON");
  cmd->callback([=] {
    auto s = store->open();
    std::vector<RunRecord> runs;
    for (const auto& id : *ids) runs.push_back(s->get(id));
    if (*json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& r : runs) out.push_back(r.to_json());
      std::cout << out.dump(2) << '\n';
      return;
    }
    const bool colour = ::isatty(STDOUT_FILENO);
    std::vector<std::vector<std::string>> table;
    std::vector<std::string> header = {"", ""};
    for (const auto& r : runs) header.push_back(short_id(r.id));
    table.push_back(header);
    auto section = [&](const std::string& title, auto value_of, const std::set<std::string>& keys) {
      for (const auto& k : keys) {
        std::vector<std::string> row = {"", title + "." + k};
        std::set<std::string> distinct;
        for (const auto& r : runs) {
          row.push_back(value_of(r, k));
          distinct.insert(row.back());
        }
        if (distinct.size() > 1) row[0] = "*";
        table.push_back(row);
      }
    };
    std::set<std::string> params, metrics;
    for (const auto& r : runs) {
      for (const auto& [k, v] : r.params) params.insert(k);
      for (const auto& [k, v] : r.metrics) metrics.insert(k);
    }
    table.push_back({"", "kind"});
    for (const auto& r : runs) table.back().push_back(r.kind);
    table.push_back({"", "data"});
    for (const auto& r : runs)
      table.back().push_back(r.info.contains("data") ? r.info["data"].value("source", "-") : "-");
    section(
        "params", [](const RunRecord& r, const std::string& k) { return r.params.count(k) ? r.params.at(k) : "-"; },
        params);
    section(
        "metrics",
        [](const RunRecord& r, const std::string& k) { return r.metrics.count(k) ? number(r.metrics.at(k)) : "-"; },
        metrics);
    if (!colour) return print_table(table);
    // On a terminal, rows that differ are bold.
    std::ostringstream captured;
    auto* old = std::cout.rdbuf(captured.rdbuf());
    print_table(table);
    std::cout.rdbuf(old);
    std::istringstream lines(captured.str());
    for (std::string line; std::getline(lines, line);)
      std::cout << (line.starts_with("*") ? "\033[1m" + line + "\033[0m" : line) << '\n';
  });
}

void add_delete(CLI::App& runs) {
  auto* cmd = runs.add_subcommand("delete", "Delete runs and their artifacts");
  auto store = std::make_shared<StoreArgs>();
  auto ids = std::make_shared<std::vector<std::string>>();
  store->add(cmd);
  cmd->add_option("ids", *ids, "run ids (or unique prefixes)")->required();
  cmd->callback([=] {
    auto s = store->open();
    std::vector<std::string> full;
    for (const auto& id : *ids) full.push_back(s->get(id).id);
    s->remove(full);  // all or none: an unknown or running id deletes nothing
    for (const auto& id : full) std::cout << "deleted run " << id << '\n';
  });
}

}  // namespace

void add_runs(CLI::App& app) {
  auto* runs = app.add_subcommand("runs", "Run records: what was trained and scored, with what, and what came out");
  runs->require_subcommand(1);
  add_list(*runs);
  add_show(*runs);
  add_compare(*runs);
  add_delete(*runs);
}

}  // namespace shipml::cli
