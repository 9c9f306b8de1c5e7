#pragma once
// Mutual information between one feature and the target, by the estimators
// scikit-learn uses (mutual_info_classif / mutual_info_regression):
// Kraskov et al. (2004) for two continuous variables, Ross (2014) for a
// continuous and a discrete one, both with k nearest neighbours, and the exact
// plug-in value for two discrete variables. In nats; never negative.
#include <cstddef>
#include <vector>

namespace shipml::mutual_info {

/// Both continuous (already scaled, ties broken by noise).
double continuous_continuous(const std::vector<double>& x, const std::vector<double>& y, std::size_t k = 3);
/// `c` continuous, `d` discrete codes in [0, levels).
double continuous_discrete(const std::vector<double>& c, const std::vector<int>& d, std::size_t k = 3);
/// Both discrete codes.
double discrete_discrete(const std::vector<int>& a, const std::vector<int>& b);

}  // namespace shipml::mutual_info
