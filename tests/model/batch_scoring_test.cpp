// score_batch: blocks scored on several threads come out in the source's
// order, equal to scoring the whole input at once; memory stays within the
// window of blocks in flight; an error anywhere commits nothing.
#include "shipml/model/batch_scoring.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <numeric>

#include "shipml/core/error.hpp"
#include "support.hpp"

namespace shipml {
namespace {

// Rows of a frame handed out `rows_per_block` at a time. It keeps count of
// blocks handed out, so the sink can see how far the reader ran ahead.
class FrameSource : public DataSource {
 public:
  FrameSource(Frame frame, std::size_t rows_per_block, std::size_t fail_at_block = SIZE_MAX)
      : frame_(std::move(frame)), rows_per_block_(rows_per_block), fail_at_block_(fail_at_block) {}
  Frame read_all() override { return frame_; }
  std::optional<SourceBlock> next_block(std::size_t) override {
    if (next_ >= frame_.rows()) return std::nullopt;
    const std::size_t first = next_, end = std::min(frame_.rows(), next_ + rows_per_block_);
    next_ = end;
    const std::size_t block = handed_out++;
    return SourceBlock{first, [this, first, end, block] {
                         if (block == fail_at_block_) throw DataError("frame:" + std::to_string(first + 2) + ": bad");
                         std::vector<std::size_t> rows(end - first);
                         std::iota(rows.begin(), rows.end(), first);
                         return frame_.take(rows);
                       }};
  }
  std::string describe() const override { return "frame"; }
  nlohmann::json record() const override { return {{"kind", "frame"}}; }
  std::atomic<std::size_t> handed_out{0};

 private:
  Frame frame_;
  std::size_t rows_per_block_, fail_at_block_, next_ = 0;
};

// A source that cannot be read (a header without a column the model needs):
// each call fails, saying which call it was.
class BrokenSource : public DataSource {
 public:
  Frame read_all() override { return {}; }
  std::optional<SourceBlock> next_block(std::size_t) override {
    throw DataError("broken:1: read " + std::to_string(++calls));
  }
  std::string describe() const override { return "broken"; }
  nlohmann::json record() const override { return {{"kind", "broken"}}; }
  std::atomic<int> calls{0};
};

class FrameSink : public DataSink {
 public:
  explicit FrameSink(const FrameSource* source = nullptr, std::size_t fail_at_write = SIZE_MAX)
      : source_(source), fail_at_write_(fail_at_write) {}
  void write(const Frame& rows) override {
    if (writes_ == fail_at_write_) throw FileError("sink: write failed: No space left on device", 28);
    if (source_) ahead = std::max(ahead, source_->handed_out.load() - writes_);
    ++writes_;
    blocks.push_back(rows);
  }
  void commit() override { committed = true; }
  std::string describe() const override { return "frames"; }
  nlohmann::json record() const override { return {{"kind", "frames"}}; }
  // Every row written, one frame, by concatenating the blocks' text.
  std::vector<std::string> cells(const std::string& column) const {
    std::vector<std::string> out;
    for (const Frame& f : blocks)
      for (std::size_t i = 0; i < f.rows(); ++i) out.push_back(f.column(column).text(i));
    return out;
  }
  std::vector<Frame> blocks;
  bool committed = false;
  std::size_t ahead = 0;

 private:
  const FrameSource* source_;
  std::size_t fail_at_write_, writes_ = 0;
};

class BatchScoringTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = test::synthetic(Task::classification, 2000);
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < data_.rows(); ++i) ids.push_back("row" + std::to_string(i));
    model_.fit(data_);
    input_ = data_.features();
    input_.add(Column::from_strings("customer", ids));
  }
  std::vector<std::string> whole(const std::string& column, const OutputColumns& columns) const {
    const Frame f = prediction_frame(model_, input_, columns);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < f.rows(); ++i) out.push_back(f.column(column).text(i));
    return out;
  }
  Dataset data_;
  Model model_{"hist_gbdt", {{"n_estimators", "20"}}};
  Frame input_;
};

