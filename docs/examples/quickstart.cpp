#include <iostream>

#include "shipml/shipml.hpp"

int main() {
  // Read a CSV (types inferred, categories and missing values kept as such).
  const shipml::Dataset data = shipml::read_dataset("data/churn.csv", "churn");
  // Hold out 25% of the rows, stratified by class.
  const auto split = shipml::train_test_split(data, {.test_size = 0.25, .seed = 42});

  // Any registered estimator, parameters as text (validated against their declaration).
  shipml::Model model{"decision_tree", {{"max_depth", "6"}}};
  const shipml::Result cv = shipml::score(model, data, {.folds = 5});
  std::cout << cv.table();

  model.fit(split.train);
  const shipml::Predictions p = model.predict(split.test.features());
  std::cout << "first test row: " << p.label(0) << " (P(yes) = " << p.proba(0, 1) << ")\n";

  model.save("churn.shipml");
  const shipml::Model served = shipml::Model::load("churn.shipml");  // same predictions, bit for bit
  std::cout << "reloaded: " << served.predict(split.test.features()).label(0) << '\n';
}
