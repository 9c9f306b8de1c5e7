#pragma once
// What a learner that trains on one rank's share of the rows needs from the
// others: its chunks as one matrix, and bins learned from the rows of every rank.
#include <cstdint>
#include <string>
#include <vector>

#include "hist/binning.hpp"
#include "shipml/core/communicator.hpp"
#include "shipml/estimators/feature_chunks.hpp"

namespace shipml::builtin {

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
