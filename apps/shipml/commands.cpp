#include "commands.hpp"

#include "args.hpp"
#include "partitioned_train.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "shipml/core/names.hpp"
#include "shipml/io/file.hpp"
#include "shipml/model/model_file.hpp"
#include "shipml/shipml.hpp"
#include "shipml/track/registry.hpp"
#include "shipml/track/tracked_run.hpp"

namespace shipml::cli {
namespace {

// name=default, then what it means, aligned on the longest name=default.
void print_params(const std::vector<ParamSpec>& params) {
  std::size_t width = 0;
  for (const auto& p : params) width = std::max(width, p.name.size() + 1 + p.default_value.size());
  for (const auto& p : params)
    std::cout << "  " << std::left << std::setw(static_cast<int>(width + 2)) << (p.name + "=" + p.default_value)
              << p.doc << " (" << p.allowed() << ")\n";
}

void add_estimators(CLI::App& app) {
  auto* cmd = app.add_subcommand("estimators", "List estimators, or show one with its parameters");
  auto name = std::make_shared<std::string>();
  cmd->add_option("name", *name, "estimator to describe");
  cmd->callback([name] {
    if (name->empty()) {
      for (const auto& e : estimators()) {
        std::vector<std::string> tasks;
        for (Task t : e.tasks) tasks.emplace_back(to_string(t));
        std::cout << std::left << std::setw(16) << e.name << std::setw(30) << join(tasks) << e.summary << '\n';
      }
      return;
    }
    const EstimatorInfo& e = find_estimator(*name);
    std::cout << e.name << ": " << e.summary << "\n\nparameters:\n";
    print_params(e.params);
  });
}

void add_transformers(CLI::App& app) {
  auto* cmd = app.add_subcommand("transformers", "List pipeline steps (transformers), or show one with its parameters");
  auto name = std::make_shared<std::string>();
  cmd->add_option("name", *name, "transformer to describe");
  cmd->callback([name] {
    const char* kinds[] = {"numeric columns", "categorical columns", "any columns"};
    if (name->empty()) {
      for (const auto& t : transformers())
        std::cout << std::left << std::setw(18) << t.name << std::setw(22) << kinds[static_cast<int>(t.applies)]
                  << t.summary << '\n';
      return;
    }
    const TransformerInfo& t = find_transformer(*name);
    std::cout << t.name << ": " << t.summary << "\napplies to " << kinds[static_cast<int>(t.applies)]
              << (t.needs_columns ? " (name them: columns: [...])" : " unless its step names columns")
              << "\n\nparameters:\n";
    print_params(t.params);
    if (t.params.empty()) std::cout << "  (none)\n";
  });
}

void add_metrics(CLI::App& app) {
  auto* cmd = app.add_subcommand("metrics", "List the metrics scoring can report");
  cmd->callback([] {
    for (const auto& m : metrics())
      std::cout << std::left << std::setw(20) << m.name << std::setw(16) << to_string(m.task)
                << (m.greater_is_better ? "higher is better  " : "lower is better   ") << m.doc << '\n';
  });
}

void add_train(CLI::App& app) {
  auto* cmd = app.add_subcommand("train", "Train a model on all rows and save it");
  auto data = std::make_shared<DataArgs>();
  auto est = std::make_shared<EstimatorArgs>();
  auto out = std::make_shared<std::string>();
  auto tracking = std::make_shared<TrackingArgs>();
  data->add(cmd);
  est->add(cmd);
  tracking->add(cmd);
  cmd->add_option("--out,-o", *out, "model file to write (*.shipml)")->required();
  auto force = std::make_shared<bool>(false);
  cmd->add_flag("--force", *force, "replace --out even when it is not a shipml model file");
  auto partition = std::make_shared<PartitionArgs>();
  partition->add(cmd);
  cmd->callback([data, est, out, force, tracking, partition] {
    data->refuse_as_output(*out);
    if (!*force) check_model_destination(*out);
    if (partition->wanted(*data)) return train_partitioned(*data, *est, *partition, *tracking, *out, *force);
    Model model = est->model();
    tracking->apply();
    TrackedRun run("train", tracking->name(), invocation(), !tracking->off);
    try {
      const Dataset d = data->read();
      run.data(d);
      run.model(model);
      model.fit(d, {.task = data->task_override()});
      model.save(*out, *force);
      run.trained(model);
      run.artifact("model.shipml", *out);
      run.finish();
      std::cout << "trained " << model.estimator() << " on " << d.rows() << " rows x " << model.schema().fields().size()
                << " features, " << describe_task(model.task(), model.classes()) << ", in " << std::fixed
                << std::setprecision(2) << model.metadata()["training"]["fit_seconds"].get<double>() << " s\n"
                << "saved " << *out << (run.active() ? " (run " + run.id().substr(0, 8) + ")" : "") << '\n';
      if (const auto& c = model.calibration())
        std::cout << "calibrated: " << to_string(c->method) << ", fitted on out-of-fold predictions of " << c->folds
                  << " folds\n";
      if (const auto t = model.decision_threshold())
        std::cout << "threshold: " << model.classes().at(1) << " from probability " << std::defaultfloat
                  << std::setprecision(4) << *t
                  << (model.threshold()->tuned() ? " (tuned for " + model.threshold()->metric + ")" : "") << '\n';
    } catch (const std::exception& e) {
      run.fail(e);
      throw;
    }
  });
}

void add_score(CLI::App& app) {
  auto* cmd = app.add_subcommand("score", "Measure a model on held-out rows or by cross-validation");
  auto data = std::make_shared<DataArgs>();
  auto est = std::make_shared<EstimatorArgs>();
  auto validation = std::make_shared<ValidationArgs>();
  auto metric_names = std::make_shared<std::vector<std::string>>();
  auto json = std::make_shared<bool>(false);
  data->add(cmd);
  est->add(cmd);
  validation->add(cmd);
  cmd->add_option("--metric,-m", *metric_names, "metric to report (repeatable; default: the task's usual set)");
  cmd->add_flag("--json", *json, "print the result as JSON");
  auto report = std::make_shared<std::string>();
  cmd->add_option("--report", *report, "also write the run's HTML report here (charts, metrics, schema)");
  auto tracking = std::make_shared<TrackingArgs>();
  tracking->add(cmd);
  cmd->callback([=] {
    data->refuse_as_output(*report, "--report");
    const Model model = est->model();
    tracking->apply();
    TrackedRun run("score", tracking->name(), invocation(), !tracking->off);
    Result r;
    Dataset d;
    try {
      d = validation->split.read(*data);
      run.data(d);
      run.model(model);
      r = score(model, d, validation->get(*data), *metric_names);
      run.result(r);
      run.finish();
    } catch (const std::exception& e) {
      run.fail(e);
      throw;
    }
    if (!report->empty()) write_run_report(run.id(), *report);
    if (*json) {
      nlohmann::json j = r.to_json();
      j["data"] = {{"source", d.source}, {"rows", d.rows()}, {"target", d.target}};
      if (run.active()) j["run"] = run.id();
      std::cout << j.dump(2) << '\n';
      return;
    }
    std::cout << r.estimator << " on " << d.source << ": " << d.rows() << " rows, " << d.features().cols()
              << " features, " << describe_task(r.task, r.classes) << '\n'
              << r.validation << ", seed " << r.seed << (run.active() ? ", run " + run.id().substr(0, 8) : "") << "\n\n"
              << r.table();
  });
}

// What a model learned, for people: scalars as they are, and for each table of
// numbers per feature (coefficients, importances) the largest ten by magnitude.
void print_learned(const nlohmann::json& j, const std::string& indent) {
  for (const auto& [key, value] : j.items()) {
    if (!value.is_structured()) {
      std::cout << indent << key << ": " << value.dump() << '\n';
    } else if (value.is_object() && !value.empty() &&
               std::all_of(value.begin(), value.end(), [](const auto& v) { return v.is_number(); })) {
      std::vector<std::pair<std::string, double>> items;
      for (const auto& [name, v] : value.items()) items.emplace_back(name, v.get<double>());
      std::stable_sort(items.begin(), items.end(),
                       [](const auto& a, const auto& b) { return std::abs(a.second) > std::abs(b.second); });
      std::cout << indent << key << (items.size() > 10 ? " (largest 10 of " + std::to_string(items.size()) + ")" : "")
                << ":\n";
      for (std::size_t i = 0; i < std::min<std::size_t>(10, items.size()); ++i)
        std::cout << indent << "  " << std::left << std::setw(32) << items[i].first << std::right << std::setw(12)
                  << std::setprecision(4) << items[i].second << '\n';
    } else if (value.is_array() && value.size() > 10 &&
               std::all_of(value.begin(), value.end(), [](const auto& v) { return v.is_number(); })) {
      // A long series (a loss per boosting round): its ends, not every value.
      std::cout << indent << key << ": " << value.front().dump() << ", " << value[1].dump() << ", ..., "
                << value.back().dump() << " (" << value.size() << " values)\n";
    } else if (value.is_array()) {
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (!value[i].is_structured()) {
          std::cout << indent << key << "[" << i << "]: " << value[i].dump() << '\n';
          continue;
        }
        print_learned(nlohmann::json{{key + "[" + std::to_string(i) + "]", value[i]}}, indent);
      }
    } else {
      std::cout << indent << key << ":\n";
      print_learned(value, indent + "  ");
    }
  }
}

void add_inspect(CLI::App& app) {
  auto* cmd = app.add_subcommand("inspect", "Show a model file's metadata, schema, parameters and what it learned");
  auto path = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto trees = std::make_shared<bool>(false);
  cmd->add_option("model", *path, "model file, or models:/NAME/STAGE|VERSION from the registry")->required();
  cmd->add_flag("--json", *json, "print as JSON");
  cmd->add_flag("--trees", *trees, "print every tree of a tree model as JSON (thresholds, categories, leaf values)");
  cmd->callback([=] {
    std::string bytes;
    try {
      bytes = read_file(resolve_model_path(*path));
    } catch (const DataError& e) {
      throw ModelError(e.what());
    }
    const Model model = decode_model(bytes, *path);
    if (*trees) {
      const nlohmann::json dump = model.dump_trees();
      if (dump.is_null()) throw UsageError(model.estimator() + " has no trees to print");
      std::cout << dump.dump(2) << '\n';
      return;
    }
    nlohmann::json header = read_model_header(bytes, *path);
    header["learned"] = model.inspect();
    if (*json) {
      std::cout << header.dump(2) << '\n';
      return;
    }
    std::ostringstream params;
    for (const auto& [k, val] : model.params().values()) params << (params.tellp() ? ", " : "") << k << "=" << val;
    std::cout << *path << " (shipml model format " << header["format_version"] << ", written by shipml "
              << header["shipml_version"].get<std::string>() << " at " << header["created"].get<std::string>() << ")\n"
              << "  estimator  " << model.estimator() << " (" << params.str() << ")\n"
              << "  task       " << describe_task(model.task(), model.classes()) << "\n"
              << "  target     " << model.target() << "\n";
    if (const auto& t = model.metadata().value("training", nlohmann::json::object()); !t.empty())
      std::cout << "  trained on " << t.value("source", std::string("(in memory)")) << ": " << t.value("rows", 0)
                << " rows, fingerprint " << t.value("fingerprint", std::string("?")) << "\n";
    if (const auto& c = model.calibration())
      std::cout << "  calibrated " << to_string(c->method) << ", on out-of-fold "
                << header["calibration"]["input"].get<std::string>() << " of " << c->folds << " folds\n";
    if (const auto t = model.decision_threshold()) {
      std::cout << "  threshold  " << std::defaultfloat << std::setprecision(4) << *t << ": predicts "
                << model.classes().at(1) << " from that probability";
      if (model.threshold()->tuned())
        std::cout << " (tuned for " << model.threshold()->metric << " by " << model.threshold()->folds
                  << "-fold CV: " << std::setprecision(4) << model.threshold_score() << ")";
      std::cout << '\n';
    }
    std::cout << "  schema     " << model.schema().fields().size() << " features\n";
    std::size_t width = 0;
    for (const auto& f : model.schema().fields()) width = std::max(width, f.name.size());
    for (const auto& f : model.schema().fields()) {
      std::cout << "    " << std::left << std::setw(static_cast<int>(width + 2)) << f.name << to_string(f.type);
      if (f.categories) {
        std::vector<std::string> first(f.categories->begin(),
                                       f.categories->begin() + std::min<std::ptrdiff_t>(5, f.categories->size()));
        std::cout << " (" << f.categories->size() << ": " << join(first) << (f.categories->size() > 5 ? ", ..." : "")
                  << ")";
      }
      std::cout << '\n';
    }
    std::cout << "  learned\n";
    print_learned(header["learned"], "    ");
  });
}

}  // namespace

std::string read_token(const std::string& path) {
  std::string token = read_file(path);
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) throw UsageError("--token-file " + path + " is empty");
  return token;
}

void add_commands(CLI::App& app) {
  add_estimators(app);
  add_metrics(app);
  add_train(app);
  add_transformers(app);
  add_score(app);
  add_predict(app);
  add_copy(app);
  add_explain(app);
  add_drift(app);
  add_inspect(app);
  add_signing(app);
  add_serve(app);
  add_ui(app);
  add_runs(app);
  add_registry(app);
  add_experiments(app);
  add_plots(app);
}

}  // namespace shipml::cli
