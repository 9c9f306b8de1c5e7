// A model's side of drift: the reference it keeps from its training rows,
// and the report of new rows against it.
#include "shipml/core/error.hpp"
#include "shipml/model/model.hpp"

namespace shipml {

Column Predictions::column(std::string name) const {
  if (task == Task::regression) return Column::numeric(std::move(name), values);
  std::vector<std::int32_t> codes(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) codes[i] = static_cast<std::int32_t>(values[i]);
  return Column::categorical(std::move(name), std::move(codes), std::make_shared<const Categories>(classes));
}

// The reference sees the model's final predictions (calibrated, thresholded),
// so it is taken once the model is complete.
void Model::keep_drift_reference(const Frame& features) {
  const std::vector<std::size_t> rows = DriftReference::sample_rows(features.rows());
  const Frame sample = features.take(rows);
  drift_reference_ =
      std::make_shared<const DriftReference>(DriftReference::of(sample, predict(sample).column("prediction")));
}

DriftReport Model::drift(const Frame& rows, const DriftThresholds& thresholds) const {
  require_fitted("measure drift");
  if (!drift_reference_)
    throw ModelError("this model keeps no drift reference (its file was written before shipml kept one, or it was "
                     "fitted without): fit it again to measure drift");
  return drift_report(drift_reference_, rows, predict(rows).column("prediction"), thresholds);
}

}  // namespace shipml
