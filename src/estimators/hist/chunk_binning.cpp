#include "chunk_binning.hpp"

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "shipml/core/error.hpp"

namespace shipml::hist {
namespace {

using Columns = std::vector<std::vector<double>>;

// Every rank's share of the sample, column by column, in rank order (rank
// order is row order): the sample one process would take from all the rows.
Columns gather_sample(Columns mine, Communicator& ranks) {
  if (ranks.size() == 1) return mine;
  const std::size_t rows = mine.empty() ? 0 : mine[0].size();
  std::string bytes(sizeof(std::uint64_t) + mine.size() * rows * sizeof(double), '\0');
  const std::uint64_t count = rows;
  std::memcpy(bytes.data(), &count, sizeof count);
  char* at = bytes.data() + sizeof count;
  for (const auto& column : mine) {
    std::memcpy(at, column.data(), rows * sizeof(double));
    at += rows * sizeof(double);
  }
  Columns all(mine.size());
  for (const std::string& part : ranks.all_gather(bytes)) {
    std::uint64_t n = 0;
    std::memcpy(&n, part.data(), sizeof n);
    if (part.size() != sizeof n + all.size() * n * sizeof(double))
      throw DistributedError("binning: the ranks' samples have different columns");
    const char* from = part.data() + sizeof n;
    for (auto& column : all) {
      const std::size_t old = column.size();
      column.resize(old + n);
      std::memcpy(column.data() + old, from, n * sizeof(double));
      from += n * sizeof(double);
    }
  }
  return all;
}

}  // namespace

RowSpan row_span(std::size_t rows, Communicator& ranks) {
  const std::uint64_t mine = rows;
  RowSpan span;
  const std::vector<std::string> counts =
      ranks.all_gather(std::string(reinterpret_cast<const char*>(&mine), sizeof mine));
  for (int r = 0; r < ranks.size(); ++r) {
    std::uint64_t n = 0;
    std::memcpy(&n, counts[static_cast<std::size_t>(r)].data(), sizeof n);
    if (r < ranks.rank()) span.first += n;
    span.total += n;
  }
  return span;
}

BinnedRows bin_chunks(Binner& binner, FeatureChunks& X, const RowSpan& span, int max_bins, Communicator& ranks,
                      int threads) {
  const std::vector<FeatureInfo>& infos = X.infos();
  const std::size_t step = Binner::sample_step(span.total);
  // Pass 1: the rows whose number among all rows is a multiple of the step.
  Columns sample(infos.size());
  on_every_rank(ranks, [&] {
    X.for_each([&](std::size_t first_row, const FeatureMatrix& chunk) {
      if (chunk.cols() != infos.size())
        throw DataError("a chunk at row " + std::to_string(first_row) + " has " + std::to_string(chunk.cols()) +
                        " columns, not " + std::to_string(infos.size()));
      const std::size_t global = span.first + first_row;
      for (std::size_t i = (step - global % step) % step; i < chunk.rows(); i += step)
        for (std::size_t j = 0; j < infos.size(); ++j) sample[j].push_back(chunk(i, j));
    });
  });
  Columns all = gather_sample(std::move(sample), ranks);
  const std::size_t rows = all.empty() ? 0 : all[0].size();
  FeatureMatrix taken(std::make_shared<const std::vector<FeatureInfo>>(infos), rows);
  for (auto& column : all) {
    auto kept = std::make_shared<const std::vector<double>>(std::move(column));
    taken.add_column(kept->data());
    taken.keep(std::move(kept));
  }
  binner.fit_sample(taken, max_bins);
  // Pass 2: every value into its bin.
  BinnedRows out = binner.empty_rows(X.rows());
  on_every_rank(ranks, [&] {
    X.for_each([&](std::size_t first_row, const FeatureMatrix& chunk) {
      binner.transform_into(chunk, out, first_row, threads);
    });
  });
  return out;
}

}  // namespace shipml::hist
