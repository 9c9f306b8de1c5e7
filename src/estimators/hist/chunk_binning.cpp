#include "chunk_binning.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "shipml/core/error.hpp"

namespace shipml::hist {
namespace {

using Columns = std::vector<std::vector<double>>;

// One batch of sample columns from every rank.
Columns gather_batch(Columns mine, Communicator& ranks) {
  const std::size_t rows = mine.empty() ? 0 : mine[0].size();
  std::string bytes(sizeof(std::uint64_t) + mine.size() * rows * sizeof(double), '\0');
  const std::uint64_t count = rows;
  std::memcpy(bytes.data(), &count, sizeof count);
  char* at = bytes.data() + sizeof count;
  for (const auto& column : mine) {
    if (rows > 0) std::memcpy(at, column.data(), rows * sizeof(double));  // no null pointer to memcpy
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
      if (n > 0) std::memcpy(column.data() + old, from, n * sizeof(double));
      from += n * sizeof(double);
    }
  }
  return all;
}

// The bytes one gather of sample columns may carry from all ranks together:
// far below what one MPI call carries (2 GiB), and little memory at once.
constexpr std::size_t kGatherBytes = std::size_t{256} << 20;

// Every rank's share of the sample, column by column, in rank order (rank
// order is row order): the sample one process would take from all the rows.
// Wide data goes in batches of columns (`sample_rows`, the whole sample's
// rows, is the same on every rank, so every rank makes the same batches).
Columns gather_sample(Columns mine, std::size_t sample_rows, Communicator& ranks) {
  if (ranks.size() == 1) return mine;
  const std::size_t per_batch = std::max<std::size_t>(1, kGatherBytes / std::max<std::size_t>(1, sample_rows * 8));
  Columns all;
  for (std::size_t c0 = 0; c0 < mine.size(); c0 += per_batch) {
    const std::size_t c1 = std::min(mine.size(), c0 + per_batch);
    Columns batch(std::make_move_iterator(mine.begin() + static_cast<std::ptrdiff_t>(c0)),
                  std::make_move_iterator(mine.begin() + static_cast<std::ptrdiff_t>(c1)));
    for (auto& column : gather_batch(std::move(batch), ranks)) all.push_back(std::move(column));
  }
  return all;
}

// Every rank must describe the columns alike (numeric or categorical, how
// many categories), or they would bin differently and sum histograms of
// different shapes; refused on every rank alike.
void agree_on_columns(const std::vector<FeatureInfo>& infos, Communicator& ranks) {
  if (ranks.size() == 1) return;
  std::string mine;
  for (const FeatureInfo& info : infos)
    mine += (info.categorical ? "c" + std::to_string(info.categories) : std::string("n")) + ",";
  const std::vector<std::string> all = ranks.all_gather(mine);
  for (std::size_t r = 1; r < all.size(); ++r)
    if (all[r] != all[0])
      throw DistributedError("rank " + std::to_string(r) +
                             "'s columns differ from rank 0's (numeric or categorical, or their categories)");
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
  // One process holding every row: fit()'s binning as it always was, without a copy of the sample.
  if (auto* whole = dynamic_cast<WholeMatrix*>(&X); whole && ranks.size() == 1) {
    binner.fit(whole->matrix(), max_bins);
    return binner.transform(whole->matrix(), threads);
  }
  const std::vector<FeatureInfo>& infos = X.infos();
  agree_on_columns(infos, ranks);
  const std::size_t step = Binner::sample_step(span.total);
  // Pass 1: the rows whose number among all rows is a multiple of the step.
  Columns sample(infos.size());
  ranks.agree_on([&] {
    X.for_each([&](std::size_t first_row, const FeatureMatrix& chunk) {
      if (chunk.cols() != infos.size())
        throw DataError("a chunk at row " + std::to_string(first_row) + " has " + std::to_string(chunk.cols()) +
                        " columns, not " + std::to_string(infos.size()));
      const std::size_t global = span.first + first_row;
      const std::size_t start = (step - global % step) % step;
      for (std::size_t j = 0; j < infos.size(); ++j) {
        const double* column = chunk.column(j);
        for (std::size_t i = start; i < chunk.rows(); i += step) sample[j].push_back(column[i]);
      }
    });
  });
  {
    Columns all = gather_sample(std::move(sample), (span.total + step - 1) / step, ranks);
    const std::size_t rows = all.empty() ? 0 : all[0].size();
    FeatureMatrix taken(std::make_shared<const std::vector<FeatureInfo>>(infos), rows);
    for (auto& column : all) {
      auto kept = std::make_shared<const std::vector<double>>(std::move(column));
      taken.add_column(kept->data());
      taken.keep(std::move(kept));
    }
    binner.fit_sample(taken, max_bins);
  }  // the sample is let go before the rows are binned
  // Pass 2: every value into its bin.
  // empty_rows() leaves the bins unwritten: every row must come in a chunk.
  BinnedRows out = binner.empty_rows(X.rows());
  ranks.agree_on([&] {
    std::size_t binned = 0;
    X.for_each([&](std::size_t first_row, const FeatureMatrix& chunk) {
      binner.transform_into(chunk, out, first_row, threads);
      binned += chunk.rows();
    });
    if (binned != out.rows)
      throw DataError("binning: the chunks held " + std::to_string(binned) + " rows where the first pass counted " +
                      std::to_string(out.rows) + " (did the data change between the passes?)");
  });
  return out;
}

}  // namespace shipml::hist
