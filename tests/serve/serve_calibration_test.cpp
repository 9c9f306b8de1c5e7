// A calibrated, thresholded model behind `shipml serve`: both protocols answer
// with its calibrated probabilities and the labels its threshold decides, the
// same as Model::predict in this process.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "serve/request_bodies.hpp"
#include "serve/server_process.hpp"

namespace shipml::test {
namespace {

using nlohmann::json;

TEST(ServeDecision, BothProtocolsGiveTheCalibratedProbabilitiesAndTheThresholdsLabels) {
  TempDir dir;
  const Dataset d = read_dataset(data_path("breast_cancer.csv"), "diagnosis");
  // A low threshold, so that some labels differ from the highest probability's.
  Model model = Model("logistic", {{"C", "0.05"}})
                    .calibrated({CalibrationMethod::sigmoid, 3})
                    .with_threshold(ThresholdSpec::parse("0.3"));
  model.fit(d);
  model.save(dir.file("cancer.shipml"));
  std::vector<std::size_t> first(d.rows());
  for (std::size_t i = 0; i < first.size(); ++i) first[i] = i;
  const Frame rows = d.features().take(first);
  write_csv(dir.file("rows.csv"), rows);
  const Predictions expected = model.predict(rows);
  std::size_t decided_by_threshold = 0;
  for (std::size_t i = 0; i < first.size(); ++i) {
    const double p = expected.proba(static_cast<Eigen::Index>(i), 1);
    decided_by_threshold += p >= 0.3 && p < 0.5;
  }
  ASSERT_GT(decided_by_threshold, 0u) << "no row where the threshold and the highest probability disagree";

  ServerProcess server({dir.file("cancer.shipml")});
  const auto mlflow = server.post("/invocations", read_file(dir.file("rows.csv")), "text/csv");
  ASSERT_EQ(mlflow.status, 200) << mlflow.body;
  const json labels = json::parse(mlflow.body)["predictions"];
  ASSERT_EQ(labels.size(), first.size());
  for (std::size_t i = 0; i < first.size(); ++i) EXPECT_EQ(labels[i], expected.label(i)) << i;

  const json body = {{"inputs", bytes_matrix(rows)}};
  const auto infer = server.post("/v2/models/cancer/infer", body.dump());
  ASSERT_EQ(infer.status, 200) << infer.body;
  const json out = json::parse(infer.body)["outputs"];
  ASSERT_EQ(out.size(), 2u);
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(out[0]["data"][i], expected.label(i)) << i;
    for (Eigen::Index c = 0; c < 2; ++c)
      EXPECT_EQ(out[1]["data"][2 * i + static_cast<std::size_t>(c)].get<double>(),
                expected.proba(static_cast<Eigen::Index>(i), c))
          << i;
  }
}

}  // namespace
}  // namespace shipml::test
