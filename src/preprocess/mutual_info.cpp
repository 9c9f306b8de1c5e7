#include "mutual_info.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <queue>

#include "special_functions.hpp"

namespace shipml::mutual_info {
namespace {

// Points whose distance from `centre` is strictly below `radius`, in a sorted list
// (scikit-learn counts <= nextafter(radius, 0), which is the same thing).
std::size_t within(const std::vector<double>& sorted, double centre, double radius) {
  const auto lo = std::upper_bound(sorted.begin(), sorted.end(), centre - radius);
  const auto hi = std::lower_bound(sorted.begin(), sorted.end(), centre + radius);
  return hi > lo ? static_cast<std::size_t>(hi - lo) : 0;
}

// Distance to the k-th nearest other point of sorted[i] (1-D: walk outwards).
double kth_distance(const std::vector<double>& sorted, std::size_t i, std::size_t k) {
  std::size_t left = i, right = i;
  double d = 0;
  for (std::size_t step = 0; step < k; ++step) {
    const bool can_left = left > 0, can_right = right + 1 < sorted.size();
    const double dl = can_left ? sorted[i] - sorted[left - 1] : INFINITY;
    const double dr = can_right ? sorted[right + 1] - sorted[i] : INFINITY;
    if (dl <= dr) {
      d = dl;
      --left;
    } else {
      d = dr;
      ++right;
    }
  }
  return d;
}

}  // namespace

double continuous_discrete(const std::vector<double>& c, const std::vector<int>& d, std::size_t k) {
  std::map<int, std::vector<double>> by_label;
  for (std::size_t i = 0; i < c.size(); ++i) by_label[d[i]].push_back(c[i]);
  // Points alone in their label carry no neighbour information and are left out.
  std::vector<double> kept;
  for (auto& [label, values] : by_label)
    if (values.size() > 1) kept.insert(kept.end(), values.begin(), values.end());
  const std::size_t n = kept.size();
  if (n == 0) return 0;
  std::sort(kept.begin(), kept.end());
  double sum_k = 0, sum_label = 0, sum_m = 0;
  for (auto& [label, values] : by_label) {
    if (values.size() < 2) continue;
    std::sort(values.begin(), values.end());
    const std::size_t kk = std::min(k, values.size() - 1);
    for (std::size_t i = 0; i < values.size(); ++i) {
      const double radius = kth_distance(values, i, kk);
      sum_k += special::digamma(static_cast<double>(kk));
      sum_label += special::digamma(static_cast<double>(values.size()));
      sum_m += special::digamma(static_cast<double>(std::max<std::size_t>(1, within(kept, values[i], radius))));
    }
  }
  const double nn = static_cast<double>(n);
  const double mi = special::digamma(nn) + sum_k / nn - sum_label / nn - sum_m / nn;
  return std::max(0.0, mi);
}

double continuous_continuous(const std::vector<double>& x, const std::vector<double>& y, std::size_t k) {
  const std::size_t n = x.size();
  if (n <= k) return 0;
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  std::vector<double> xs(n), ys(y);
  for (std::size_t i = 0; i < n; ++i) xs[i] = x[order[i]];
  std::sort(ys.begin(), ys.end());
  double sum = 0;
  for (std::size_t p = 0; p < n; ++p) {
    const std::size_t i = order[p];
    // k nearest in the max-norm: walk outwards along x until |dx| exceeds the k-th distance.
    std::priority_queue<double> nearest;  // the k smallest distances so far (largest on top)
    auto offer = [&](std::size_t q) {
      const std::size_t j = order[q];
      const double dist = std::max(std::abs(x[j] - x[i]), std::abs(y[j] - y[i]));
      if (nearest.size() < k) nearest.push(dist);
      else if (dist < nearest.top()) {
        nearest.pop();
        nearest.push(dist);
      }
    };
    std::size_t left = p, right = p;
    while (left > 0 || right + 1 < n) {
      const double dl = left > 0 ? xs[p] - xs[left - 1] : INFINITY;
      const double dr = right + 1 < n ? xs[right + 1] - xs[p] : INFINITY;
      if (nearest.size() == k && std::min(dl, dr) > nearest.top()) break;
      if (dl <= dr) offer(--left);
      else offer(++right);
    }
    const double radius = nearest.top();
    // Neighbours strictly within the radius along each axis, itself excluded.
    const std::size_t nx = std::max<std::size_t>(1, within(xs, x[i], radius)) - 1;
    const std::size_t ny = std::max<std::size_t>(1, within(ys, y[i], radius)) - 1;
    sum += special::digamma(static_cast<double>(nx + 1)) + special::digamma(static_cast<double>(ny + 1));
  }
  const double nn = static_cast<double>(n);
  return std::max(0.0, special::digamma(nn) + special::digamma(static_cast<double>(k)) - sum / nn);
}

double discrete_discrete(const std::vector<int>& a, const std::vector<int>& b) {
  std::map<std::pair<int, int>, double> joint;
  std::map<int, double> pa, pb;
  for (std::size_t i = 0; i < a.size(); ++i) {
    joint[{a[i], b[i]}] += 1;
    pa[a[i]] += 1;
    pb[b[i]] += 1;
  }
  const double n = static_cast<double>(a.size());
  double mi = 0;
  for (const auto& [ab, count] : joint) mi += count / n * std::log(count * n / (pa[ab.first] * pb[ab.second]));
  return std::max(0.0, mi);
}

}  // namespace shipml::mutual_info
