#include "shipml/model/curve.hpp"

namespace shipml {

nlohmann::json Curve::to_json() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : points)
    out.push_back({{"x", p.x}, {"train_rows", p.train_rows}, {"mean", p.mean}, {"std", p.stddev}, {"folds", p.folds}});
  return {{"metric", metric}, {"x", x_label}, {"points", out}};
}

}  // namespace shipml
