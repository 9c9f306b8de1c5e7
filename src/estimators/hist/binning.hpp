#pragma once
// Quantises features into at most 255 bins (one byte per value), the input of
// histogram-based tree learners. Numbers get equal-frequency bins whose edges
// lie halfway between neighbouring distinct values; categories get one bin each
// (the most frequent ones, when there are more than bins). Missing values, and
// categories without a bin, go to kMissingBin.
#include <cstdint>
#include <vector>

#include "shipml/core/binary.hpp"
#include "shipml/core/large_block.hpp"
#include "shipml/estimators/feature_matrix.hpp"

namespace shipml::hist {

inline constexpr std::uint8_t kMissingBin = 255;
inline constexpr int kMaxBins = 255;

struct FeatureBins {
  bool categorical = false;
  std::vector<double> edges;              // numeric: bin b holds edges[b-1] < x <= edges[b]
  std::vector<std::uint8_t> code_to_bin;  // categorical: bin of each category code
  std::vector<std::int32_t> bin_to_code;  // categorical: the code a bin stands for
  int bins() const { return categorical ? static_cast<int>(bin_to_code.size()) : static_cast<int>(edges.size()) + 1; }

  std::uint8_t bin(double x) const;
  /// For dumps and inspection: the largest value of a numeric bin.
  double upper_edge(int b) const;
};

/// Binned data, row-major (histograms read a row's bins together) and
/// column-major (partitioning a node reads one feature of scattered rows: a
/// column is a few hundred KB that stays in cache, a row-major scan is not).
/// A learner may drop either copy to save its memory: one that builds its
/// histograms another way the row-major one (data empty), one that is short
/// of memory the column-major one (by_column empty); column() and bin() then
/// read the other.
struct BinnedRows {
  /// One feature's bins, a row at a time: its column, or every `stride`-th
  /// byte of the rows.
  struct Column {
    const std::uint8_t* first;
    std::size_t stride;
    const std::uint8_t* at(std::size_t r) const { return first + r * stride; }
    std::uint8_t operator[](std::size_t r) const { return *at(r); }
  };
  std::size_t rows = 0, features = 0;
  /// Bytes written whole by the binner: never zeroed first (see large_block.hpp).
  using Bytes = std::vector<std::uint8_t, UninitialisedAllocator<std::uint8_t>>;
  Bytes data, by_column;
  bool has_rows() const { return !data.empty() || rows == 0 || features == 0; }
  bool has_columns() const { return !by_column.empty() || rows == 0 || features == 0; }
  const std::uint8_t* row(std::size_t r) const { return data.data() + r * features; }
  Column column(std::size_t f) const {
    return has_columns() ? Column{by_column.data() + f * rows, 1} : Column{data.data() + f, features};
  }
  std::uint8_t bin(std::size_t r, std::size_t f) const { return column(f)[r]; }
};

class Binner {
 public:
  /// The rows fit() learns from among `rows`: every sample_step(rows)-th,
  /// starting with row 0. Training on rows spread over chunks or ranks takes
  /// the same rows by their global number, so its bins equal fit()'s.
  static std::size_t sample_step(std::size_t rows);
  /// Learns bins from (a deterministic sample of) the rows of X.
  void fit(const FeatureMatrix& X, int max_bins);
  /// Learns bins from every row of `sample`: rows already taken as fit() takes
  /// them (the same bins as fit() on the rows they were taken from).
  void fit_sample(const FeatureMatrix& sample, int max_bins);
  BinnedRows transform(const FeatureMatrix& X, int threads = 0) const;
  /// Binned rows of `features().size()` columns, all zero, to fill chunk by chunk.
  BinnedRows empty_rows(std::size_t rows) const;
  /// Bins the rows of `chunk` into rows [first_row, first_row + chunk.rows()) of `out`.
  void transform_into(const FeatureMatrix& chunk, BinnedRows& out, std::size_t first_row, int threads = 0) const;

  const std::vector<FeatureBins>& features() const { return features_; }
  void save(BinaryWriter& out) const;
  void load(BinaryReader& in);

 private:
  void fit_every(const FeatureMatrix& X, std::size_t step, int max_bins);
  std::vector<FeatureBins> features_;
};

}  // namespace shipml::hist
