#pragma once
// XGBoost's JSON model, checked before libxgboost reads it. libxgboost trusts
// the indices of its trees: a child, parent, feature, output group or category
// segment out of range is read (or written) out of bounds, and a cycle never
// ends. A model file's checksum is no signature, so shipml checks them first.
#include <cstddef>
#include <string>
#include <string_view>

namespace shipml::builtin {

/// What a checked booster reads and gives.
struct BoosterModel {
  std::size_t features = 0;   ///< learner_model_param.num_feature
  std::size_t num_class = 0;  ///< learner_model_param.num_class: 0 unless multiclass
  std::string objective;      ///< learner.objective.name
};

/// Checks XGBoost's JSON model (as XGBoosterSaveModelToBuffer writes it): a
/// gbtree booster whose trees agree with their own sizes, the booster's feature
/// count and its output groups. BinaryReader::fail naming what disagrees otherwise.
BoosterModel check_booster_json(std::string_view json);

}  // namespace shipml::builtin
