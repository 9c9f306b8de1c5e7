#pragma once
// Options several commands share: the data, the estimator, the validation.
#include <CLI/CLI.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shipml/core/names.hpp"
#include "shipml/io/csv_chunks.hpp"
#include "shipml/io/file.hpp"
#include "shipml/shipml.hpp"
#include "shipml/sources/open.hpp"

namespace shipml::cli {

// Options every command that reads training data shares. --weight is here, not
// with the split's roles: a weight says how much a row counts in fitting and in
// every metric, which train needs as much as the scoring commands.
struct DataArgs {
  std::string path, table, query, target, task, weight;
  std::vector<std::string> categorical, numeric, missing;

  void add(CLI::App* cmd, bool with_target = true) {
    // A database URI names no file, so only a file path must exist.
    const CLI::Validator file_or_database(
        [](std::string& given) {
          if (is_database_uri(given)) return std::string();
          if (given.find_first_of("*?[") == std::string::npos) return CLI::ExistingFile(given);
          try {  // a pattern of files: `shipml train` shares them out over ranks
            data_files(given);
            return std::string();
          } catch (const Error& e) {
            return std::string(e.what());
          }
        },
        "FILE|URI");
    cmd->add_option("--data", path,
                    "CSV or JSON lines file with a header row, or a database: sqlite:///abs/path.db, "
                    "postgresql://user@host/db (with --table or --query; docs/data.md)")
        ->required()
        ->check(file_or_database);
    auto* t = cmd->add_option("--table", table, "with a database --data: the table to read");
    cmd->add_option("--query", query, "with a database --data: a SELECT whose rows to read")->excludes(t);
    if (with_target) cmd->add_option("--target,-t", target, "column to predict")->required();
    if (with_target)
      cmd->add_option("--weight", weight,
                      "column of row weights (numbers >= 0): how much each row counts in fitting and in every "
                      "metric, as scikit-learn's sample_weight (not a feature)");
    cmd->add_option("--categorical", categorical, "read this column as categories (repeatable)");
    cmd->add_option("--numeric", numeric, "read this column as numbers (repeatable)");
    cmd->add_option("--missing", missing, "extra token meaning a missing value (repeatable)");
    if (with_target)
      cmd->add_option("--task", task, "classification or regression (default: inferred from the target)");
  }
  CsvOptions csv() const {
    CsvOptions o;
    o.categorical = categorical;
    o.numeric = numeric;
    o.missing_values.insert(o.missing_values.end(), missing.begin(), missing.end());
    return o;
  }
  /// Where the data is and how to read it. A UsageError for --table or
  /// --query with a file, and for a database without one of them.
  SourceSpec spec() const {
    if (is_database_uri(path) && table.empty() && query.empty())
      throw UsageError("--data " + redact_location(path) + " is a database: name a --table or give a --query");
    if (!is_database_uri(path) && (!table.empty() || !query.empty()))
      throw UsageError(std::string(table.empty() ? "--query" : "--table") + " reads a database, but --data " + path +
                       " is a file");
    return SourceSpec{path, table, query, csv()};
  }
  /// The data, with its weight column (if any) set and checked.
  Dataset read() const {
    if (path.find_first_of("*?[") != std::string::npos && !is_database_uri(path))
      throw UsageError("--data " + path +
                       " is a pattern of files: `shipml train` reads those (docs/distributed.md); "
                       "give other commands one file");
    Dataset d = read_dataset(spec(), target);
    d.weight = weight;
    if (!weight.empty()) d.check_roles();
    return d;
  }
  // An output written over the input would replace the user's data with ours.
  void refuse_as_output(const std::string& out, std::string_view option = "--out") const {
    if (!out.empty() && same_file(out, path))
      throw UsageError(std::string(option) + " " + out + " is the --data file; writing it would replace your data " +
                       "(choose another name)");
  }
  std::optional<Task> task_override() const { return task.empty() ? std::nullopt : std::optional(parse_task(task)); }
};

/// --calibrate METHOD [--calibration-cv K], --threshold 0.3|tune:METRIC
/// [--threshold-cv K]: what wraps a classifier's learner (Model::calibrated,
/// Model::with_threshold). A spec file's own settings hold unless a flag is given.
struct DecisionArgs {
  std::string calibrate, threshold;
  int calibration_cv = 5, threshold_cv = 5;
  CLI::Option *calibration_cv_given = nullptr, *threshold_cv_given = nullptr;

  void add(CLI::App* cmd) {
    auto* c = cmd->add_option("--calibrate", calibrate,
                              "calibrate the probabilities: sigmoid (Platt) or isotonic, fitted on out-of-fold "
                              "predictions (docs/calibration.md)");
    calibration_cv_given = cmd->add_option("--calibration-cv", calibration_cv, "folds of those predictions (default 5)")
                               ->check(CLI::Range(2, 1000))
                               ->needs(c);
    auto* t = cmd->add_option("--threshold", threshold,
                              "binary: predict the positive (second) class from this probability (0.3), or tune "
                              "the threshold by cross-validation to maximise a metric (tune:f1)");
    threshold_cv_given = cmd->add_option("--threshold-cv", threshold_cv, "folds for tune: (default 5)")
                             ->check(CLI::Range(2, 1000))
                             ->needs(t);
  }
  Model apply(Model m) const {
    if (!calibrate.empty()) {
      CalibrationSpec spec{parse_calibration_method(calibrate), calibration_cv};
      if (m.calibration() && !*calibration_cv_given) spec.folds = m.calibration()->folds;
      m = m.calibrated(spec);
    } else if (m.calibration() && *calibration_cv_given) {
      m = m.calibrated({m.calibration()->method, calibration_cv});
    }
    if (!threshold.empty()) {
      ThresholdSpec spec = ThresholdSpec::parse(threshold);
      spec.folds = threshold_cv;
      spec.check();
      m = m.with_threshold(spec);
    }
    return m;
  }
};

/// -e NAME, or --pipeline FILE; --step and --set shape either; DecisionArgs wrap either.
struct EstimatorArgs {
  std::string name;
  std::vector<std::string> settings;
  std::string pipeline;
  std::vector<std::string> steps;
  DecisionArgs decision;

