// JSON lines files as sources: keys as columns, JSON types as shipml's, and
// errors that name the line.
#include "shipml/io/byte_stream.hpp"
#include "sources/sql_fixture.hpp"

namespace shipml::test {
namespace {

Frame read_lines(const TempDir& tmp, const std::string& text, CsvOptions read = {}, const char* name = "d.jsonl") {
  write_file_atomic(tmp.file(name), text);
  return open_source(SourceSpec{tmp.file(name), "", "", read})->read_all();
}

TEST(JsonLines, KeysAreColumnsInFirstSeenOrderAndJsonTypesDecide) {
  TempDir tmp;
  const Frame f = read_lines(tmp, "{\"x\": 1, \"s\": \"a\", \"ok\": true}\n"
                                  "\n"
                                  "{\"s\": \"b\", \"x\": 2.5, \"n\": null, \"late\": \"z\"}\n"
                                  "{\"x\": -3, \"ok\": false, \"code\": \"7\"}\n");
  EXPECT_EQ(f.names(), (std::vector<std::string>{"x", "s", "ok", "n", "late", "code"}));
  ASSERT_EQ(f.rows(), 3u);
  EXPECT_TRUE(f.column("x").is_numeric());
  EXPECT_EQ(f.column("x").values()[1], 2.5);
  EXPECT_FALSE(f.column("s").is_numeric());
  EXPECT_TRUE(f.column("s").is_missing(2));  // a missing key is missing
  EXPECT_EQ(f.column("ok").values()[0], 1);
  EXPECT_EQ(f.column("ok").values()[2], 0);
  EXPECT_TRUE(f.column("late").is_missing(0));
  EXPECT_EQ(f.column("late").text(1), "z");
  EXPECT_FALSE(f.column("code").is_numeric());  // a string, though its text is a number
}

TEST(JsonLines, OverridesAsForCsv) {
  TempDir tmp;
  CsvOptions read;
  read.categorical = {"x"};
  read.numeric = {"code"};
  const Frame f = read_lines(tmp, "{\"x\": 1, \"code\": \"7\"}\n{\"x\": 2, \"code\": \"8.5\"}\n", read, "d.ndjson");
  EXPECT_FALSE(f.column("x").is_numeric());
  EXPECT_EQ(f.column("x").text(1), "2");
  EXPECT_EQ(f.column("code").values()[1], 8.5);
}

TEST(JsonLines, ErrorsNameTheLineAndTheKey) {
  TempDir tmp;
  const std::string nested = error_of([&] { read_lines(tmp, "{\"x\": 1}\n\n{\"x\": {\"y\": 2}}\n"); });
  EXPECT_NE(nested.find(tmp.file("d.jsonl") + ":3: key 'x' holds an object"), std::string::npos) << nested;
  const std::string array = error_of([&] { read_lines(tmp, "{\"x\": [1]}\n"); });
  EXPECT_NE(array.find(":1: key 'x' holds an array"), std::string::npos) << array;
  const std::string not_object = error_of([&] { read_lines(tmp, "{\"x\": 1}\n[1, 2]\n"); });
  EXPECT_NE(not_object.find(":2: not a JSON object"), std::string::npos) << not_object;
  CsvOptions read;
  read.numeric = {"x"};
  const std::string not_number = error_of([&] { read_lines(tmp, "{\"x\": 1}\n{\"x\": \"abc\"}\n", read); });
  EXPECT_NE(not_number.find(":2: key 'x' is declared numeric"), std::string::npos) << not_number;
}

TEST(JsonLines, BlocksAreWholeLinesWithTheFirstBlocksColumns) {
  TempDir tmp;
  std::string text;
  for (int i = 0; i < 500; ++i)
    text += "{\"i\": " + std::to_string(i) + ", \"s\": \"v" + std::to_string(i % 3) + "\"}\n";
  write_file_atomic(tmp.file("d.jsonl"), text);
  CsvOptions read;
  read.numeric = {"i"};
  auto source = open_source(SourceSpec{tmp.file("d.jsonl"), "", "", read});
  std::size_t rows = 0;
  while (auto block = source->next_block(1000)) {
    EXPECT_EQ(block->first_row, rows);
    const Frame f = block->decode();
    EXPECT_EQ(f.names(), (std::vector<std::string>{"i", "s"}));
    EXPECT_TRUE(f.column("i").is_numeric());
    EXPECT_EQ(f.column("i").values()[0], static_cast<double>(rows));
    rows += f.rows();
  }
  EXPECT_EQ(rows, 500u);
}

TEST(JsonLines, BlocksStreamFromCompressedFilesAndCountLinesAcrossBlocks) {
  // Blocks are read from the file as they are asked for: they cover the file
  // once, in order, end where a line ends, and errors name the file's line.
  TempDir tmp;
  std::string text;
  for (int i = 0; i < 400; ++i) text += (i == 200 ? "\n \t\n{\"i\": " : "{\"i\": ") + std::to_string(i) + "}\n";
  text += "{\"i\": 400}";  // no final line break
  CsvOptions read;
  read.numeric = {"i"};  // blocks read undeclared keys as text
  for (const char* name : {"d.jsonl", "d.jsonl.gz", "d.jsonl.zst"}) {
    AtomicFileWriter out(tmp.file(name), compression_for(name));
    out.write(text);
    out.commit();
    auto source = open_source(SourceSpec{tmp.file(name), "", "", read});
    std::size_t rows = 0, bytes = 0;
    while (auto block = source->next_block(700)) {
      const Frame f = block->decode();
      if (rows + f.rows() < 401) {
        EXPECT_GE(block->bytes, 700u) << name;  // all but the last
      }
      EXPECT_LE(block->bytes, 700u + 20) << name;  // to the end of the line at 700 bytes
      EXPECT_EQ(f.column("i").values()[0], static_cast<double>(rows)) << name;
      rows += f.rows();
      bytes += block->bytes;
      if (rows == 401) break;
    }
    EXPECT_EQ(rows, 401u) << name;
    EXPECT_EQ(bytes, text.size()) << name;
  }
  std::string bad = text.substr(0, text.rfind('\n') + 1) + "{\"i\": [1]}\n";
  write_file_atomic(tmp.file("bad.jsonl"), bad);
  auto source = open_source(SourceSpec{tmp.file("bad.jsonl"), "", "", {}});
  const std::string error = error_of([&] {
    while (auto block = source->next_block(700)) block->decode();
  });
  EXPECT_NE(error.find("bad.jsonl:403: key 'i' holds an array"), std::string::npos) << error;
  const std::string two = error_of([&] { read_lines(tmp, "{\"i\": 1}\n{\"i\": 2} {\"i\": 3}\n"); });
  EXPECT_NE(two.find("d.jsonl:2: a second JSON value on the line"), std::string::npos) << two;
}

}  // namespace
}  // namespace shipml::test
