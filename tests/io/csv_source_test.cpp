// CSV files as sources: block by block (plain, gzip, zstd) gives the rows
// read_all() gives, typed as declared, with errors naming the file's line.
#include <gtest/gtest.h>

#include <filesystem>

#include "io/io_helpers.hpp"
#include "shipml/core/parallel.hpp"
#include "shipml/io/byte_stream.hpp"
#include "shipml/io/data_source.hpp"
#include "shipml/io/file.hpp"
#include "support.hpp"

namespace shipml {
namespace {

// Numbers, text, missing values, quoted cells with line breaks and quotes, a
// CRLF row, blank lines and a BOM; `rows` rows.
std::string mixed_csv(int rows) {
  std::string text = "\xEF\xBB\xBFid,x,city,note\n";
  for (int i = 0; i < rows; ++i) {
    text += std::to_string(i) + "," + (i % 9 == 0 ? "NA" : std::to_string(i * 0.5)) + ",c" + std::to_string(i % 4);
    text += i % 7 == 0 ? ",\"two\nlines, \"\"q\"\"\"" : i % 5 == 0 ? "," : ",n" + std::to_string(i);
    text += i % 6 == 0 ? "\r\n" : i % 13 == 0 ? "\n\n" : "\n";
  }
  return text + "last,1.5,c9,end";  // no final line break; 'last' makes id text in every typing
}

std::string write(const test::TempDir& tmp, const std::string& name, const std::string& text) {
  const std::string path = tmp.file(name);
  AtomicFileWriter out(path, compression_for(path));
  out.write(text);
  out.commit();
  return path;
}

// Every block decoded, on several threads at once, concatenated as text per
// cell; checks the blocks' types and first rows on the way.
struct Blocks {
  std::vector<Frame> frames;
  std::vector<std::size_t> first_rows;
};
Blocks read_blocks(DataSource& source, std::size_t bytes) {
  std::vector<SourceBlock> blocks;
  while (auto block = source.next_block(bytes)) blocks.push_back(std::move(*block));
  Blocks out;
  out.frames.resize(blocks.size());
  parallel_for(blocks.size(), 4, [&](std::size_t i) { out.frames[i] = blocks[i].decode(); });
  for (const auto& b : blocks) out.first_rows.push_back(b.first_row);
  return out;
}

void expect_blocks_match(const Blocks& blocks, const Frame& whole, const std::string& what) {
  std::size_t row = 0;
  for (std::size_t b = 0; b < blocks.frames.size(); ++b) {
    const Frame& f = blocks.frames[b];
    ASSERT_EQ(blocks.first_rows[b], row) << what << " block " << b;
    ASSERT_EQ(f.names(), whole.names()) << what;
    for (std::size_t j = 0; j < f.cols(); ++j) {
      ASSERT_EQ(f[j].type(), whole[j].type()) << what << " block " << b << " column " << f[j].name();
      for (std::size_t i = 0; i < f.rows(); ++i) {
        ASSERT_EQ(f[j].is_missing(i), whole[j].is_missing(row + i)) << what << " row " << row + i;
        ASSERT_EQ(f[j].text(i), whole[j].text(row + i)) << what << " row " << row + i << " column " << f[j].name();
      }
    }
    row += f.rows();
  }
  EXPECT_EQ(row, whole.rows()) << what;
}

TEST(CsvSource, BlocksOfEverySizeMakeTheWholeFileInEveryCompression) {
  test::TempDir tmp;
  const std::string text = mixed_csv(400);
  SourceSpec spec;
  spec.read.numeric = {"x"};
  CsvOptions declared = spec.read;  // blocks: x numeric as declared, every other column text
  declared.categorical = {"id", "city", "note"};
  const Frame whole = parse_csv(text, declared);
  for (const char* name : {"m.csv", "m.csv.gz", "m.csv.zst"}) {
    spec.location = write(tmp, name, text);
    test::expect_identical(open_file_source(spec)->read_all(), parse_csv(text, spec.read), name);
    for (const std::size_t bytes : {0, 1, 7, 64, 1000, 1 << 20}) {
      auto source = open_file_source(spec);
      const Blocks blocks = read_blocks(*source, bytes);
      if (bytes <= 64) EXPECT_GT(blocks.frames.size(), 100u) << name;
      expect_blocks_match(blocks, whole, std::string(name) + " in blocks of " + std::to_string(bytes));
      EXPECT_FALSE(source->next_block(bytes)) << "the end stays the end";
    }
  }
}

TEST(CsvSource, AllBlocksHaveOneSchemaEvenWithoutRowsOfAColumn) {
  test::TempDir tmp;
  SourceSpec spec;
  spec.location = write(tmp, "s.csv", "a,b\n1,\n2,\n3,x\n");
  spec.read.numeric = {"a"};
  auto source = open_file_source(spec);
  const Blocks blocks = read_blocks(*source, 1);
  ASSERT_EQ(blocks.frames.size(), 3u);
  for (const Frame& f : blocks.frames) {
    EXPECT_TRUE(f.column("a").is_numeric());
    EXPECT_FALSE(f.column("b").is_numeric());
  }
  EXPECT_TRUE(blocks.frames[0].column("b").categories().empty());
}

TEST(CsvSource, AnErrorInALateBlockNamesTheFilesLine) {
  test::TempDir tmp;
  std::string text = "k,v\n";
  for (int i = 0; i < 500; ++i) text += (i % 3 ? "\"multi\nline\"," : "k,") + std::to_string(i) + "\n";
  text += "k,abc\nk,1\n";
  SourceSpec spec;
  spec.read.numeric = {"v"};
  const std::string expected = test::error_of([&] { parse_csv(text, spec.read, "late.csv"); });
  ASSERT_NE(expected, "no error");
  for (const char* name : {"late.csv", "late.csv.zst"}) {
    spec.location = write(tmp, name, text);
    auto source = open_file_source(spec);
    std::string error = "no error";
    std::size_t decoded = 0;
    while (auto block = source->next_block(100)) {
      const std::string e = test::error_of([&] { block->decode(); });
      if (e != "no error") error = e;
      ++decoded;
    }
    EXPECT_GT(decoded, 20u);
    // The message names this file, and otherwise reads as the whole-file parse's.
    EXPECT_EQ(error, spec.location + expected.substr(std::string("late.csv").size())) << name;
  }
  spec.location = write(tmp, "bad.csv", "a,b\n1,2\n3,\"open\n4,5\n");
  spec.read = {};
  auto source = open_file_source(spec);
  std::string error;
  while (auto block = source->next_block(2)) error = test::error_of([&] { block->decode(); });
  EXPECT_EQ(error, spec.location + ":3:3: unterminated quoted field");
}

TEST(CsvSource, ColumnsToReadAndTheHeaderOnce) {
  test::TempDir tmp;
  SourceSpec spec;
  spec.location = write(tmp, "c.csv", "\n\na,b,c\n1,2,3\n4,5,6\n");
  spec.read.columns = {"c", "a"};
  spec.read.numeric = {"c"};
  auto source = open_file_source(spec);
  auto block = source->next_block(1 << 20);
  ASSERT_TRUE(block);
  const Frame f = block->decode();
  EXPECT_EQ(f.names(), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(f.column("c").values()[1], 6.0);
  EXPECT_EQ(f.column("a").text(1), "4");
  EXPECT_FALSE(source->next_block(1 << 20));

  spec.read.columns = {"a", "zz"};
  EXPECT_EQ(test::error_of([&] { open_file_source(spec)->next_block(10); }),
            spec.location + ": no column named 'zz' (columns: a, b, c)");
  spec.location = write(tmp, "empty.csv", "");
  EXPECT_EQ(test::error_of([&] { open_file_source(spec)->next_block(10); }),
            spec.location + ": empty file (no header row)");
  spec.location = write(tmp, "header_only.csv", "a,b");
  spec.read = {};
  EXPECT_FALSE(open_file_source(spec)->next_block(10));
}

TEST(CsvSource, RecordsAndRefusals) {
  test::TempDir tmp;
  SourceSpec spec;
  spec.location = write(tmp, "r.csv.gz", "a\n1\n");
  EXPECT_EQ(open_file_source(spec)->record(),
            (nlohmann::json{{"kind", "csv"}, {"location", spec.location}, {"compression", "gzip"}}));
  spec.location = write(tmp, "r.csv", "a\n1\n");
  EXPECT_EQ(open_file_source(spec)->record()["compression"], "none");
  spec.location = tmp.file("rows.jsonl");
  EXPECT_THROW(open_file_source(spec), UsageError);
  spec.location = "postgresql://u:secret@h/db";
  EXPECT_EQ(test::error_of([&] { open_file_source(spec); }),
            "postgresql://u:***@h/db: a database needs the full library (sources/open.hpp)");
  spec.location = tmp.file("missing.csv");
  EXPECT_THROW(open_file_source(spec), FileError);
}

}  // namespace
}  // namespace shipml
