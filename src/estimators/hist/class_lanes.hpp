#pragma once
// The classes a forest node's rows hold, each given a lane of compact
// statistics: (weight of each present class..., rows). A class absent from a
// node is absent from every part of it, and its weight there is 0 in every
// sum; the scores and checks of ClassCountCriterion skip such zeros (a sum
// plus 0.0 is the same sum). So a node's split search over its present
// classes alone finds the same split, bit for bit, with loops over 3 lanes
// where a deep node of 10 classes had 11.
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace shipml::hist {

class ClassLanes {
 public:
  /// The lanes of the node whose statistics (k classes' weights, rows) are `total`.
  void of(const double* total, std::size_t k) {
    k_ = k;
    lane_of_.resize(k);
    class_of_.clear();
    for (std::size_t c = 0; c < k; ++c) {
      lane_of_[c] = static_cast<std::uint32_t>(class_of_.size());
      if (total[c] != 0.0) class_of_.push_back(static_cast<std::uint32_t>(c));
    }
  }
  /// Whether some class is absent: the lanes are fewer than the classes.
  bool fewer() const { return class_of_.size() < k_; }
  std::size_t classes() const { return class_of_.size(); }
  /// Statistics per row or bin in lanes: the present classes and the rows.
  std::size_t width() const { return class_of_.size() + 1; }
  /// Lane of class c (of a present class; others map to the next one's).
  const std::uint32_t* lane_of() const { return lane_of_.data(); }

  /// `full` (k classes and rows) in lanes.
  std::vector<double> compact(const double* full) const {
    std::vector<double> out;
    out.reserve(width());
    for (std::uint32_t c : class_of_) out.push_back(full[c]);
    out.push_back(full[k_]);
    return out;
  }
  /// `lanes` back to every class (absent ones 0), in place.
  void expand(std::vector<double>& lanes) const {
    std::vector<double> full(k_ + 1, 0.0);
    for (std::size_t l = 0; l < class_of_.size(); ++l) full[class_of_[l]] = lanes[l];
    full[k_] = lanes[class_of_.size()];
    lanes = std::move(full);
  }

 private:
  std::size_t k_ = 0;
  std::vector<std::uint32_t> lane_of_, class_of_;
};

}  // namespace shipml::hist
