#include "shipml/core/frame.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "shipml/core/error.hpp"

namespace shipml {
namespace {

TEST(Frame, TakeCopiesRowsAndSharesDictionaries) {
  Frame f;
  f.add(Column::numeric("x", {1, 2, 3, 4}));
  f.add(Column::from_strings("c", {"b", "a", "b", "c"}));
  const std::vector<std::size_t> rows{3, 1};
  const Frame t = f.take(rows);
  EXPECT_EQ(t.rows(), 2u);
  EXPECT_EQ(t.column("x").values()[0], 4);
  EXPECT_EQ(t.column("c").text(1), "a");
  EXPECT_EQ(&t.column("c").categories(), &f.column("c").categories());
}

TEST(Frame, RejectsDuplicateNamesAndLengthMismatch) {
  Frame f;
  f.add(Column::numeric("x", {1, 2}));
  EXPECT_THROW(f.add(Column::numeric("x", {1, 2})), DataError);
  EXPECT_THROW(f.add(Column::numeric("y", {1})), DataError);
}

TEST(Frame, MissingColumnErrorListsColumns) {
  Frame f;
  f.add(Column::numeric("x", {1}));
  try {
    f.column("z");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_STREQ(e.what(), "no column named 'z' (columns: x)");
  }
}

TEST(Frame, WithoutDropsOneColumn) {
  Frame f;
  f.add(Column::numeric("x", {1}));
  f.add(Column::numeric("y", {2}));
  EXPECT_EQ(f.without("x").names(), std::vector<std::string>{"y"});
  EXPECT_EQ(f.without("x").rows(), 1u);
}

TEST(Frame, CellText) {
  const Column c = Column::from_strings("c", {"a", "b"}, {false, true});
  EXPECT_EQ(c.text(0), "a");
  EXPECT_EQ(c.text(1), "");
  EXPECT_TRUE(c.is_missing(1));
  EXPECT_EQ(Column::numeric("n", {0.1, NAN}).text(0), "0.1");
  EXPECT_EQ(format_number(3.0), "3");
}

}  // namespace
}  // namespace shipml
