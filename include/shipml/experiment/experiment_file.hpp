#pragma once
/// \file
/// Experiment files: the data, validation, metrics, estimators, search space,
/// feature selection and seed of an experiment in one YAML (or JSON) file that
/// lives in version control, so `shipml run FILE` reproduces it. The format is
/// documented in docs/experiments.md. Paths are relative to the directory
/// shipml runs in, as they are on the command line.
///
/// What runs, in order: feature selection (when `select` is given; with
/// `apply: true` the later steps see only the selected columns), then a
/// comparison of the estimators (when there are several), then a search over
/// the parameters of one estimator (when `search` is given: the one it names,
/// else the comparison's best or the only one), else a score of the only one.
/// The winner is refit on all rows and saved as best.shipml in the output folder.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/experiment/search.hpp"
#include "shipml/experiment/selection.hpp"
#include "shipml/io/csv.hpp"

namespace shipml {

/// One estimator of an experiment, with its parameters and pipeline.
struct SHIPML_API EstimatorSpec {
  std::string name;                            ///< a registered estimator's name
  std::map<std::string, std::string> params;   ///< the estimator's, and "step.param"
  std::vector<StepSpec> steps;                 ///< a pipeline before it (none: the estimator alone)
  std::optional<CalibrationSpec> calibration;  ///< calibrated, when given
  std::optional<ThresholdSpec> threshold;      ///< a binary decision threshold, when given

  /// The unfitted model it declares.
  Model model() const;
};

/// The feature selection of an experiment (its `select` section).
struct SHIPML_API SelectSpec {
  std::string method;              ///< kbest, rfe, rfecv, sequential
  std::string estimator;           ///< rfe, rfecv, sequential (default: the first estimator)
  KBestOptions kbest;              ///< for kbest
  EliminationOptions elimination;  ///< for rfe and rfecv
  SequentialOptions sequential;    ///< for sequential
  bool apply = false;              ///< later steps use only the selected columns
};

/// An experiment file, read and checked.
struct SHIPML_API ExperimentSpec {
  std::string file;  ///< where it was read from
  std::string name;  ///< groups its runs (the experiment name of every run it records)
  /// The data: a file (CSV, JSON lines) or a database URI (data.path).
  std::string data, target;                 ///< the target column
  std::string table;                        ///< data.table: the database table to read
  std::string query;                        ///< data.query: or the SELECT whose rows to read
  CsvOptions csv;                           ///< how to read the data file
  std::optional<Task> task;                 ///< inferred from the target when not given
  std::string weight;                       ///< data.weight: the column of row weights (empty: none)
  Validation validation{.folds = 5};        ///< how every model is scored (default: 5-fold CV)
  std::string group;                        ///< validation.group: a role column of the data (Dataset::group)
  std::string time;                         ///< validation.time: a role column of the data (Dataset::time)
  std::string fold;                         ///< validation.fold_column: a role column of the data (Dataset::fold)
  std::vector<std::string> metrics;         ///< default: the task's usual set
  std::string sort;                         ///< the metric that ranks (default: the first)
  std::vector<EstimatorSpec> estimators;    ///< compared when there are several
  std::optional<SelectSpec> select;         ///< feature selection, when given
  std::optional<SearchSpace> search_space;  ///< the search, when given
  std::string search_estimator;             ///< default: the best of the comparison, or the only estimator
  SearchOptions search;                     ///< search budgets, halving and refit
  std::string out;                          ///< results folder (default: "experiment-NAME")

  /// Reads and checks the file: an unknown key, a wrong type, an unknown
  /// estimator or parameter is a UsageError naming the file, line and column.
  static ExperimentSpec read(const std::string& path);
};

/// What run_experiment() did.
struct SHIPML_API ExperimentOutcome {
  std::string report;                ///< what happened, as text for a terminal
  std::vector<std::string> files;    ///< what was written
  std::vector<std::string> run_ids;  ///< the runs recorded
};

/// Runs it and writes the results into spec.out.
SHIPML_API ExperimentOutcome run_experiment(const ExperimentSpec& spec);

}  // namespace shipml
