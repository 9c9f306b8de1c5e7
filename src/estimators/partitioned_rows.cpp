#include "partitioned_rows.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "shipml/core/binary.hpp"
#include "shipml/core/error.hpp"

namespace shipml::builtin {
namespace {

// Binner::fit learns from every k-th row: the same rows, taken by their
// number among the rows of every rank, give the same bins.
std::size_t binner_sample_step(std::uint64_t rows) { return hist::Binner::sample_step(rows); }

// What a rank's columns are: their count and, for each, whether it holds
// categories and how many. Ranks must agree on it to share bins and trees.
void write_columns(BinaryWriter& out, const FeatureMatrix& X) {
  out.u64(X.cols());
  for (std::size_t j = 0; j < X.cols(); ++j) {
    out.u8(X.info(j).categorical);
    out.i64(X.info(j).categories);
  }
}

std::string read_columns(BinaryReader& in) {
  BinaryWriter same;
  const std::uint64_t cols = in.count(9);
  same.u64(cols);
  for (std::uint64_t j = 0; j < cols; ++j) {
    same.u8(in.u8());
    same.i64(in.i64());
  }
  return same.data();
}

// Every rank's count, in rank order, on every rank.
std::vector<std::uint64_t> counts_by_rank(std::uint64_t mine, Communicator& ranks) {
  BinaryWriter out;
  out.u64(mine);
  std::vector<std::uint64_t> counts;
  for (const std::string& bytes : ranks.all_gather(out.data())) {
    BinaryReader in(bytes);
    counts.push_back(in.u64());
  }
  return counts;
}

}  // namespace

FeatureMatrix rows_in_memory(FeatureChunks& X) {
  if (auto* whole = dynamic_cast<WholeMatrix*>(&X)) return whole->matrix();
  const std::vector<FeatureInfo>& infos = X.infos();
  const std::size_t n = X.rows();
  std::vector<std::vector<double>> columns(infos.size(), std::vector<double>(n));
  X.for_each([&](std::size_t first, const FeatureMatrix& chunk) {
    if (chunk.cols() != infos.size() || first + chunk.rows() > n)
      throw UsageError("a chunk of rows from " + std::to_string(first) + " has " + std::to_string(chunk.cols()) +
                       " columns and " + std::to_string(chunk.rows()) + " rows, outside the " +
                       std::to_string(infos.size()) + " columns and " + std::to_string(n) + " rows announced");
    for (std::size_t j = 0; j < infos.size(); ++j)
      std::copy(chunk.column(j), chunk.column(j) + chunk.rows(),
                columns[j].begin() + static_cast<std::ptrdiff_t>(first));
  });
  FeatureMatrix out;
  for (std::size_t j = 0; j < infos.size(); ++j) out.add_owned(infos[j], std::move(columns[j]));
  out.set_rows(n);
  return out;
}

hist::Binner binner_over_ranks(const FeatureMatrix& X, int max_bins, Communicator& ranks) {
  hist::Binner binner;
  if (ranks.size() == 1) {
    binner.fit(X, max_bins);
    return binner;
  }
  const std::vector<std::uint64_t> rows = counts_by_rank(X.rows(), ranks);
  std::uint64_t first = 0, total = 0;
  for (int r = 0; r < ranks.size(); ++r) {
    if (r < ranks.rank()) first += rows[static_cast<std::size_t>(r)];
    total += rows[static_cast<std::size_t>(r)];
  }
  const std::size_t step = binner_sample_step(total);
  // This rank's rows whose global number is a multiple of step.
  std::vector<std::size_t> taken;
  for (std::size_t i = (step - first % step) % step; i < X.rows(); i += step) taken.push_back(i);
  BinaryWriter out;
  write_columns(out, X);
  out.u64(taken.size());
  for (std::size_t j = 0; j < X.cols(); ++j) {
    std::vector<double> values(taken.size());
    for (std::size_t k = 0; k < taken.size(); ++k) values[k] = X(taken[k], j);
    out.array(values);
  }
  const std::vector<std::string> gathered = ranks.all_gather(out.data());

  // Every rank reads the same bytes, so every rank refuses alike, before
  // reading any rank's columns by its own count.
  std::vector<BinaryReader> readers(gathered.begin(), gathered.end());
  std::vector<std::string> columns;
  for (std::size_t r = 0; r < readers.size(); ++r) {
    columns.push_back(read_columns(readers[r]));
    if (columns[r] != columns[0])
      throw UsageError("rank " + std::to_string(r) + "'s rows do not have rank 0's columns (their number, " +
                       "which are categories, how many categories)");
  }
  std::vector<std::vector<double>> sample(X.cols());
  std::size_t sampled_rows = 0;
  for (std::size_t r = 0; r < readers.size(); ++r) {
    BinaryReader& in = readers[r];
    const std::uint64_t n = in.u64();
    sampled_rows += n;
    for (auto& column : sample) {
      const std::vector<double> part = in.array<double>();
      if (part.size() != n) BinaryReader::fail("rank " + std::to_string(r) + " sent a short column");
      column.insert(column.end(), part.begin(), part.end());
    }
  }
  FeatureMatrix sampled;
  for (std::size_t j = 0; j < X.cols(); ++j) sampled.add_owned(X.info(j), std::move(sample[j]));
  sampled.set_rows(sampled_rows);
  // Fewer than 400000 rows: fit() takes every one of them.
  binner.fit(sampled, max_bins);
  return binner;
}

}  // namespace shipml::builtin
