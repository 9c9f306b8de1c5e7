#pragma once
// The built-in transformers, by family; registry.cpp lists them all.
#include "shipml/core/error.hpp"
#include "shipml/preprocess/transformer.hpp"

namespace shipml::preprocess {

std::vector<TransformerInfo> scalers();
std::vector<TransformerInfo> imputers();
std::vector<TransformerInfo> encoders();   // one_hot, ordinal, frequency, target
std::vector<TransformerInfo> reshapers();  // binning, date_parts, polynomial, drop/select columns
std::vector<TransformerInfo> selectors();  // select_k_best

/// numpy's default (linear interpolation) quantile of sorted values.
double linear_quantile(const std::vector<double>& sorted, double q);

/// A transformer fitted on `expected` columns refuses another width.
inline void check_width(const Frame& columns, std::size_t expected, const char* what) {
  if (columns.cols() != expected)
    throw ModelError(std::string(what) + ": fitted on " + std::to_string(expected) + " columns, given " +
                     std::to_string(columns.cols()));
}

}  // namespace shipml::preprocess