TEST_F(BatchScoringTest, BlocksOnSeveralThreadsComeOutInOrderAndEqualScoringAtOnce) {
  const OutputColumns columns{{"customer"}, true, false};
  for (const int threads : {1, 2, 3}) {
    FrameSource source(input_, 37);
    FrameSink sink;
    const BatchResult r = score_batch(model_, source, sink, {columns, 0, threads, {}});
    EXPECT_TRUE(sink.committed);
    EXPECT_EQ(r.rows, input_.rows());
    EXPECT_EQ(r.blocks, (input_.rows() + 36) / 37);
    EXPECT_EQ(sink.cells("customer"), whole("customer", columns)) << threads << " threads";
    EXPECT_EQ(sink.cells("prediction"), whole("prediction", columns)) << threads << " threads";
    EXPECT_EQ(sink.cells("proba_" + model_.classes()[1]), whole("proba_" + model_.classes()[1], columns));
  }
}

TEST_F(BatchScoringTest, TheFingerprintDependsOnTheRowsNotOnBlocksOrThreads) {
  std::set<std::string> seen;
  for (const auto& [rows_per_block, threads] : {std::pair{1000, 1}, {7, 2}, {2000, 2}}) {
    FrameSource source(input_, rows_per_block);
    FrameSink sink;
    seen.insert(score_batch(model_, source, sink, {{}, 0, threads, {}}).fingerprint);
  }
  EXPECT_EQ(seen.size(), 1u);
  Frame changed = input_.take(std::vector<std::size_t>{1, 0});  // two rows swapped
  FrameSource a(input_.take(std::vector<std::size_t>{0, 1}), 1), b(changed, 1);
  FrameSink sa, sb;
  EXPECT_NE(score_batch(model_, a, sa).fingerprint, score_batch(model_, b, sb).fingerprint);
}

TEST_F(BatchScoringTest, TheReaderRunsAtMostTwoBlocksPerThreadAheadOfTheWriter) {
  FrameSource source(input_, 10);
  FrameSink sink(&source);
  score_batch(model_, source, sink, {{}, 0, 2, {}});
  EXPECT_GE(sink.ahead, 1u);
  EXPECT_LE(sink.ahead, 4u);
}

TEST_F(BatchScoringTest, AnErrorInALateBlockCommitsNothingAndNamesTheRow) {
  FrameSource source(input_, 50, 30);
  FrameSink sink;
  try {
    score_batch(model_, source, sink, {{}, 0, 2, {}});
    FAIL() << "the bad block was scored";
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), "frame:1502: bad");
  }
  EXPECT_FALSE(sink.committed);
  EXPECT_LE(sink.blocks.size(), 30u);
}

TEST_F(BatchScoringTest, AReadThatFailsIsTheErrorAndNobodyReadsOnFromWhereItStopped) {
  for (const int threads : {2, 3, 4}) {
    BrokenSource source;
    FrameSink sink;
    try {
      score_batch(model_, source, sink, {{}, 0, threads, {}});
      FAIL() << "nothing was read, yet scoring succeeded";
    } catch (const DataError& e) {
      EXPECT_EQ(std::string(e.what()), "broken:1: read 1") << threads << " threads";
    }
    EXPECT_EQ(source.calls.load(), 1) << threads << " threads";
    EXPECT_FALSE(sink.committed);
  }
}

TEST_F(BatchScoringTest, ASinkThatFailsStopsTheWorkAndCommitsNothing) {
  FrameSource source(input_, 50);
  FrameSink sink(nullptr, 3);
  EXPECT_THROW(score_batch(model_, source, sink, {{}, 0, 2, {}}), FileError);
  EXPECT_FALSE(sink.committed);
  EXPECT_LT(source.handed_out.load(), 40u / 2 + 8);  // stopped soon after, not at the end
}

TEST_F(BatchScoringTest, ReadOptionsGiveTheSchemasTypesAndOnlyTheColumnsNeeded) {
  const CsvOptions o = batch_read_options(model_, {{"customer"}, false, false});
  EXPECT_EQ(o.columns, (std::vector<std::string>{"x1", "x2", "color", "customer"}));
  EXPECT_EQ(o.numeric, (std::vector<std::string>{"x1", "x2"}));
  EXPECT_EQ(o.categorical, (std::vector<std::string>{"color", "customer"}));
}

}  // namespace
}  // namespace shipml
