#pragma once
/// \file
/// The default preprocessing a model carries: turns conformed feature columns into
/// the numeric matrix its learner wants (see InputEncoding). Fitted on training
/// data and saved in the model file, so prediction never depends on new data.
#include <nlohmann/json.hpp>

#include "shipml/core/binary.hpp"
#include "shipml/core/export.hpp"
#include "shipml/core/frame.hpp"
#include "shipml/estimators/estimator.hpp"
#include "shipml/model/schema.hpp"

namespace shipml {

/// Turns conformed feature columns into the matrix a learner wants, as its InputEncoding says.
class SHIPML_API FeatureEncoder {
 public:
  /// An unfitted encoder for `encoding`.
  explicit FeatureEncoder(InputEncoding encoding = InputEncoding::ordinal) : encoding_(encoding) {}

  /// `standardise`: divide numbers by their standard deviation (one_hot_scaled).
  /// Off behind a pipeline, whose steps decide the scaling; numbers are then only
  /// centred, which imputes missing ones with the mean and changes no linear fit.
  void fit(const Frame& features, bool standardise = true);
  /// `features` must be conformed to the training schema. Ordinal numeric
  /// columns are shared with `features`, not copied.
  FeatureMatrix transform(const Frame& features) const;
  /// Names of the encoded columns ("state=KS", "age", "age_missing").
  const std::vector<std::string>& output_names() const { return names_; }
  /// For each encoded column, the index of the input column it comes from.
  std::vector<std::size_t> sources() const;

  /// Writes what was fitted, for the model file.
  void save(BinaryWriter& out) const;
  /// Reads what save() wrote.
  void load(BinaryReader& in);
  /// Whether a loaded encoder fits the schema it will be fed (guards crafted files).
  bool matches(const Schema& schema) const;
  /// After load and matches(): learns the category counts from the schema.
  void bind(const Schema& schema);
  /// The encoding and the number of encoded features, as JSON.
  nlohmann::json describe() const;

 private:
  struct ColumnPlan {
    bool categorical = false;
    std::size_t categories = 0;  // one-hot width
    double center = 0, scale = 1;
    bool indicator = false;  // add a missing-indicator column
  };
  InputEncoding encoding_;
  std::vector<ColumnPlan> plan_;
  std::vector<std::string> names_;
  // What the learner is told about each encoded column; shared by every matrix transform() makes.
  std::shared_ptr<const std::vector<FeatureInfo>> infos_;
  void describe_columns(const std::vector<std::size_t>& categories);
  void refuse_beyond_memory(const Frame& features, std::size_t computed) const;
};

}  // namespace shipml
