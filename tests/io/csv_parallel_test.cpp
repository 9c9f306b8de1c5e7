// The CSV parse in pieces gives the sequential parse's frame bit for bit, and
// its errors word for word, wherever the cuts fall.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#include "../src/io/csv_parallel.hpp"  // an internal piece, driven directly
#include "io/io_helpers.hpp"
#include "shipml/core/random.hpp"
#include "shipml/io/byte_stream.hpp"
#include "shipml/io/csv.hpp"
#include "shipml/io/file.hpp"
#include "support.hpp"

namespace shipml {
namespace {

// Every piece count up to `max_pieces` on `threads`, so the cuts sweep over
// every byte of a short text.
void expect_same_in_pieces(const std::string& text, const CsvOptions& options = {}, std::size_t max_pieces = 40) {
  const std::string expected_error = test::error_of([&] { csv::parse_sequential(text, options, "t.csv"); });
  std::optional<Frame> expected;
  if (expected_error == "no error") expected = csv::parse_sequential(text, options, "t.csv");
  for (const int threads : {1, 2, 3, 8})
    for (std::size_t pieces = 1; pieces <= max_pieces; ++pieces) {
      const std::string what = std::to_string(pieces) + " pieces on " + std::to_string(threads) + " threads";
      if (!expected) {
        EXPECT_EQ(test::error_of([&] { csv::parse_in_pieces(text, options, "t.csv", pieces, threads); }),
                  expected_error)
            << what;
        continue;
      }
      test::expect_identical(csv::parse_in_pieces(text, options, "t.csv", pieces, threads), *expected, what);
    }
}

TEST(CsvParallel, EveryBundledDatasetParsesAlikeInPieces) {
  for (const char* name :
       {"iris", "wine", "breast_cancer", "diabetes", "churn", "credit_data", "penguins", "concrete", "ames"}) {
    const std::string text = read_text(test::data_path(std::string(name) + ".csv"));
    const Frame expected = csv::parse_sequential(text, {}, name);
    for (const int threads : {1, 2, 3, 8}) {
      CsvOptions options;
      options.threads = threads;
      test::expect_identical(parse_csv(text, options, name), expected, std::string(name) + " parse_csv");
      for (const std::size_t pieces : {2, 3, 7, 16})
        test::expect_identical(csv::parse_in_pieces(text, {}, name, pieces, threads), expected,
                               std::string(name) + " in " + std::to_string(pieces) + " pieces");
    }
  }
}

TEST(CsvParallel, QuotedLineBreaksWhereverACutFalls) {
  expect_same_in_pieces(
      "a,b,c\n1,\"x\ny\",2\n\"\n\n\",q,3\n4,\"say \"\"hi\"\"\nthen\",5\n6,\"\"\"\n\"\"\",7\n8,plain,9\n"
      "\"multi\nline\nname\",\",\",10\n11,\"\",12\n");
}

TEST(CsvParallel, StrayQuotesInsideUnquotedCells) {
  // A quote inside an unquoted cell is text; counting quotes then goes wrong, and
  // the pieces that do not meet are parsed again in one.
  expect_same_in_pieces("a,b\n5\" pipe,1\nx\"y\"z,2\n3,4\nsaid \"no,5\nok,6\n7,8\n9\",10\n");
}

TEST(CsvParallel, AColumnTurnsCategoricalOnlyInTheLastPiece) {
  std::string text = "n,m,c\n";
  for (int i = 0; i < 60; ++i)
    text += std::to_string(i) + "," + std::to_string(i % 7) + ".5,c" + std::to_string(i % 3) + "\n";
  text += "late text,1,c9\n";
  expect_same_in_pieces(text);
  CsvOptions categorical;
  categorical.categorical = {"m"};
  expect_same_in_pieces(text, categorical, 12);
}

TEST(CsvParallel, CrlfBomBlankLinesAndMissingTokens) {
  expect_same_in_pieces("\xEF\xBB\xBFx,y,z\r\n1,NA,a\r\n\r\n,2,\r\nnull,N/A,b\r\n\n\nNaN,3,None\r\n4,5,\"\"\r\n7,8,c");
  CsvOptions custom;
  custom.missing_values = {"?", "-", "missing value"};
  expect_same_in_pieces("p,q\n1,?\n-,2\nmissing value,3\n4,-\n5,missing\n", custom);
  CsvOptions semicolons;
  semicolons.delimiter = ';';
  expect_same_in_pieces("a;b\n1,5;x\n2;\"y;z\"\n", semicolons);
}

TEST(CsvParallel, LoneCarriageReturnsEndRowsAsLineFeedsDo) {
  // Pieces write numbers straight into the file's column, sized by the line
  // breaks they hold: a lone '\r' is one, and blank lines leave gaps to close.
  expect_same_in_pieces("a,b\r1,2\r3,4\r\r\r5,6\r7,8");
  expect_same_in_pieces("a,b\n1,2\r\r3,4\n\n\r\n5,6\n\n\n\n7,8\n\n");
}

TEST(CsvParallel, ColumnsToReadAndDeclaredTypes) {
  const std::string text = "a,b,c,d\n1,x,2,03\n4,y,5,04\n6,z,,05\n";
  CsvOptions options;
  options.columns = {"b", "d"};
  options.categorical = {"d"};
  expect_same_in_pieces(text, options);
  const Frame f = parse_csv(text, options);
  EXPECT_EQ(f.names(), (std::vector<std::string>{"b", "d"}));
  EXPECT_EQ(f.column("d").text(0), "03");
  options.columns = {"b", "nope"};
  EXPECT_EQ(test::error_of([&] { parse_csv(text, options, "t.csv"); }),
            "t.csv: no column named 'nope' (columns: a, b, c, d)");
}

TEST(CsvParallel, ErrorsAreTheSequentialOnes) {
  CsvOptions numeric;
  numeric.numeric = {"v"};
  expect_same_in_pieces("k,v\n1,2\n3,4\n5,abc\n6,7\n8,oops\n", numeric);
  expect_same_in_pieces("a,b,c\n1,2,3\n4,5,6\n7,8\n9,10,11\n");
  expect_same_in_pieces("a,b\n1,2\n3,\"open\n4,5\n6,7\n");
  expect_same_in_pieces("a\n1\n\"x\"y\n2\n");
  expect_same_in_pieces("a,b\n1,2\n3,inf\n4,5\n6,-1e999\n");
  expect_same_in_pieces("a,b\n1,2\n3,inf\n4,text\n");  // infinite, then text: categorical, no error
  expect_same_in_pieces("a,b\n1,2\n3,\xE9t\xE9\n4,5\n");
  expect_same_in_pieces(std::string("a,b\n1,2\n3,4\n5,\0\n", 16));
  expect_same_in_pieces(std::string("\xFF\xFE"
                                    "a\0,\0b\0\n\0",
                                    10));
  expect_same_in_pieces("a,a\n1,2\n");
  expect_same_in_pieces("");
  expect_same_in_pieces("\n\n");
}

TEST(CsvParallel, ALargeMixedFileOnEveryThreadCount) {
  // Large enough that parse_csv itself cuts it (from 256 KB).
  std::string text = "id,score,city,note\n";
  for (int i = 0; i < 40000; ++i) {
    text += std::to_string(i) + "," + (i % 11 == 0 ? "" : std::to_string(i * 0.37)) + ",city" + std::to_string(i % 13) +
            "," + (i % 5 == 0 ? "\"a, \"\"quoted\"\"\nnote\"" : "plain") + "\n";
  }
  text += "40000,1.5,city_last,x\n";
  const Frame expected = csv::parse_sequential(text, {}, "big.csv");
  for (const int threads : {0, 1, 2, 3, 8}) {
    CsvOptions options;
    options.threads = threads;
    test::expect_identical(parse_csv(text, options, "big.csv"), expected, "threads " + std::to_string(threads));
  }
}

TEST(CsvParallel, ReadCsvReadsCompressedFiles) {
  test::TempDir tmp;
  const std::string text = read_text(test::data_path("churn.csv"));
  const Frame expected = csv::parse_sequential(text, {}, "churn.csv");
  for (const char* name : {"churn.csv.gz", "churn.zst", "churn.csv"}) {
    AtomicFileWriter out(tmp.file(name), compression_for(tmp.file(name)));
    out.write(text);
    out.commit();
    test::expect_identical(read_csv(tmp.file(name)), expected, name);
  }
  AtomicFileWriter out(tmp.file("cut.csv.gz"), Compression::gzip);
  out.write(text);
  out.commit();
  write_file_atomic(tmp.file("cut.csv.gz"), read_file(tmp.file("cut.csv.gz")).substr(0, 5000));
  EXPECT_EQ(test::error_of([&] { read_csv(tmp.file("cut.csv.gz")); }),
            tmp.file("cut.csv.gz") + ": truncated gzip data");
}

TEST(CsvParallel, PlainDecimalsReadBitForBitAsStrtodReadsThem) {
  // parse_number reads short plain decimals itself; the result must be strtod's.
  Random rng(3);
  for (int i = 0; i < 200000; ++i) {
    std::string cell = rng.uniform() < 0.3 ? "-" : "";
    const int digits = 1 + static_cast<int>(rng.below(17));
    const int point = static_cast<int>(rng.below(static_cast<std::uint64_t>(digits) + 1));
    for (int d = 0; d < digits; ++d) {
      if (d == point && rng.uniform() < 0.8) cell += '.';
      cell += static_cast<char>('0' + rng.below(10));
    }
    const double expected = std::strtod(cell.c_str(), nullptr);
    const auto got = parse_number(cell);
    ASSERT_TRUE(got) << cell;
    EXPECT_EQ(std::memcmp(&*got, &expected, sizeof expected), 0) << cell;
  }
  for (const char* odd : {".5", "5.", "-0", "-.25", "007", "1e5", " 3 ", "+4"})
    EXPECT_EQ(parse_number(odd), std::strtod(odd, nullptr)) << odd;
  for (const char* not_a_number : {".", "-", "1.2.3", "1-2", "", "--1"}) EXPECT_FALSE(parse_number(not_a_number));
}

}  // namespace
}  // namespace shipml
