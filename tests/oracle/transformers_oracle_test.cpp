// Transformers against scikit-learn's on the same columns: scalers, the
// imputer with missing indicators, binning, polynomial features and one-hot
// encoding give the same numbers, column by column.
#include <gtest/gtest.h>

#include <cmath>

#include "oracle_support.hpp"
#include "shipml/shipml.hpp"

namespace shipml {
namespace {

// scikit-learn's name for one of our output columns.
std::string their_name(const std::string& ours) {
  if (ours.ends_with("_missing")) return "missingindicator_" + ours.substr(0, ours.size() - 8);
  if (const auto eq = ours.find('='); eq != std::string::npos) return ours.substr(0, eq) + "_" + ours.substr(eq + 1);
  if (ours.find('*') != std::string::npos) {
    const auto star = ours.find('*');
    const std::string a = ours.substr(0, star), b = ours.substr(star + 1);
    return a == b ? a + "^2" : a + " " + b;
  }
  return ours;
}

TEST(TransformersOracle, SameOutputAsScikitLearn) {
  const auto cases = test::oracle("transformers.json");
  ASSERT_GE(cases.size(), 8u);
  for (const auto& c : cases) {
    const auto columns = c["columns"].get<std::vector<std::string>>();
    CsvOptions csv;
    if (c["transformer"] == "one_hot") csv.categorical = columns;  // area codes are text to scikit-learn's encoder
    const Frame data = read_csv(std::string(SHIPML_SOURCE_DIR) + "/data/" + c["dataset"].get<std::string>(), csv);
    std::vector<Column> picked;
    for (const auto& name : columns) picked.push_back(data.column(name));
    Pipeline p({{.transformer = c["transformer"], .params = c["params"].get<std::map<std::string, std::string>>()}});
    const Frame out = p.fit_transform(Frame(picked), {});
    const auto& expected = c["output"];
    ASSERT_EQ(out.cols(), expected.size()) << c["name"];
    for (const Column& col : out.columns()) {
      const std::string name = their_name(col.name());
      ASSERT_TRUE(expected.contains(name)) << c["name"] << ": scikit-learn has no column " << name;
      const auto& values = expected[name];
      for (std::size_t i = 0; i < col.size(); ++i) {
        if (values[i].is_null()) {
          EXPECT_TRUE(std::isnan(col.values()[i])) << c["name"] << " " << name << " row " << i;
        } else {
          const double want = values[i].get<double>();
          EXPECT_NEAR(col.values()[i], want, 1e-9 * std::max(1.0, std::abs(want)))
              << c["name"] << " " << name << " row " << i;
        }
      }
    }
  }
}

}  // namespace
}  // namespace shipml
