#pragma once
/// \file
/// Model files in memory: what Model::save writes and Model::load reads, for
/// callers that keep models somewhere other than a file (a registry, a request).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "shipml/core/export.hpp"

namespace shipml {

class Model;

/// The format version this build writes; it reads this and every older one.
/// 1: estimator and default preprocessing; 2: with a pipeline of steps; 3: with
/// calibration, a decision threshold or a knn's row weights. Each model is written in the oldest
/// version that holds it (without steps, calibration, threshold or row weights: 1).
inline constexpr std::uint32_t kModelFormatVersion = 3;

/// A model file's bytes, as Model::save writes them.
SHIPML_API std::string encode_model(const Model& model);
/// Parses and checks a model file's bytes; a one-line ModelError naming `name` otherwise.
SHIPML_API Model decode_model(std::string_view bytes, const std::string& name);
/// The JSON header of a valid model file.
SHIPML_API nlohmann::json read_model_header(std::string_view bytes, const std::string& name);

/// Refuses (UsageError) a destination for a model file that holds something
/// else, such as the user's data: what Model::save refuses without `force`.
/// Commands call it before long work, so a mistyped path costs nothing.
SHIPML_API void check_model_destination(const std::string& path);

}  // namespace shipml
