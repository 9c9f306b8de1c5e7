#pragma once
// A node's statistics per bin, one feature at a time, summed straight from its
// rows: what the grower does instead of keeping histograms for small nodes,
// and for every node of a forest that tries a few random features. Sums take
// the node's rows in order, so they are the same whichever way the rows'
// bins and statistics are read.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "binning.hpp"
#include "class_lanes.hpp"

namespace shipml::hist {

class NodeSums {
 public:
  NodeSums() = default;
  /// See reset().
  NodeSums(const BinnedRows& data, std::span<const float> stats, std::size_t width, bool class_counts) {
    reset(data, stats, width, class_counts);
  }
  /// Sums over `data`, whose rows have `width` floats each in `stats`;
  /// `class_counts`: they are a forest's per-class weights and a row count
  /// (see gather()). The buffers of earlier trees are kept: a grower's
  /// workspace holds one NodeSums from tree to tree.
  void reset(const BinnedRows& data, std::span<const float> stats, std::size_t width, bool class_counts);

  /// Readies the node of rows[0, n) for summing features[0, m), the features
  /// it will try first (see the .cpp for what is copied and when). A forest's
  /// node with `lanes` (fewer than its classes) is summed in those lanes, when
  /// each row weighs on one class (see width()).
  void gather(const std::uint32_t* rows, std::size_t n, const std::vector<int>& features, std::size_t m,
              const ClassLanes* lanes = nullptr);
  /// The width of the node's sums: the lanes' when its rows are summed in
  /// lanes, the statistics' otherwise.
  std::size_t width() const { return w_; }

  /// Feature f's sums per bin (bin b at b * width(); kMissingBin's included),
  /// f being features[k] of the last gather() (k >= m: read from its column).
  /// `present` gets the bins other than kMissingBin that the rows use, in order.
  /// The sums stay valid until clear(present). Null when every row of the
  /// node is in one bin (so no split of f can be found; present left empty).
  const double* feature(int f, std::size_t k, const std::uint32_t* rows, std::size_t n,
                        std::vector<std::uint8_t>& present);
  /// Zeros the sums feature() left, ready for the next feature.
  void clear(const std::vector<std::uint8_t>& present);

 private:
  const BinnedRows* data_ = nullptr;
  const float* stats_ = nullptr;
  std::size_t W_ = 0, w_ = 0;
  bool class_counts_ = false;
  std::vector<double> sums_;  // one feature's, all zeros between calls
  // The node's copy of its rows' statistics and of the first gathered_
  // features' bins (feature k's at bins_[k * rows]).
  std::vector<float> stats_copy_;
  std::vector<std::uint8_t> bins_;
  std::vector<std::uint32_t> lines_;  // the cache lines (their first byte) of a row that gather() reads
  std::size_t gathered_ = 0;
  bool stats_copied_ = false;
  struct OneClass {
    std::uint32_t index;
    float weight, rows;
  };
  std::vector<OneClass> row_classes_;  // each row of the data as its one class, when each has one (or none)
  std::vector<OneClass> classes_;      // a node's rows as their classes (see gather())
  bool one_hot_ = false;
  bool whole_ = false;            // a forest's statistics, all small whole numbers (they add up exactly)
  bool weight_is_count_ = false;  // and each row's class weight is its count
  std::vector<double> odd_;       // such a node's odd rows' sums, all zeros between calls (see feature())
};

}  // namespace shipml::hist
