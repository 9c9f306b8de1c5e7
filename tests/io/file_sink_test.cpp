// CSV and JSON-lines files as sinks: rows written in pieces read back as the
// frame, compressed by extension, and nothing appears unless committed.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "io/io_helpers.hpp"
#include "shipml/io/byte_stream.hpp"
#include "shipml/io/data_source.hpp"
#include "support.hpp"

namespace shipml {
namespace {

namespace fs = std::filesystem;

Frame sample_frame(std::size_t rows) {
  std::vector<double> score(rows);
  std::vector<std::string> label(rows);
  std::vector<bool> missing(rows);
  const char* labels[] = {"plain",
                          "with, comma",
                          "say \"hi\"",
                          "two\nlines",
                          "\xEF\xBB\xBF"
                          "bom",
                          "tab\there\\"};
  for (std::size_t i = 0; i < rows; ++i) {
    score[i] = i % 10 == 3 ? NAN : static_cast<double>(i) / 7.0 - 3;
    label[i] = labels[i % 6];
    missing[i] = i % 11 == 4;
  }
  Frame f;
  f.add(Column::numeric("score", score));
  f.add(Column::from_strings("label \"x\"", label, missing));
  return f;
}

std::vector<std::size_t> range(std::size_t begin, std::size_t end) {
  std::vector<std::size_t> rows;
  for (std::size_t i = begin; i < end; ++i) rows.push_back(i);
  return rows;
}

// The frame written in three pieces.
void write_in_pieces(DataSink& sink, const Frame& f) {
  const std::size_t a = f.rows() / 3, b = 2 * f.rows() / 3;
  sink.write(f.take(range(0, a)));
  sink.write(f.take(range(a, a)));
  sink.write(f.take(range(a, b)));
  sink.write(f.take(range(b, f.rows())));
}

TEST(FileSink, CsvInPiecesIsToCsvOfTheWholeInEveryCompression) {
  test::TempDir tmp;
  const Frame f = sample_frame(20000);
  for (const char* name : {"out.csv", "out.csv.gz", "out.csv.zst"}) {
    SinkSpec spec;
    spec.location = tmp.file(name);
    auto sink = open_file_sink(spec);
    write_in_pieces(*sink, f);
    EXPECT_FALSE(fs::exists(spec.location)) << name;
    sink->commit();
    EXPECT_EQ(detect_compression(spec.location), compression_for(spec.location)) << name;
    EXPECT_EQ(read_text(spec.location), to_csv(f)) << name;
    EXPECT_EQ(sink->record(), (nlohmann::json{{"kind", "csv"}, {"location", spec.location}, {"rows", 20000}}));
    const Frame back = read_csv(spec.location);
    ASSERT_EQ(back.rows(), f.rows());
    for (std::size_t i = 0; i < f.rows(); i += 97) EXPECT_EQ(back[1].text(i), f[1].text(i)) << name;
  }
}

TEST(FileSink, JsonLinesHoldNumbersStringsAndNulls) {
  test::TempDir tmp;
  Frame f;
  f.add(Column::numeric("x", {1.5, NAN, -2, 1e300}));
  f.add(Column::from_strings("s", {"a\"b\\c", "", "line\nbreak\x01", "ünï"}, {false, true, false, false}));
  SinkSpec spec;
  spec.location = tmp.file("rows.jsonl");
  auto sink = open_file_sink(spec);
  sink->write(f);
  sink->commit();
  EXPECT_EQ(read_text(spec.location), "{\"x\":1.5,\"s\":\"a\\\"b\\\\c\"}\n"
                                      "{\"x\":null,\"s\":null}\n"
                                      "{\"x\":-2,\"s\":\"line\\nbreak\\u0001\"}\n"
                                      "{\"x\":1e+300,\"s\":\"ünï\"}\n");
  EXPECT_EQ(sink->record()["kind"], "jsonl");
  EXPECT_EQ(sink->record()["rows"], 4);
}

TEST(FileSink, JsonLinesCompressedRoundTripThroughAJsonParser) {
  test::TempDir tmp;
  const Frame f = sample_frame(5000);
  for (const char* name : {"r.ndjson.gz", "r.jsonl.zst"}) {
    SinkSpec spec;
    spec.location = tmp.file(name);
    auto sink = open_file_sink(spec);
    write_in_pieces(*sink, f);
    sink->commit();
    std::istringstream lines(read_text(spec.location));
    std::string line;
    std::size_t i = 0;
    for (; std::getline(lines, line); ++i) {
      const auto row = nlohmann::json::parse(line);
      if (f[0].is_missing(i)) EXPECT_TRUE(row["score"].is_null());
      else EXPECT_EQ(row["score"].get<double>(), f[0].values()[i]);
      if (f[1].is_missing(i)) EXPECT_TRUE(row["label \"x\""].is_null());
      else EXPECT_EQ(row["label \"x\""].get<std::string>(), f[1].text(i));
    }
    EXPECT_EQ(i, f.rows()) << name;
  }
}

TEST(FileSink, AnUncommittedOrFailedSinkLeavesNoFile) {
  test::TempDir tmp;
  SinkSpec spec;
  spec.location = tmp.file("never.csv.gz");
  {
    auto sink = open_file_sink(spec);
    sink->write(sample_frame(100));
  }
  EXPECT_TRUE(fs::is_empty(tmp.path()));

  spec.location = tmp.file("full.csv");
  auto sink = open_file_sink(spec);
  ASSERT_TRUE(test::make_writes_fail(spec.location + ".tmp." + std::to_string(::getpid())));
  const std::string error = test::error_of([&] {
    sink->write(sample_frame(100000));
    sink->commit();
  });
  EXPECT_EQ(error, spec.location + ": write failed: No space left on device");
  EXPECT_TRUE(fs::is_empty(tmp.path()));
}

TEST(FileSink, ChangedColumnsAreRefused) {
  test::TempDir tmp;
  SinkSpec spec;
  spec.location = tmp.file("c.csv");
  auto sink = open_file_sink(spec);
  sink->write(sample_frame(3));
  Frame other;
  other.add(Column::numeric("y", {1.0}));
  EXPECT_THROW(sink->write(other), DataError);
}

}  // namespace
}  // namespace shipml
