#pragma once
/// \file
/// A batch scoring job as `shipml predict` runs it: a model (a file or a
/// registry reference) scores a source into a sink (model/batch_scoring.hpp),
/// and the job is recorded as a "predict" run: the model and its registry
/// version, the source and the fingerprint of the rows read, the output, the
/// rows, the time and the peak memory.
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shipml/core/export.hpp"
#include "shipml/io/data_source.hpp"
#include "shipml/model/batch_scoring.hpp"

namespace shipml {

/// What a batch job scores, with what, and where the scores go.
struct SHIPML_API BatchJob {
  std::string model;  ///< a model file, or models:/NAME/STAGE|VERSION
  /// A model already loaded (Python's shipml.Model): scored instead of
  /// loading `model`, which then only names it in the run record.
  std::shared_ptr<const Model> loaded;
  SourceSpec source;                 ///< its read options are completed from the model's schema
  SinkSpec sink;                     ///< where the scores go
  BatchOptions options;              ///< output columns, memory budget, threads
  std::string experiment;            ///< the run's experiment (empty: $SHIPML_EXPERIMENT or default)
  std::vector<std::string> command;  ///< the command line as typed (empty: the process's own)
  bool track = true;                 ///< record a run (unless tracking is off)
};

/// What a batch job did.
struct SHIPML_API BatchJobResult {
  BatchResult result;      ///< rows, blocks, fingerprint and time
  nlohmann::json source;   ///< the source's record (kind, location, table or query)
  nlohmann::json output;   ///< the sink's record (kind, location, table, rows)
  std::string run_id;      ///< empty when no run was recorded
  double peak_rss_mb = 0;  ///< the process's peak resident memory at the end
};

/// Runs `job`: nothing is written unless every row is scored (the sink is
/// committed only at the end), and the run is marked failed with the error.
SHIPML_API BatchJobResult run_batch_job(const BatchJob& job);

}  // namespace shipml
