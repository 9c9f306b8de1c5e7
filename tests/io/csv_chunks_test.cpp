// CSV in chunks and a rank's shard: every row read exactly once, in order,
// whatever the number of ranks and the chunk size; quoted line breaks never
// cut a row; errors name the file's line.
#include "shipml/io/csv_chunks.hpp"

#include <gtest/gtest.h>

#include "io/io_helpers.hpp"
#include "shipml/core/thread_ranks.hpp"
#include "support.hpp"

namespace shipml {
namespace {

using test::TempDir;

// Every cell as text, row by row: what a reader must give whatever cuts it made.
using Cells = std::vector<std::vector<std::string>>;

Cells cells_of(const Frame& f) {
  Cells out(f.rows());
  for (std::size_t i = 0; i < f.rows(); ++i)
    for (const Column& c : f.columns()) out[i].push_back(c.text(i));
  return out;
}

CsvOptions all_text(const std::string& path) {
  CsvOptions o;
  o.categorical = read_csv(path).names();
  return o;
}

// The rows of every rank's shard, chunk by chunk, in rank order.
Cells sharded(const std::string& path, int ranks, std::size_t chunk_rows,
              std::vector<std::size_t>* per_rank = nullptr) {
  Cells all;
  for (int r = 0; r < ranks; ++r) {
    CsvChunks chunks(csv_shard(path, r, ranks), {}, chunk_rows);
    std::size_t next = 0;
    chunks.for_each(all_text(path), [&](std::size_t first_row, const Frame& chunk) {
      EXPECT_EQ(first_row, next) << path << " rank " << r;
      EXPECT_LE(chunk.rows(), chunk_rows);
      next += chunk.rows();
      for (auto& row : cells_of(chunk)) all.push_back(std::move(row));
    });
    if (per_rank) per_rank->push_back(next);
  }
  return all;
}

void expect_every_row_once(const std::string& path, const std::string& what) {
  const Cells whole = cells_of(read_csv(path, all_text(path)));
  for (int ranks = 1; ranks <= 5; ++ranks)
    for (std::size_t chunk_rows : {std::size_t{1}, std::size_t{2}, std::size_t{1000}}) {
      std::vector<std::size_t> per_rank;
      EXPECT_EQ(sharded(path, ranks, chunk_rows, &per_rank), whole)
          << what << ": " << ranks << " ranks, chunks of " << chunk_rows << " rows";
      // Ranks meet where the next begins.
      for (int r = 0; r + 1 < ranks; ++r) {
        const auto a = csv_shard(path, r, ranks), b = csv_shard(path, r + 1, ranks);
        if (!a.empty() && !b.empty()) {
          EXPECT_EQ(a.back().end, b.front().begin) << what;
        }
      }
    }
}

std::string write(const TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.file(name);
  write_file_atomic(path, text);
  return path;
}

TEST(CsvShard, EveryRowIsReadByExactlyOneRankInOrder) {
  TempDir dir;
  std::string text = "id,x,name\n";
  for (int i = 0; i < 97; ++i)
    text += std::to_string(i) + "," + std::to_string(i * 0.5) + ",n" + std::to_string(i % 7) + "\n";
  expect_every_row_once(write(dir, "plain.csv", text), "plain");
  expect_every_row_once(test::data_path("churn.csv"), "churn.csv");
}

TEST(CsvShard, QuotedLineBreaksNeverStartARow) {
  TempDir dir;
  std::string text = "id,note\n";
  // Long quoted cells full of line breaks and commas, so byte cuts land inside them.
  for (int i = 0; i < 40; ++i)
    text += std::to_string(i) + ",\"line one\nline, two\n" + std::string(static_cast<std::size_t>(i % 9), '\n') +
            "he said \"\"3\"\"\n\"\n";
  expect_every_row_once(write(dir, "quoted.csv", text), "quoted line breaks");
  std::string crlf = "a,b\r\n";
  for (int i = 0; i < 30; ++i) crlf += std::to_string(i) + ",\"x\r\ny\"\r\n";
  expect_every_row_once(write(dir, "crlf.csv", crlf), "CRLF");
}

TEST(CsvShard, AFileWithoutAFinalLineBreakAndTinyFiles) {
  TempDir dir;
  expect_every_row_once(write(dir, "no_break.csv", "a,b\n1,2\n3,4\n5,6"), "no final line break");
  expect_every_row_once(write(dir, "one_row.csv", "a,b\n1,2\n"), "one row");
  expect_every_row_once(write(dir, "two_rows.csv", "a,b\n1,2\n3,\"x\ny\""), "two rows");
  expect_every_row_once(write(dir, "blank_lines.csv", "a,b\n\n1,2\n\n\n3,4\n\n"), "blank lines");
  const std::string header_only = write(dir, "header_only.csv", "a,b\n");
  for (int ranks = 1; ranks <= 3; ++ranks) EXPECT_TRUE(sharded(header_only, ranks, 10).empty());
}

TEST(CsvShard, APatternGivesEachRankABlockOfTheFilesInOrder) {
  TempDir dir;
  std::string whole = "k,v\n";
  for (int f = 0; f < 4; ++f) {
    std::string part = "k,v\n";
    for (int i = 0; i < 3 + f; ++i) part += std::to_string(f) + "," + std::to_string(i) + "\n";
    whole += part.substr(4);
    write(dir, "part-" + std::to_string(f) + ".csv", part);
  }
  write(dir, "other.txt", "not data");
  const std::string all = write(dir, "all.csv", whole);
  const std::string pattern = (dir.path() / "part-*.csv").string();
  EXPECT_EQ(data_files(pattern).size(), 4u);
  const Cells expected = cells_of(read_csv(all, all_text(all)));
  for (int ranks = 1; ranks <= 5; ++ranks) {
    Cells got;
    std::size_t files = 0;
    for (int r = 0; r < ranks; ++r) {
      const auto pieces = csv_shard(pattern, r, ranks);
      files += pieces.size();
      CsvChunks(pieces, {}, 2).for_each(all_text(all), [&](std::size_t, const Frame& chunk) {
        for (auto& row : cells_of(chunk)) got.push_back(std::move(row));
      });
    }
    EXPECT_EQ(files, 4u);
    EXPECT_EQ(got, expected) << ranks << " ranks";
  }
  EXPECT_NE(test::error_of([&] { data_files((dir.path() / "none-*.csv").string()); }).find("no file matches"),
            std::string::npos);
  write(dir, "part-9.csv", "k,other\n1,2\n");
  EXPECT_NE(test::error_of([&] { CsvChunks(csv_shard(pattern, 0, 1), {}, 10).profile(""); }).find("other columns"),
            std::string::npos);
}

TEST(CsvProfile, ProfilesMergedOverShardsAreTheWholeFilesTypesAndDictionaries) {
  TempDir dir;
  std::string text = "num,mixed,cat,y\n";
  for (int i = 0; i < 60; ++i)
    text += std::to_string(i) + "," + (i == 55 ? std::string("late text") : std::to_string(i % 4)) + ",c" +
            std::to_string(i % 5) + "," + std::to_string(i % 3) + "\n";
  const std::string path = write(dir, "mixed.csv", text);
  const Frame whole = read_csv(path);
  for (int ranks = 1; ranks <= 4; ++ranks) {
    CsvProfile merged;
    for (int r = 0; r < ranks; ++r)
      merged.merge(CsvProfile::from_bytes(CsvChunks(csv_shard(path, r, ranks), {}, 7).profile("y").to_bytes()));
    EXPECT_EQ(merged.rows, 60u);
    ASSERT_EQ(merged.columns.size(), 4u);
    for (std::size_t j = 0; j < 4; ++j) EXPECT_EQ(merged.columns[j].text, !whole[j].is_numeric()) << j;
    EXPECT_EQ(merged.columns[2].categories, whole[2].categories());
    EXPECT_TRUE(merged.columns[2].complete);
    // "mixed" turned text late: its numbers' texts must be read again.
    EXPECT_FALSE(merged.columns[1].complete);
    const auto texts = CsvChunks(csv_shard(path, 0, 1), {}, 7).texts({"mixed"});
    EXPECT_EQ(texts.front(), whole[1].categories());
    EXPECT_EQ(merged.columns[3].distinct, (std::vector<double>{0, 1, 2}));
    EXPECT_TRUE(merged.columns[3].integers);
  }
}

TEST(CsvChunks, ErrorsNameTheFilesLineEvenInALaterRanksShard) {
  TempDir dir;
  std::string text = "a,b\n";
  for (int i = 0; i < 50; ++i) text += i == 40 ? "1,2,3\n" : "1,2\n";
  const std::string path = write(dir, "bad.csv", text);
  // Line 42 (header on line 1) lies in the last of 3 shards.
  const std::string error = test::error_of([&] { CsvChunks(csv_shard(path, 2, 3), {}, 4).profile(""); });
  EXPECT_NE(error.find(path + ":42: expected 2 fields"), std::string::npos) << error;
  EXPECT_EQ(test::error_of([&] { CsvChunks(csv_shard(path, 0, 3), {}, 4).profile(""); }), "no error");
  const std::string inf = write(dir, "inf.csv", "a,b\n1,2\n1,inf\n");
  CsvOptions typed;
  typed.numeric = {"a", "b"};
  EXPECT_NE(test::error_of([&] {
              CsvChunks(csv_shard(inf, 0, 1), {}, 1).for_each(typed, [](std::size_t, const Frame&) {});
            }).find(inf + ":3:3: 'inf'"),
            std::string::npos);
  EXPECT_NE(
      test::error_of([&] { csv_shard(write(dir, "z.csv.gz", std::string("\x1f\x8b", 2)), 0, 2); }).find("compressed"),
      std::string::npos);
}

}  // namespace
}  // namespace shipml
