#include "shipml/io/csv.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "shipml/core/error.hpp"
#include "support.hpp"

namespace shipml {
namespace {

std::string error_of(const std::string& text, const CsvOptions& options = {}) {
  try {
    parse_csv(text, options, "t.csv");
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(Csv, InfersNumericAndCategoricalColumns) {
  const Frame f = parse_csv("a,b,c\n1,x,2.5\n2,y,-3e2\n");
  ASSERT_EQ(f.rows(), 2u);
  EXPECT_TRUE(f.column("a").is_numeric());
  EXPECT_FALSE(f.column("b").is_numeric());
  EXPECT_DOUBLE_EQ(f.column("c").values()[1], -300.0);
  EXPECT_EQ(f.column("b").text(1), "y");
}

TEST(Csv, QuotedFieldsHoldDelimitersQuotesAndNewlines) {
  const Frame f = parse_csv("name,note\n\"Smith, J\",\"said \"\"hi\"\"\"\n\"multi\nline\",plain\n");
  ASSERT_EQ(f.rows(), 2u);
  EXPECT_EQ(f.column("name").text(0), "Smith, J");
  EXPECT_EQ(f.column("note").text(0), "said \"hi\"");
  EXPECT_EQ(f.column("name").text(1), "multi\nline");
}

TEST(Csv, CrlfBomAndMissingFinalNewline) {
  const Frame f = parse_csv("\xEF\xBB\xBFx,y\r\n1,2\r\n3,4");
  ASSERT_EQ(f.names(), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(f.rows(), 2u);
  EXPECT_DOUBLE_EQ(f.column("y").values()[1], 4.0);
}

TEST(Csv, MissingTokensAreMissingInBothColumnTypes) {
  const Frame f = parse_csv("n,c\n1,a\n,NA\nNaN,\"\"\nnull,b\n");
  EXPECT_TRUE(f.column("n").is_numeric());
  EXPECT_EQ(f.column("n").missing_count(), 3u);
  EXPECT_EQ(f.column("c").missing_count(), 2u);
  EXPECT_EQ(f.column("c").categories(), (Categories{"a", "b"}));
}

TEST(Csv, CustomMissingTokens) {
  CsvOptions o;
  o.missing_values = {"?"};
  const Frame f = parse_csv("n\n1\n?\n", o);
  EXPECT_TRUE(f.column("n").is_numeric());
  EXPECT_TRUE(f.column("n").is_missing(1));
}

TEST(Csv, LateTextTurnsAColumnCategoricalAndKeepsEarlierRows) {
  std::string text = "v,w\n";
  for (int i = 0; i < 100; ++i) text += std::to_string(i) + ",1\n";
  text += "oops,1\n";
  const Frame f = parse_csv(text);
  const Column& v = f.column("v");
  ASSERT_FALSE(v.is_numeric());
  EXPECT_EQ(v.text(0), "0");
  EXPECT_EQ(v.text(99), "99");
  EXPECT_EQ(v.text(100), "oops");
  EXPECT_TRUE(f.column("w").is_numeric());
}

TEST(Csv, DeclaredTypesOverrideInference) {
  CsvOptions o;
  o.categorical = {"zip"};
  const Frame f = parse_csv("zip,v\n02134,1\n10001,2\n", o);
  EXPECT_EQ(f.column("zip").text(0), "02134");
  o = {};
  o.numeric = {"v"};
  EXPECT_EQ(error_of("zip,v\n1,2\n3,abc\n", o),
            "t.csv:3:3: column 'v' (field 2) is declared numeric, but 'abc' is not a number");
}

TEST(Csv, CategoriesAreSortedSoCodesDoNotDependOnRowOrder) {
  const Frame a = parse_csv("c\nz\na\nm\n"), b = parse_csv("c\nm\nz\na\n");
  EXPECT_EQ(a.column("c").categories(), b.column("c").categories());
}

TEST(Csv, RaggedRowNamesLineAndCounts) {
  EXPECT_EQ(error_of("a,b,c\n1,2,3\n4,5\n"), "t.csv:3: expected 3 fields (as in the header), found 2");
}

TEST(Csv, RaggedRowLineCountsQuotedNewlines) {
  EXPECT_EQ(error_of("a,b\n\"x\ny\",1\n1\n"), "t.csv:4: expected 2 fields (as in the header), found 1");
}

TEST(Csv, UnterminatedQuoteNamesWhereItOpened) {
  EXPECT_EQ(error_of("a,b\n1,\"open\n2,3\n"), "t.csv:2:3: unterminated quoted field");
}

TEST(Csv, TextAfterClosingQuoteIsAnError) {
  EXPECT_EQ(error_of("a\n\"x\"y\n"), "t.csv:2:4: unexpected character 'y' after a closing quote");
}

TEST(Csv, DuplicateAndRequiredColumns) {
  EXPECT_EQ(error_of("a,b,a\n1,2,3\n"), "t.csv:1: duplicate column name 'a' (fields 1 and 3)");
  CsvOptions o;
  o.required = {"target"};
  EXPECT_EQ(error_of("a,b\n1,2\n", o), "t.csv: no column named 'target' (columns: a, b)");
  o = {};
  o.categorical = {"nope"};
  EXPECT_EQ(error_of("a\n1\n", o), "t.csv: cannot declare 'nope' categorical: no such column (columns: a)");
}

TEST(Csv, EmptyInputIsAnError) { EXPECT_EQ(error_of(""), "t.csv: empty file (no header row)"); }

TEST(Csv, UnreadableFileNamesThePath) {
  try {
    read_csv("/nonexistent/x.csv");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/x.csv"), std::string::npos);
  }
}

TEST(Csv, WriteThenReadRoundTrips) {
  const Frame f = parse_csv("name,v\n\"a,b\",1.5\n\"q\"\"t\",\nplain,-2\n");
  test::TempDir tmp;
  write_csv(tmp.file("out.csv"), f);
  const Frame g = read_csv(tmp.file("out.csv"));
  ASSERT_EQ(g.rows(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(g.column("name").text(i), f.column("name").text(i));
    EXPECT_EQ(g.column("v").text(i), f.column("v").text(i));
  }
}

TEST(Csv, ReadsEveryBundledDataset) {
  for (const char* name :
       {"iris", "wine", "breast_cancer", "diabetes", "churn", "credit_data", "penguins", "concrete", "ames"}) {
    const Frame f = read_csv(test::data_path(std::string(name) + ".csv"));
    EXPECT_GT(f.rows(), 100u) << name;
  }
  const Frame churn = read_csv(test::data_path("churn.csv"));
  EXPECT_EQ(churn.rows(), 5000u);
  EXPECT_EQ(churn.column("state").categories().size(), 51u);
  EXPECT_GT(read_csv(test::data_path("credit_data.csv")).column("Income").missing_count(), 0u);
}

}  // namespace
}  // namespace shipml

namespace shipml {
namespace {

// Found by the fuzzer: a one-column row whose cell is missing must not be
// written as a blank line, which a reader skips.
TEST(Csv, LoneMissingCellSurvivesARoundTrip) {
  const Frame f = parse_csv("v\n1\nNA\n2\n");
  const Frame g = parse_csv(to_csv(f));
  ASSERT_EQ(g.rows(), 3u);
  EXPECT_TRUE(g.column("v").is_missing(1));
}

}  // namespace
}  // namespace shipml
