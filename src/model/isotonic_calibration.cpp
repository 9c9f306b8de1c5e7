// Isotonic calibration as scikit-learn's IsotonicRegression(out_of_bounds="clip")
// fits and predicts, step for step, so its thresholds and interpolation are
// the same numbers: sort by score (then label), merge near-equal scores, pool
// adjacent violators, drop points inside flat runs, interpolate as numpy.interp.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "shipml/core/error.hpp"
#include "shipml/model/calibration.hpp"

namespace shipml {
namespace {

// scikit-learn's _make_unique treats a score less than numpy's float64
// resolution above the first score of its run as the same score.
constexpr double kSameScore = 1e-15;

struct Point {
  double x, y, w;
};

// Runs of (near-)equal scores become one point: the first score, the mean label, the count.
std::vector<Point> merged(std::span<const double> score, std::span<const int> positive) {
  std::vector<std::size_t> order(score.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) {
    return score[i] < score[j] || (score[i] == score[j] && positive[i] < positive[j]);
  });
  std::vector<Point> out;
  double x = score[order[0]], sum = 0, count = 0;
  for (std::size_t i : order) {
    if (score[i] - x >= kSameScore) {
      out.push_back({x, sum / count, count});
      x = score[i], sum = 0, count = 0;
    }
    sum += positive[i] > 0 ? 1 : 0, count += 1;
  }
  out.push_back({x, sum / count, count});
  return out;
}

// Pool adjacent violators: blocks whose mean does not rise are merged, so the
// fitted values never fall. Each point gets its block's weighted mean.
void pool_adjacent_violators(std::vector<Point>& points) {
  struct Block {
    double sum_wy, sum_w;
    std::size_t end;  // one past its last point
  };
  std::vector<Block> blocks;
  for (std::size_t i = 0; i < points.size(); ++i) {
    blocks.push_back({points[i].w * points[i].y, points[i].w, i + 1});
    while (blocks.size() > 1) {
      const Block& top = blocks.back();
      Block& before = blocks[blocks.size() - 2];
      if (before.sum_wy / before.sum_w < top.sum_wy / top.sum_w) break;
      before = {before.sum_wy + top.sum_wy, before.sum_w + top.sum_w, top.end};
      blocks.pop_back();
    }
  }
  std::size_t start = 0;
  for (const Block& b : blocks) {
    for (std::size_t i = start; i < b.end; ++i) points[i].y = b.sum_wy / b.sum_w;
    start = b.end;
  }
}

}  // namespace

IsotonicCalibration IsotonicCalibration::fit(std::span<const double> score, std::span<const int> positive) {
  if (score.empty() || score.size() != positive.size())
    throw DataError("isotonic calibration needs as many labels as scores, and at least one");
  std::vector<Point> points = merged(score, positive);
  pool_adjacent_violators(points);
  // Points inside a flat run change nothing the interpolation gives: kept are
  // the ends and each point whose value differs from a neighbour's.
  IsotonicCalibration m;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const bool inside =
        i > 0 && i + 1 < points.size() && points[i].y == points[i - 1].y && points[i].y == points[i + 1].y;
    if (inside) continue;
    m.x.push_back(points[i].x);
    m.y.push_back(points[i].y);
  }
  return m;
}

double IsotonicCalibration::operator()(double s) const {
  if (x.size() == 1) return y[0];
  if (std::isnan(s)) return s;
  s = std::clamp(s, x.front(), x.back());
  // numpy.interp: the segment [x_j, x_j+1) holding s, its slope, from x_j.
  const auto j = static_cast<std::size_t>(std::upper_bound(x.begin(), x.end(), s) - x.begin()) - 1;
  if (j + 1 == x.size() || x[j] == s) return y[j];
  const double slope = (y[j + 1] - y[j]) / (x[j + 1] - x[j]);
  return slope * (s - x[j]) + y[j];
}

}  // namespace shipml
