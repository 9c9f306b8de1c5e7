#pragma once
/// \file
/// What a learner says about why it predicted what it did: each row's raw
/// output split into one contribution per group of encoded features (SHAP
/// values), plus the expected value they start from. Model groups the encoded
/// features by the input column they come from, so explanations name the
/// user's columns (shipml/model/contributions.hpp).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/core/matrix.hpp"

namespace shipml {

/// What Estimator::contributions is asked for.
struct SHIPML_API ContributionRequest {
  /// For each encoded feature, the group it belongs to (the input column it
  /// comes from), each in [0, groups). Empty: every feature is its own group.
  std::vector<std::size_t> group_of;
  /// Number of groups (the columns of the answer); with `group_of` empty, the features.
  std::size_t groups = 0;
  /// The training mean of each encoded feature (weighted as the fit was), which
  /// linear learners explain from; empty when the model does not know them.
  std::vector<double> feature_means;
  /// Sampling methods: permutations of the groups drawn per row, in all
  /// (spread over the background rows, at least 2 per background row).
  std::size_t samples = 256;
  /// Sampling methods: the seed; the same seed gives the same values.
  std::uint64_t seed = 0;

  /// The group of encoded feature `feature`.
  std::size_t group(std::size_t feature) const { return group_of.empty() ? feature : group_of[feature]; }
};

/// Contributions per group of encoded features, for some rows.
struct SHIPML_API FeatureContributions {
  /// One rows x groups matrix per output (see Estimator::raw_output for the outputs).
  std::vector<Matrix> values;
  /// Per output: the value the contributions start from (the raw output expected
  /// before anything is known about the row).
  std::vector<double> expected;
  /// How they were computed: "tree_shap", "linear", "xgboost" or "sampling".
  std::string method;
  /// Whether each row's contributions are the exact Shapley values (false: sampled).
  bool exact = true;
  /// Sampling: a 99% bound on the sampling error of any one value (the largest
  /// over the values); 0 for exact methods.
  double error_bound = 0;
};

}  // namespace shipml
