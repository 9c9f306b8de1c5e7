#pragma once
/// \file
/// The input schema a model was trained on: feature names, types and category
/// dictionaries. Every prediction, from every front door, goes through conform(),
/// so a missing column or a wrong type is caught the same way everywhere.
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/core/frame.hpp"

namespace shipml {

/// One input column of a schema: name, type and, for categories, the training dictionary.
struct SHIPML_API Field {
  std::string name;                              ///< the column's name
  ColumnType type = ColumnType::numeric;         ///< numeric or categorical
  std::shared_ptr<const Categories> categories;  ///< categorical fields: the training dictionary
  /// Code of each category, built once so predictions need not rebuild it.
  std::shared_ptr<const std::unordered_map<std::string, std::int32_t>> codes;
  /// An unseen category is an error, not a missing value (a one_hot step with unseen=error).
  bool refuse_unseen = false;
};

/// The input schema a model was trained on: feature names, types and category dictionaries.
class SHIPML_API Schema {
 public:
  /// An empty schema (no fields).
  Schema() = default;
  /// The schema of training features.
  static Schema of(const Frame& features);

  /// Every field, in training order.
  const std::vector<Field>& fields() const { return fields_; }
  /// Field names, in training order.
  std::vector<std::string> names() const;
  /// Makes an unseen category in these (categorical) fields an error.
  void refuse_unseen(const std::vector<std::string>& names);

  /// The columns of `input` in schema order, typed as at training and with
  /// categories recoded to the training dictionaries (an unseen category becomes
  /// missing, or is an error where refused). Extra columns are ignored and order
  /// does not matter. Safe conversions are made (a number where numeric-looking
  /// categories were learned is read as its text; categories that are all
  /// numbers become numbers). A DataError names the column, row and value
  /// otherwise (a number where only text categories were learned, say).
  Frame conform(const Frame& input) const;

  /// The fields as JSON (as the model file's header holds them).
  nlohmann::json to_json() const;
  /// Reads what to_json() wrote.
  static Schema from_json(const nlohmann::json& j);

 private:
  void add(std::string name, ColumnType type, std::shared_ptr<const Categories> categories);
  std::vector<Field> fields_;
};

}  // namespace shipml
