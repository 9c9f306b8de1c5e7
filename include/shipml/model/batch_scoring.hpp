#pragma once
/// \file
/// Scoring data of any size: rows are read block by block from a source,
/// scored on every core and written to a sink in the source's order, with
/// memory bounded by a budget, not by the data. `shipml predict` is this.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/core/frame.hpp"
#include "shipml/io/data_source.hpp"
#include "shipml/model/model.hpp"

namespace shipml {

/// What each output row holds, besides the prediction.
struct SHIPML_API OutputColumns {
  std::vector<std::string> ids;  ///< input columns copied in front, to identify rows
  bool proba = false;            ///< one probability column per class (classification)
  bool explain = false;          ///< each input column's contribution (docs/explain.md)
};

/// The output rows for `input`: the id columns, `prediction` (the class label
/// or the number), then the `proba_CLASS` and contribution columns asked for.
/// A UsageError for --proba on a regression model, or an id not in `input`.
SHIPML_API Frame prediction_frame(const Model& model, const Frame& input, const OutputColumns& columns);

/// How score_batch() reads, works and reports.
struct SHIPML_API BatchOptions {
  OutputColumns columns;  ///< what each output row holds
  /// Memory for rows in flight (read, scored, waiting to be written), in bytes;
  /// the process needs this beside the model itself. 0: 256 MB, or less when
  /// the machine or container has less available (core/memory.hpp).
  std::size_t memory_budget = 0;
  int threads = 0;  ///< 0: all cores
  /// Called after each block is written, with the rows written so far.
  std::function<void(std::size_t rows)> progress;
};

/// What score_batch() did.
struct SHIPML_API BatchResult {
  std::size_t rows = 0;     ///< rows read, scored and written
  std::size_t blocks = 0;   ///< blocks they came in
  std::string fingerprint;  ///< of the rows read, by content; see streamed_fingerprint
  double seconds = 0;       ///< wall time, from open to commit
};

/// The read options that give every block the model's types: its numeric
/// fields numeric, its categorical fields and the id columns categorical (ids
/// pass through as written), and only those columns read. `base` keeps its
/// missing-value tokens and delimiter.
SHIPML_API CsvOptions batch_read_options(const Model& model, const OutputColumns& columns, CsvOptions base = {});

/// Reads every block of `source`, scores it and writes it to `sink`, then
/// commits the sink; on any error nothing is committed (the sink leaves no
/// trace) and the error names the source or the sink. Output rows keep the
/// source's order whatever the thread count, and equal prediction_frame() of
/// the whole input.
SHIPML_API BatchResult score_batch(const Model& model, DataSource& source, DataSink& sink,
                                   const BatchOptions& options = {});

}  // namespace shipml