  /// `optional`: the command works without a model (select --method kbest).
  void add(CLI::App* cmd, bool optional = false) {
    cmd->add_option("--estimator,-e", name,
                    std::string("estimator name (see `shipml estimators`)") + (optional ? "" : "; or --pipeline"));
    cmd->add_option("--pipeline", pipeline, "a model spec file (YAML or JSON): steps and estimator (docs/pipelines.md)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--step", steps,
                    "a pipeline step TRANSFORMER[:COLUMN,...] before the estimator (repeatable, in order)");
    cmd->add_option("--set", settings, "parameter NAME=VALUE, or STEP.NAME=VALUE for a step (repeatable)");
    decision.add(cmd);
  }
  bool given() const { return !name.empty() || !pipeline.empty(); }
  /// The model named, calibrated and thresholded as the flags say.
  Model model() const { return decision.apply(named_model()); }
  /// The model -e or --pipeline names (with a spec file's own calibration and threshold).
  Model named_model() const {
    std::map<std::string, std::string> params;
    for (const auto& s : settings) {
      auto [k, v] = parse_assignment(s);
      params[k] = v;
    }
    if (!pipeline.empty() && !name.empty())
      throw UsageError("give -e or --pipeline, not both (the spec names its estimator)");
    if (!pipeline.empty() && !steps.empty())
      throw UsageError("--step adds to -e; put the steps in the --pipeline file instead");
    if (!pipeline.empty()) return read_model_spec(pipeline, params);
    if (name.empty()) throw UsageError("name an estimator (-e NAME) or a model spec (--pipeline FILE)");
    std::vector<StepSpec> specs;
    for (const auto& s : steps) specs.push_back(parse_step(s));
    return Model(name, params, specs);
  }
};

// "NAME=v1,v2,v3" -> (NAME, [v1, v2, v3]).
inline std::pair<std::string, std::vector<std::string>> parse_list(const std::string& text, const std::string& flag) {
  const auto [name, values] = parse_assignment(text);
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= values.size()) {
    const auto comma = values.find(',', start);
    out.push_back(values.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (out.back().empty()) throw UsageError(flag + " " + text + ": an empty value");
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return {name, out};
}

inline std::string describe_task(Task task, const std::vector<std::string>& classes) {
  if (task == Task::regression) return "regression";
  return std::string(classes.size() == 2 ? "binary" : std::to_string(classes.size()) + "-class") + " classification (" +
         join(classes) + ")";
}

/// --group, --time, --gap, --fold-column, --cv-repeats: which rows a split
/// keeps apart. The columns named are read for the split, never as features.
struct SplitArgs {
  std::string group, time, fold, gap;
  int repeats = 1;
  void add(CLI::App* cmd, bool with_repeats = true) {
    auto* g = cmd->add_option("--group", group, "column of groups: no group on both sides of a split (not a feature)");
    auto* t = cmd->add_option("--time", time,
                              "column of times (numbers or ISO dates): test only on rows later than those trained on "
                              "(not a feature)");
    auto* f = cmd->add_option("--fold-column", fold,
                              "column naming each row's test fold; rows where it is empty are always trained on "
                              "(not a feature)");
    g->excludes(t)->excludes(f);
    t->excludes(f);
    cmd->add_option("--gap", gap, "with --time: rows (5) or a span (12h, 7d, 2w) left out before each test block")
        ->needs(t);
    if (with_repeats)
      cmd->add_option("--cv-repeats", repeats, "repeated K-fold: the folds drawn this many times, other seeds")
          ->check(CLI::Range(1, 1000));
  }
  /// The data, its role columns set and checked.
  Dataset read(const DataArgs& data) const {
    Dataset d = data.read();
    d.group = group;
    d.time = time;
    d.fold = fold;
    d.check_roles();
    return d;
  }
  /// The repeats and the gap, into `v`.
  void apply(Validation& v) const {
    v.repeats = repeats;
    if (!gap.empty()) v.gap = TimeGap::parse(gap);
  }
};

/// --test-size | --cv, --seed, --threads, and the split's roles (SplitArgs).
struct ValidationArgs {
  Validation v;
  SplitArgs split;
  /// The validation, with the task given on the command line and the split's settings.
  Validation get(const DataArgs& data) const {
    Validation out = v;
    out.task = data.task_override();
    split.apply(out);
    return out;
  }
  void add(CLI::App* cmd, int default_folds = 0) {
    split.add(cmd);
    v.folds = default_folds;
    auto* test_size = cmd->add_option("--test-size", v.test_size, "fraction of rows held out (default 0.25)")
                          ->check(CLI::Range(0.0, 1.0));
    cmd->add_option("--cv", v.folds,
                    default_folds ? "K-fold cross-validation (default " + std::to_string(default_folds) + ")"
                                  : std::string("K-fold cross-validation instead of one hold-out split"))
        ->check(CLI::Range(2, 1000))
        ->excludes(test_size);
    cmd->add_option("--seed", v.seed, "seed for the split (default 42)");
    cmd->add_option("--threads", v.threads, "work at once (default: all cores)");
  }
};

}  // namespace shipml::cli
