#pragma once
/// \file
/// MLflow's scoring protocol (POST /invocations): the JSON shapes MLflow 2 accepts
/// (dataframe_split, dataframe_records, instances, inputs), the pandas-split and
/// pandas-records bodies MLflow 1 clients send, and CSV; `"params": {"explain": true}`
/// adds each prediction's contributions to the answer.
#include <string>
#include <string_view>

#include "shipml/core/export.hpp"
#include "shipml/model/model.hpp"

/// MLflow's scoring protocol (POST /invocations): request bodies in, predictions and errors out.
namespace shipml::serve::mlflow {

/// A decoded /invocations request.
struct SHIPML_API ScoringRequest {
  Frame input;                     ///< the rows
  bool explain = false;            ///< `"params": {"explain": true}`: contributions beside the predictions
  ExplainOptions explain_options;  ///< params explain_samples and explain_seed
};

/// The rows of an /invocations body, and its MLflow 2 `params` (JSON bodies
/// with one of the four keys only). A RequestError says what was wrong: 415
/// for a content type that is neither JSON nor CSV, 400 for the rest,
/// including an `explain` that is not true or false.
SHIPML_API ScoringRequest decode(const Model& model, std::string_view content_type, std::string_view body);

/// {"predictions": [...]}: class labels (as numbers when they are numbers) or values.
SHIPML_API std::string encode(const Predictions& predictions);
/// {"predictions": [...], "contributions": contributions_json(c, raw)}.
SHIPML_API std::string encode(const Predictions& predictions, const Contributions& c, const Matrix& raw);

/// MLflow's error body: {"error_code": "...", "message": "..."}.
SHIPML_API std::string error_body(int status, const std::string& message);

}  // namespace shipml::serve::mlflow
