// Scalers: standard (mean 0, standard deviation 1), min-max (into a range) and
// robust (median 0, interquartile range 1), as scikit-learn defines them.
// Missing values are ignored when fitting and stay missing.
#include <algorithm>
#include <cmath>

#include "shipml/core/error.hpp"
#include "transformers.hpp"

namespace shipml::preprocess {
namespace {

std::vector<double> present(const Column& c) {
  std::vector<double> out;
  for (double v : c.values())
    if (!std::isnan(v)) out.push_back(v);
  return out;
}

// numpy's default (linear) quantile of sorted values.
double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return std::nan("");
  const double at = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(at));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - static_cast<double>(lo));
}

// x -> (x - center) / scale per column; the three scalers differ in how they learn it.
class AffineScaler : public Transformer {
 public:
  std::vector<Produced> transform(const Frame& columns) const override {
    check_width(columns, center_.size(), "scaler");
    std::vector<Produced> out;
    for (std::size_t j = 0; j < columns.cols(); ++j) {
      std::vector<double> v(columns[j].values().begin(), columns[j].values().end());
      for (double& x : v) x = (x - center_[j]) / scale_[j] * span_ + low_;
      out.push_back({Column::numeric(columns[j].name(), std::move(v)), j});
    }
    return out;
  }
  void save(BinaryWriter& out) const override {
    out.array(center_);
    out.array(scale_);
  }
  void load(BinaryReader& in) override {
    center_ = in.array<double>();
    scale_ = in.array<double>();
    if (scale_.size() != center_.size()) BinaryReader::fail("scaler: centres and scales differ in number");
  }
  nlohmann::json describe() const override { return {{"center", center_}, {"scale", scale_}}; }

 protected:
  // A constant column keeps scale 1, as scikit-learn does.
  static double safe(double s) { return s > 0 && std::isfinite(s) ? s : 1.0; }
  std::vector<double> center_, scale_;
  double span_ = 1, low_ = 0;  // min-max maps into [low, low + span]
};

class StandardScaler final : public AffineScaler {
 public:
  explicit StandardScaler(const Params& p) : with_mean_(p.boolean("with_mean")), with_std_(p.boolean("with_std")) {}
  void fit(const Frame& columns, const FitContext&) override {
    center_.clear(), scale_.clear();
    for (const Column& c : columns.columns()) {
      const auto v = present(c);
      double mean = 0, var = 0;
      for (double x : v) mean += x / static_cast<double>(v.size());
      for (double x : v) var += (x - mean) * (x - mean) / static_cast<double>(v.size());
      // Values near the double's limit (1e308) overflow the spread: the column
      // would pass unscaled with no word, so it is refused as the encoder does.
      if (with_std_ && !std::isfinite(var))
        throw DataError("standard_scaler: column '" + c.name() +
                        "' holds numbers too large to standardise: their spread overflows; divide them by a power "
                        "of ten or clip them");
      center_.push_back(with_mean_ && !v.empty() ? mean : 0.0);
      scale_.push_back(with_std_ ? safe(std::sqrt(var)) : 1.0);
    }
  }

 private:
  bool with_mean_, with_std_;
};

class MinMaxScaler final : public AffineScaler {
 public:
  explicit MinMaxScaler(const Params& p) {
    low_ = p.real("low");
    span_ = p.real("high") - low_;
    if (!(span_ > 0)) throw UsageError("minmax_scaler: high must be above low");
  }
  void fit(const Frame& columns, const FitContext&) override {
    center_.clear(), scale_.clear();
    for (const Column& c : columns.columns()) {
      const auto v = present(c);
      const double lo = v.empty() ? 0 : *std::min_element(v.begin(), v.end());
      const double hi = v.empty() ? 1 : *std::max_element(v.begin(), v.end());
      center_.push_back(lo);
      scale_.push_back(safe(hi - lo));
    }
  }
  void save(BinaryWriter& out) const override {
    AffineScaler::save(out);
    out.f64(low_);
    out.f64(span_);
  }
  void load(BinaryReader& in) override {
    AffineScaler::load(in);
    low_ = in.f64();
    span_ = in.f64();
  }
};

class RobustScaler final : public AffineScaler {
 public:
  explicit RobustScaler(const Params& p)
      : q_low_(p.real("quantile_low") / 100), q_high_(p.real("quantile_high") / 100) {
    if (!(q_low_ < q_high_)) throw UsageError("robust_scaler: quantile_low must be below quantile_high");
  }
  void fit(const Frame& columns, const FitContext&) override {
    center_.clear(), scale_.clear();
    for (const Column& c : columns.columns()) {
      auto v = present(c);
      std::sort(v.begin(), v.end());
      center_.push_back(v.empty() ? 0.0 : quantile(v, 0.5));
      scale_.push_back(v.empty() ? 1.0 : safe(quantile(v, q_high_) - quantile(v, q_low_)));
    }
  }

 private:
  double q_low_, q_high_;
};

}  // namespace

std::vector<TransformerInfo> scalers() {
  return {
      {"standard_scaler",
       "centre on the mean and divide by the standard deviation",
       Applies::numeric,
       {bool_param("with_mean", true, "subtract the mean"),
        bool_param("with_std", true, "divide by the standard deviation")},
       [](const Params& p) { return std::make_unique<StandardScaler>(p); }},
      {"minmax_scaler",
       "map the training minimum and maximum onto [low, high]",
       Applies::numeric,
       {real_param("low", 0.0, -1e300, "lower end of the range"),
        real_param("high", 1.0, -1e300, "upper end of the range")},
       [](const Params& p) { return std::make_unique<MinMaxScaler>(p); }},
      {"robust_scaler",
       "centre on the median and divide by the interquartile range (outliers matter less)",
       Applies::numeric,
       {real_param("quantile_low", 25.0, 0.0, "lower quantile of the range, in %", false, 100.0),
        real_param("quantile_high", 75.0, 0.0, "upper quantile of the range, in %", false, 100.0)},
       [](const Params& p) { return std::make_unique<RobustScaler>(p); }},
  };
}

double linear_quantile(const std::vector<double>& sorted, double q) { return quantile(sorted, q); }

}  // namespace shipml::preprocess
