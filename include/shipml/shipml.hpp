#pragma once
/// \file
/// Everything a shipml user needs, in one include.

/// \mainpage
///
/// shipml takes tabular machine-learning models from experiment to production,
/// in C++. A Model is trained, scored, saved, loaded and predicts the same way
/// from C++, Python, the command line and REST. It is one self-describing file
/// that loads without running code, so the model fitted in a notebook is the
/// file the server answers with. Training and scoring can be recorded as runs,
/// and models promoted through a registry.
///
/// Two libraries, found with `find_package(shipml)`:
/// - `shipml::runtime` (libshipml_runtime): load a model file, check the
///   schema, predict (and train). It links none of SQLite, PostgreSQL, Cairo
///   or yaml-cpp.
/// - `shipml::shipml` (libshipml): everything, including run records and the
///   registry, charts and reports, experiments and the HTTP server.
///
/// Where to start:
/// - shipml/model/model.hpp: shipml::Model, the one thing users train, score, save,
///   load and predict with.
/// - shipml/io/csv.hpp: reading CSV files into a shipml::Frame or a
///   shipml::Dataset; shipml/sources/open.hpp: any source (CSV, compressed,
///   JSON lines, SQLite, PostgreSQL) and sink.
/// - shipml/model/batch_scoring.hpp: scoring data of any size in bounded
///   memory (shipml::score_batch).
/// - shipml/model/scoring.hpp: hold-out and cross-validated scores (shipml::score(),
///   shipml::Validation, shipml::Result).
/// - shipml/model/calibration.hpp, shipml/model/threshold.hpp: calibrated
///   probabilities and decision thresholds (shipml::Model::calibrated,
///   shipml::Model::with_threshold).
/// - shipml/model/contributions.hpp: each prediction's contribution per input
///   column (shipml::Model::contributions).
/// - shipml/track/recorded.hpp: training and scoring recorded as runs.
/// - shipml/experiment/search.hpp: hyperparameter search.
/// - shipml/serve/server.hpp: the HTTP server behind `shipml serve`.

/// \namespace shipml
/// Everything shipml offers a program: data, models, scoring, experiments,
/// run records, charts and the server.
#include "shipml/core/error.hpp"
#include "shipml/core/frame.hpp"
#include "shipml/data/dataset.hpp"
#include "shipml/data/split.hpp"
#include "shipml/estimators/estimator.hpp"
#include "shipml/io/csv.hpp"
#include "shipml/io/data_source.hpp"
#include "shipml/metrics/metrics.hpp"
#include "shipml/model/batch_scoring.hpp"
#include "shipml/model/calibration.hpp"
#include "shipml/model/contributions.hpp"
#include "shipml/model/model.hpp"
#include "shipml/model/model_file.hpp"
#include "shipml/model/model_spec.hpp"
#include "shipml/model/partial_dependence.hpp"
#include "shipml/model/scoring.hpp"
#include "shipml/model/threshold.hpp"
#include "shipml/preprocess/pipeline.hpp"
