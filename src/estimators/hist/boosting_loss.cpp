#include "boosting_loss.hpp"

#include <algorithm>
#include <cmath>

#include "shipml/core/parallel.hpp"

namespace shipml::hist {

Loss parse_loss(const std::string& name, int n_classes) {
  if (name == "auto") return n_classes ? Loss::log_loss : Loss::squared_error;
  if (name == "log_loss") return Loss::log_loss;
  if (name == "squared_error") return Loss::squared_error;
  if (name == "absolute_error") return Loss::absolute_error;
  if (name == "huber") return Loss::huber;
  return Loss::poisson;
}

double weighted_median(std::vector<std::pair<double, double>>& v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  double total = 0;
  for (const auto& [x, w] : v) total += w;
  double seen = 0;
  for (const auto& [x, w] : v)
    if ((seen += w) >= total / 2) return x;
  return v.back().first;
}

std::vector<double> BoostingLoss::initial_scores(std::span<const double> y, const RowWeights& w,
                                                 const std::vector<std::uint32_t>& rows, Communicator& ranks) const {
  double sums[2] = {0, 0};  // weight, weighted target
  for (auto r : rows) sums[0] += w[r], sums[1] += w[r] * y[r];
  ranks.sum(sums);
  const double sw = sums[0], swy = sums[1];
  if (loss == Loss::log_loss) {
    std::vector<double> share(static_cast<std::size_t>(classes), 0.0);
    for (auto r : rows) share[static_cast<std::size_t>(y[r])] += w[r] / sw;
    ranks.sum(share);
    auto clip = [](double p) { return std::clamp(p, 1e-12, 1 - 1e-12); };
    if (width == 1) return {std::log(clip(share[1]) / clip(share[0]))};
    std::vector<double> out(width);
    for (std::size_t k = 0; k < width; ++k) out[k] = std::log(clip(share[k]));
    return out;
  }
  if (loss == Loss::poisson) return {std::log(std::max(swy / sw, 1e-12))};
  if (loss == Loss::squared_error) return {swy / sw};
  std::vector<std::pair<double, double>> v;
  for (auto r : rows) v.emplace_back(y[r], w[r]);
  return {weighted_median(v)};
}

void BoostingLoss::gradients(std::span<const double> y, const RowWeights& w, const std::vector<double>& raw,
                             const std::vector<std::uint32_t>& rows, GradientsOut out, int threads) const {
  const std::size_t stride = out.stride;
  constexpr std::size_t kBlock = 8192;
  parallel_for((rows.size() + kBlock - 1) / kBlock, threads, [&](std::size_t b) {
    for (std::size_t i = b * kBlock, end = std::min(rows.size(), i + kBlock); i < end; ++i) {
      const std::size_t r = rows[i];
      const double* z = raw.data() + r * width;
      if (loss == Loss::log_loss && width > 1) {
        const double top = *std::max_element(z, z + width);
        double sum = 0;
        for (std::size_t k = 0; k < width; ++k) sum += std::exp(z[k] - top);
        for (std::size_t k = 0; k < width; ++k) {
          const double p = std::exp(z[k] - top) / sum;
          const std::size_t at = (r * width + k) * stride;
          out.g[at] = static_cast<float>(w[r] * (p - (static_cast<std::size_t>(y[r]) == k ? 1.0 : 0.0)));
          out.h[at] = static_cast<float>(w[r] * std::max(p * (1 - p), 1e-16));
        }
        continue;
      }
      double gi = 0, hi = 1;
      switch (loss) {
        case Loss::log_loss: {
          const double p = 1.0 / (1.0 + std::exp(-z[0]));
          gi = p - y[r];
          hi = std::max(p * (1 - p), 1e-16);
          break;
        }
        case Loss::squared_error: gi = z[0] - y[r]; break;
        case Loss::absolute_error: gi = z[0] > y[r] ? 1.0 : -1.0; break;
        case Loss::huber: gi = std::clamp(z[0] - y[r], -huber_delta, huber_delta); break;
        case Loss::poisson: gi = std::exp(z[0]) - y[r], hi = std::exp(z[0]); break;
      }
      out.g[r * width * stride] = static_cast<float>(w[r] * gi);
      out.h[r * width * stride] = static_cast<float>(w[r] * hi);
    }
  });
}

double BoostingLoss::mean_loss(std::span<const double> y, const RowWeights& w, const std::vector<double>& raw,
                               const std::vector<std::uint32_t>& rows, Communicator& ranks) const {
  double total = 0, sw = 0;
  for (auto r : rows) {
    const double* z = raw.data() + static_cast<std::size_t>(r) * width;
    double l = 0;
    switch (loss) {
      case Loss::log_loss:
        if (width == 1) {
          l = (z[0] > 0 ? z[0] + std::log1p(std::exp(-z[0])) : std::log1p(std::exp(z[0]))) - y[r] * z[0];
        } else {
          const double top = *std::max_element(z, z + width);
          double sum = 0;
          for (std::size_t k = 0; k < width; ++k) sum += std::exp(z[k] - top);
          l = top + std::log(sum) - z[static_cast<std::size_t>(y[r])];
        }
        break;
      case Loss::squared_error: l = (z[0] - y[r]) * (z[0] - y[r]); break;
      case Loss::absolute_error: l = std::abs(z[0] - y[r]); break;
      case Loss::huber: {
        const double a = std::abs(z[0] - y[r]);
        l = a <= huber_delta ? 0.5 * a * a : huber_delta * (a - 0.5 * huber_delta);
        break;
      }
      case Loss::poisson: l = std::exp(z[0]) - y[r] * z[0]; break;
    }
    total += w[r] * l;
    sw += w[r];
  }
  double sums[2] = {total, sw};
  ranks.sum(sums);
  return sums[0] / sums[1];
}

void BoostingLoss::refit_leaves_to_median(GrownTree& grown, std::span<const double> y, const RowWeights& w,
                                          const std::vector<double>& raw) const {
  for (const auto& leaf : grown.leaves) {
    std::vector<std::pair<double, double>> residuals;
    for (std::size_t i = leaf.begin; i < leaf.end; ++i) {
      const std::uint32_t r = grown.order[i];
      residuals.emplace_back(y[r] - raw[r], w[r]);
    }
    grown.tree.values[grown.tree.nodes[static_cast<std::size_t>(leaf.node)].payload] = weighted_median(residuals);
  }
}

}  // namespace shipml::hist
