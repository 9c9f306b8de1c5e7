// predict MODEL DATA: loads a shipml model file and prints the prediction of
// each row of a CSV file (and the class probabilities, for a classifier).
#include <iostream>

#include "shipml/io/csv.hpp"
#include "shipml/model/model.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: predict MODEL DATA\n";
    return 2;
  }
  try {
    const shipml::Model model = shipml::Model::load(argv[1]);
    const shipml::Frame rows = shipml::read_csv(argv[2]);
    const shipml::Predictions p = model.predict(rows);  // checked against the model's schema
    for (std::size_t i = 0; i < p.values.size(); ++i) {
      std::cout << p.label(i);
      for (Eigen::Index c = 0; c < p.proba.cols(); ++c) std::cout << ',' << p.proba(static_cast<Eigen::Index>(i), c);
      std::cout << '\n';
    }
  } catch (const shipml::Error& e) {
    std::cerr << "predict: " << e.what() << '\n';
    return 1;
  }
}
