// The xgboost learner's contributions are XGBoost's own: the same numbers
// Python's xgboost gives (Booster.predict(pred_contribs=True)) for the booster
// the model file keeps, on the same rows (tests/explain/xgboost_pred_contribs.py).
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>

#include "explain_support.hpp"

namespace shipml {
namespace {

using test::Kind;

TEST(XGBoostContributions, EqualPythonXGBoostsPredContribs) {
  double worst = 0;
  for (const Kind kind : {Kind::binary, Kind::multiclass, Kind::regression}) {
    SCOPED_TRACE(test::name(kind));
    test::TempDir tmp;
    const Dataset d = test::explain_data(kind);
    Model m("xgboost", {{"n_estimators", "20"}, {"max_depth", "4"}});
    m.fit(d);
    m.save(tmp.file("model.shipml"));
    const Frame rows = test::first_rows(d.features(), 50);
    write_csv(tmp.file("rows.csv"), rows);
    const std::string command = "/usr/bin/python3 " + test::source_path("tests/explain/xgboost_pred_contribs.py") +
                                " " + tmp.file("model.shipml") + " " + tmp.file("rows.csv") + " " +
                                tmp.file("contribs.json");
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    const auto reference = nlohmann::json::parse(read_file(tmp.file("contribs.json")))["contribs"];
    const Contributions c = Model::load(tmp.file("model.shipml")).contributions(rows);
    ASSERT_EQ(c.method, "xgboost");
    ASSERT_EQ(reference.size(), rows.rows());
    const std::size_t columns = c.columns.size();
    for (std::size_t i = 0; i < rows.rows(); ++i) {
      ASSERT_EQ(reference[i].size(), c.values.size());
      for (std::size_t o = 0; o < c.values.size(); ++o) {
        const auto expected = reference[i][o].get<std::vector<double>>();
        ASSERT_EQ(expected.size(), columns + 1);  // one per column, then the bias
        for (std::size_t j = 0; j < columns; ++j) {
          const double got = c.values[o](static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
          worst = std::max(worst, std::abs(got - expected[j]));
          EXPECT_NEAR(got, expected[j], 1e-6) << "row " << i << " output " << o << " column " << c.columns[j];
        }
        EXPECT_NEAR(c.expected[o], expected[columns], 1e-6) << "the bias, row " << i;
      }
    }
  }
  std::cout << "xgboost vs pred_contribs: largest difference " << worst << '\n';
}

}  // namespace
}  // namespace shipml
