// Streaming scoring: `threads` workers share one source and one sink. A worker
// takes the next block under the read lock (reading is sequential and cheap),
// decodes and scores it on its own (the expensive part, in parallel), then
// puts the result in a reorder buffer; whoever holds the block that is next in
// order writes it, and any that follow. A worker may run at most `window`
// blocks ahead of the writer, which is what bounds memory.
#include "shipml/model/batch_scoring.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>

#include "shipml/core/error.hpp"
#include "shipml/core/hash.hpp"
#include "shipml/core/memory.hpp"
#include "shipml/core/parallel.hpp"
#include "shipml/core/progress.hpp"
#include "shipml/model/contributions.hpp"

namespace shipml {

Frame prediction_frame(const Model& model, const Frame& input, const OutputColumns& columns) {
  Frame result;
  for (const std::string& id : columns.ids) {
    if (!input.find(id)) throw UsageError("--id: the data has no column '" + id + "'");
    result.add(input.column(id));
  }
  const Predictions p = model.predict(input);
  if (p.task == Task::classification) {
    // Codes into the classes, not texts: no dictionary to build per block.
    std::vector<std::int32_t> codes(p.values.begin(), p.values.end());
    result.add(Column::categorical("prediction", std::move(codes), std::make_shared<const Categories>(p.classes)));
    if (columns.proba)
      for (std::size_t c = 0; c < p.classes.size(); ++c) {
        const auto col = p.proba.col(static_cast<Eigen::Index>(c));
        result.add(Column::numeric("proba_" + p.classes[c], {col.data(), col.data() + col.size()}));
      }
  } else {
    if (columns.proba) throw UsageError("--proba needs a classification model; this one does regression");
    result.add(Column::numeric("prediction", p.values));
  }
  if (columns.explain) {
    const Frame explained = contribution_columns(model.contributions(input), model.raw_output(input));
    for (const Column& c : explained.columns()) result.add(c);
  }
  return result;
}

CsvOptions batch_read_options(const Model& model, const OutputColumns& columns, CsvOptions base) {
  base.numeric.clear();
  base.categorical.clear();
  base.columns.clear();
  for (const Field& f : model.schema().fields()) {
    (f.type == ColumnType::numeric ? base.numeric : base.categorical).push_back(f.name);
    base.columns.push_back(f.name);
  }
  for (const std::string& id : columns.ids) {
    if (std::find(base.columns.begin(), base.columns.end(), id) != base.columns.end()) continue;
    base.categorical.push_back(id);
    base.columns.push_back(id);
  }
  base.required = base.columns;
  return base;
}

namespace {

// The content of every block read, hashed column by column in row order, so
// it does not depend on how the rows were cut into blocks or on threads.
class StreamedFingerprint {
 public:
  void add(const Frame& rows) {
    if (columns_.empty()) {
      for (const Column& c : rows.columns()) columns_.push_back({c.name(), c.type(), Hasher{}});
    }
    for (std::size_t i = 0; i < rows.cols(); ++i) {
      const Column& c = rows[i];
      Hasher& h = columns_[i].hash;
      if (c.is_numeric()) {
        for (const double v : c.values())
          h.word(std::isnan(v) ? 0x7ff8000000000000ULL : std::bit_cast<std::uint64_t>(v));
        continue;
      }
      std::vector<std::uint64_t> text_hash;  // one hash per category, not per cell
      text_hash.reserve(c.categories().size());
      for (const std::string& t : c.categories()) text_hash.push_back(Hasher{}.text(t).digest());
      for (const std::int32_t code : c.codes()) h.word(code < 0 ? 0 : text_hash[static_cast<std::size_t>(code)]);
    }
    rows_ += rows.rows();
  }
  std::string hex() const {
    Hasher h;
    h.word(rows_);
    for (const auto& c : columns_) h.text(c.name).word(static_cast<std::uint64_t>(c.type)).word(c.hash.digest());
    return h.hex();
  }

