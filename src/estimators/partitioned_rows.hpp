#pragma once
// What a learner that trains on one rank's share of the rows needs from the
// others: where its rows stand among all, its chunks as one matrix, and bins
// learned from the rows of every rank.
#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <vector>

#include "hist/binning.hpp"
#include "shipml/core/communicator.hpp"
#include "shipml/estimators/feature_chunks.hpp"

namespace shipml::builtin {

/// Every rank's count, in rank order, on every rank.
std::vector<std::uint64_t> counts_by_rank(std::uint64_t mine, Communicator& ranks);

/// The rows of `X` as one matrix: the matrix itself for a WholeMatrix (no
/// copy), otherwise the chunks copied in order into columns the result owns.
FeatureMatrix rows_in_memory(FeatureChunks& X);

/// Bins learned from the rows of every rank as Binner::fit learns them from
/// one matrix holding them all in rank order: each rank sends the rows of its
/// share that fit()'s deterministic sample takes by their global number, and
/// every rank fits the same bins on the gathered sample. One rank: fit() on X.
/// Refuses (on every rank alike) ranks whose columns differ.
hist::Binner binner_over_ranks(const FeatureMatrix& X, int max_bins, Communicator& ranks);

}  // namespace shipml::builtin
