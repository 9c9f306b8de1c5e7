#include "shipml/model/encoder.hpp"

#include <cmath>

#include "shipml/core/error.hpp"

namespace shipml {

void FeatureEncoder::fit(const Frame& features) {
  plan_.clear();
  names_.clear();
  for (const auto& c : features.columns()) {
    ColumnPlan p;
    p.categorical = !c.is_numeric();
    if (encoding_ == InputEncoding::ordinal) {
      names_.push_back(c.name());
    } else if (p.categorical) {
      p.categories = c.categories().size();
      for (const auto& cat : c.categories()) names_.push_back(c.name() + "=" + cat);
    } else {
      double sum = 0, sq = 0, n = 0;
      for (double v : c.values())
        if (!std::isnan(v)) sum += v, n += 1;
      const double mean = n > 0 ? sum / n : 0.0;
      for (double v : c.values())
        if (!std::isnan(v)) sq += (v - mean) * (v - mean);
      const double sd = n > 0 ? std::sqrt(sq / n) : 0.0;
      p.center = mean;
      p.scale = sd > 0 && std::isfinite(sd) ? sd : 1.0;
      p.indicator = n < static_cast<double>(c.size());
      names_.push_back(c.name());
      if (p.indicator) names_.push_back(c.name() + "_missing");
    }
    plan_.push_back(p);
  }
}

FeatureMatrix FeatureEncoder::transform(const Frame& features) const {
  if (features.cols() != plan_.size())
    throw ModelError("encoder expects " + std::to_string(plan_.size()) + " columns, got " +
                     std::to_string(features.cols()));
  const std::size_t n = features.rows();
  FeatureMatrix X;
  X.set_rows(n);
  std::size_t out = 0;  // index into names_
  for (std::size_t j = 0; j < plan_.size(); ++j) {
    const ColumnPlan& p = plan_[j];
    const Column& c = features[j];
    if (encoding_ == InputEncoding::ordinal) {
      if (p.categorical) {
        const auto codes = c.codes();
        std::vector<double> v(n);
        for (std::size_t i = 0; i < n; ++i) v[i] = codes[i] == kMissingCode ? NAN : static_cast<double>(codes[i]);
        X.add_owned({names_[out], true, static_cast<int>(c.categories().size())}, std::move(v));
      } else {
        auto storage = c.shared_values();
        const double* data = storage->data();
        X.add_shared({names_[out]}, std::move(storage), data);
      }
      ++out;
    } else if (p.categorical) {
      const auto codes = c.codes();
      for (std::size_t k = 0; k < p.categories; ++k) {
        std::vector<double> v(n, 0.0);
        for (std::size_t i = 0; i < n; ++i) v[i] = codes[i] == static_cast<std::int32_t>(k) ? 1.0 : 0.0;
        X.add_owned({names_[out++]}, std::move(v));
      }
    } else {
      const auto values = c.values();
      std::vector<double> v(n), indicator(p.indicator ? n : 0);
      for (std::size_t i = 0; i < n; ++i) {
        const bool missing = std::isnan(values[i]);
        v[i] = missing ? 0.0 : (values[i] - p.center) / p.scale;  // mean imputation, then standardised
        if (p.indicator) indicator[i] = missing ? 1.0 : 0.0;
      }
      X.add_owned({names_[out++]}, std::move(v));
      if (p.indicator) X.add_owned({names_[out++]}, std::move(indicator));
    }
  }
  return X;
}

void FeatureEncoder::save(BinaryWriter& out) const {
  out.u8(static_cast<std::uint8_t>(encoding_));
  out.u64(plan_.size());
  for (const auto& p : plan_) {
    out.u8(p.categorical);
    out.u64(p.categories);
    out.f64(p.center);
    out.f64(p.scale);
    out.u8(p.indicator);
  }
  out.texts(names_);
}

void FeatureEncoder::load(BinaryReader& in) {
  const auto encoding = in.u8();
  if (encoding > 1) BinaryReader::fail("unknown feature encoding");
  encoding_ = static_cast<InputEncoding>(encoding);
  const std::uint64_t n = in.count(26);
  plan_.assign(n, {});
  std::uint64_t width = 0;
  for (auto& p : plan_) {
    p.categorical = in.u8();
    p.categories = in.u64();
    p.center = in.f64();
    p.scale = in.f64();
    p.indicator = in.u8();
    width += encoding_ == InputEncoding::ordinal ? 1 : p.categorical ? p.categories : 1 + p.indicator;
  }
  names_ = in.texts();
  if (names_.size() != width) BinaryReader::fail("encoder column names do not match its plan");
}

bool FeatureEncoder::matches(const Schema& schema) const {
  if (plan_.size() != schema.fields().size()) return false;
  for (std::size_t j = 0; j < plan_.size(); ++j) {
    const Field& f = schema.fields()[j];
    if (plan_[j].categorical != (f.type == ColumnType::categorical)) return false;
    if (encoding_ == InputEncoding::one_hot_scaled && plan_[j].categorical && plan_[j].categories != f.categories->size())
      return false;
  }
  return true;
}

nlohmann::json FeatureEncoder::describe() const {
  return {{"encoding", encoding_ == InputEncoding::ordinal ? "ordinal" : "one_hot_scaled"},
          {"encoded_features", names_.size()}};
}

}  // namespace shipml