 private:
  struct ColumnHash {
    std::string name;
    ColumnType type;
    Hasher hash;
  };
  std::vector<ColumnHash> columns_;
  std::size_t rows_ = 0;
};

class BlockPipeline {
 public:
  BlockPipeline(const Model& model, DataSource& source, DataSink& sink, const BatchOptions& options, std::size_t window,
                std::size_t block_bytes)
      : model_(model), source_(source), sink_(sink), options_(options), window_(window), block_bytes_(block_bytes),
        bar_("scoring " + source.describe(), source.size()) {}

  void work() {
    while (true) {
      std::optional<SourceBlock> block;
      std::size_t sequence = 0;
      {
        std::lock_guard read(read_mutex_);
        if (!wait_for_room()) return;
        if (exhausted_) return;
        try {
          block = source_.next_block(block_bytes_);
        } catch (...) {
          // The source stopped where it broke: a worker reading on from there
          // would read the rest as something else (the second line as the
          // header) and report that instead of the real error.
          exhausted_ = true;
          throw;
        }
        if (!block) {
          exhausted_ = true;
          return;
        }
        sequence = read_++;
      }
      Frame input = block->decode();
      Frame output = prediction_frame(model_, input, options_.columns);
      deliver(sequence, std::move(input), std::move(output));
      bar_.tick(block->bytes);
    }
  }
  void fail() {
    std::lock_guard lock(write_mutex_);
    failed_ = true;
    room_.notify_all();
  }
  BatchResult result() const { return {written_rows_, written_, fingerprint_.hex(), 0}; }

 private:
  // Holding the read lock: waits until the next block would be within the
  // window ahead of the writer. False when another worker failed.
  bool wait_for_room() {
    std::unique_lock lock(write_mutex_);
    room_.wait(lock, [&] { return failed_ || read_ < written_ + window_; });
    return !failed_;
  }

  void deliver(std::size_t sequence, Frame input, Frame output) {
    std::lock_guard lock(write_mutex_);
    if (failed_) return;
    waiting_.emplace(sequence, std::make_pair(std::move(input), std::move(output)));
    for (auto next = waiting_.find(written_); next != waiting_.end(); next = waiting_.find(written_)) {
      fingerprint_.add(next->second.first);
      sink_.write(next->second.second);
      written_rows_ += next->second.second.rows();
      waiting_.erase(next);
      ++written_;
      if (options_.progress) options_.progress(written_rows_);
    }
    room_.notify_all();
  }

  const Model& model_;
  DataSource& source_;
  DataSink& sink_;
  const BatchOptions& options_;
  const std::size_t window_;
  const std::size_t block_bytes_;

  std::mutex read_mutex_;  // the source, exhausted_, read_
  bool exhausted_ = false;
  std::size_t read_ = 0;

  std::mutex write_mutex_;  // the sink and everything below
  std::condition_variable room_;
  bool failed_ = false;
  std::size_t written_ = 0;
  std::size_t written_rows_ = 0;
  std::map<std::size_t, std::pair<Frame, Frame>> waiting_;
  StreamedFingerprint fingerprint_;
  Progress bar_;  // by bytes of the source, when its size is known
};

}  // namespace

BatchResult score_batch(const Model& model, DataSource& source, DataSink& sink, const BatchOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const int threads = options.threads > 0 ? options.threads : default_threads();
  const std::size_t window = static_cast<std::size_t>(threads) * 2;
  const std::size_t budget =
      options.memory_budget > 0
          ? options.memory_budget
          : static_cast<std::size_t>(std::min<std::uint64_t>(256ULL << 20, available_memory() / 2));
  // A block's text becomes about eight times its size while in flight (its
  // columns, the encoded matrix, the scores and their text): that many blocks
  // must fit the budget. Blocks beyond 1 MB gain no speed, only memory.
  const std::size_t block_bytes = std::clamp<std::size_t>(budget / (8 * window), 16 << 10, 1 << 20);
  BlockPipeline pipeline(model, source, sink, options, window, block_bytes);
  parallel_for(static_cast<std::size_t>(threads), threads, [&](std::size_t) {
    try {
      pipeline.work();
    } catch (...) {
      pipeline.fail();
      throw;
    }
  });
  sink.commit();
  BatchResult result = pipeline.result();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace shipml
