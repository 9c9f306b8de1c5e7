#include "shipml/core/frame.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <string>
#include <thread>

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

// A take's numeric columns share one block of memory, each its own part of it.
TEST(Frame, TakeGivesEveryNumericColumnItsOwnValues) {
  Frame f;
  f.add(Column::numeric("a", {1, 2, 3, 4, 5}));
  f.add(Column::from_strings("c", {"p", "q", "r", "s", "t"}));
  f.add(Column::numeric("b", {10, 20, 30, 40, 50}));
  f.add(Column::numeric("n", {NAN, -1, -2, -3, -4}));
  const std::vector<std::size_t> rows{4, 0, 0, 2};
  const Frame t = f.take(rows);
  ASSERT_EQ(t.rows(), 4u);
  EXPECT_EQ(std::vector<double>(t.column("a").values().begin(), t.column("a").values().end()),
            (std::vector<double>{5, 1, 1, 3}));
  EXPECT_EQ(std::vector<double>(t.column("b").values().begin(), t.column("b").values().end()),
            (std::vector<double>{50, 10, 10, 30}));
  EXPECT_TRUE(std::isnan(t.column("n").values()[1]));
  EXPECT_EQ(t.column("n").values()[3], -2);
  EXPECT_EQ(t.column("c").text(0), "t");
  EXPECT_EQ(t.column("c").text(3), "r");
  const Frame none = f.take({});
  EXPECT_EQ(none.rows(), 0u);
  EXPECT_EQ(none.column("b").values().size(), 0u);
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

// A wide frame (32 columns or more) finds names through an index built on its
// first search and shared by its copies: each must still see its own columns.
std::vector<Column> numbered_columns(std::size_t n) {
  std::vector<Column> columns;
  for (std::size_t j = 0; j < n; ++j) columns.push_back(Column::numeric("c" + std::to_string(j), {double(j)}));
  return columns;
}

TEST(Frame, WideFramesFindEveryColumnAndCopiesKeepTheirOwn) {
  const Frame trusted(numbered_columns(100), Frame::Trusted{});
  Frame grown(numbered_columns(40));
  for (const Frame* f : {&trusted, static_cast<const Frame*>(&grown)}) {
    ASSERT_NE(f->find("c39"), nullptr);
    EXPECT_EQ(f->find("c39")->values()[0], 39);
    EXPECT_EQ(f->find("c0"), &(*f)[0]);
    EXPECT_EQ(f->find("nope"), nullptr);
  }
  Frame copy = grown;  // shares the index grown built when searched above
  grown.add(Column::numeric("extra", {7}));
  EXPECT_EQ(grown.column("extra").values()[0], 7);
  EXPECT_EQ(copy.find("extra"), nullptr);
  EXPECT_EQ(copy.find("c12"), &copy[12]);
  EXPECT_THROW(grown.add(Column::numeric("c5", {1})), DataError);  // the index still knows old names
  copy.add(Column::numeric("other", {8}));
  EXPECT_EQ(copy.find("other"), &copy[40]);
  EXPECT_EQ(grown.find("other"), nullptr);
  EXPECT_EQ(grown.find("extra"), &grown[40]);
}

TEST(Frame, WideFrameSearchedFromManyThreadsAtOnce) {
  const Frame f(numbered_columns(500), Frame::Trusted{});  // its index is built by whichever thread searches first
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (std::size_t j = static_cast<std::size_t>(t); j < 500; j += 3)
        if (f.find("c" + std::to_string(j)) != &f[j]) ++wrong;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong, 0);
}

TEST(Frame, CellText) {
  const Column c = Column::from_strings("c", {"a", "b"}, {false, true});
  EXPECT_EQ(c.text(0), "a");
  EXPECT_EQ(c.text(1), "");
  EXPECT_TRUE(c.is_missing(1));
  EXPECT_EQ(Column::numeric("n", {0.1, NAN}).text(0), "0.1");
  EXPECT_EQ(format_number(3.0), "3");
}

TEST(Column, ViewsKeepTheirOwnerAliveAndDictionariesSort) {
  auto owner = std::make_shared<std::vector<double>>(std::vector<double>{1, 2, 3});
  std::weak_ptr<std::vector<double>> watch = owner;
  Column view = Column::numeric_view("x", {owner->data() + 1, 2}, owner);
  owner.reset();
  ASSERT_FALSE(watch.expired());  // the column holds it
  EXPECT_EQ(view.values()[0], 2);
  EXPECT_EQ(view.take(std::vector<std::size_t>{1}).values()[0], 3);
  view = Column::numeric("x", {});
  EXPECT_TRUE(watch.expired());

  // Codes into an unsorted dictionary with a repeated text: sorted, merged, missing kept.
  const std::vector<std::int64_t> codes = {2, 0, -1, 1, 3};
  const Column c = Column::from_dictionary("c", codes, {"b", "a", "c", "a"});
  EXPECT_EQ(c.categories(), (Categories{"a", "b", "c"}));
  EXPECT_EQ(std::vector<std::int32_t>(c.codes().begin(), c.codes().end()),
            (std::vector<std::int32_t>{2, 1, kMissingCode, 0, 0}));
  const Column same = Column::from_strings("c", {"c", "b", "", "a", "a"}, {false, false, true, false, false});
  EXPECT_EQ(same.categories(), c.categories());
  EXPECT_TRUE(std::equal(same.codes().begin(), same.codes().end(), c.codes().begin()));
  const std::vector<std::int64_t> some = {1, -1, 1};  // "a" and "c" unused: not categories
  EXPECT_EQ(Column::from_dictionary("c", some, {"c", "b", "a"}).categories(), Categories{"b"});
  const std::vector<std::int64_t> outside = {0, 5};
  EXPECT_THROW(Column::from_dictionary("c", outside, {"a"}), DataError);
}

}  // namespace
}  // namespace shipml
