// train DATA TARGET OUT: scores hist_gbdt by 5-fold cross-validation, trains it
// on every row and saves it, recording both as runs (in ./runs, or
// $SHIPML_TRACKING_URI), as `shipml score` and `shipml train` do.
#include <iostream>

#include "shipml/io/csv.hpp"
#include "shipml/track/recorded.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: train DATA TARGET OUT\n";
    return 2;
  }
  try {
    const shipml::Dataset data = shipml::read_dataset(argv[1], argv[2]);
    shipml::Model model("hist_gbdt", {{"n_estimators", "50"}});
    std::cout << shipml::score_recorded(model, data, {.folds = 5}).table();
    shipml::fit_recorded(model, data);
    model.save(argv[3]);
    std::cout << "saved " << argv[3] << '\n';
  } catch (const shipml::Error& e) {
    std::cerr << "train: " << e.what() << '\n';
    return 1;
  }
}
