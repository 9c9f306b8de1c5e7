#include "shipml/model/encoder.hpp"

#include <cmath>
#include <sstream>

#include "shipml/core/error.hpp"
#include "shipml/core/large_block.hpp"
#include "shipml/core/memory.hpp"
#include "shipml/core/parallel.hpp"

namespace shipml {

namespace {

[[noreturn]] void refuse_too_large(const Column& c) {
  double largest = 0;
  for (double v : c.values())
    if (std::abs(v) > std::abs(largest)) largest = v;
  std::ostringstream value;
  value << largest;
  throw DataError("column '" + c.name() + "' holds numbers too large to standardise (up to " + value.str() +
                  "): their mean or spread overflows; divide them by a power of ten or clip them, or use a tree "
                  "learner, which takes them as they are");
}

}  // namespace

void FeatureEncoder::fit(const Frame& features, bool standardise) {
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
      // Sums of values near the double's limit overflow: the column would
      // standardise to infinities, and the model learn nothing, with no word.
      if (!std::isfinite(mean) || (standardise && !std::isfinite(sd))) refuse_too_large(c);
      p.center = mean;
      p.scale = standardise && sd > 0 && std::isfinite(sd) ? sd : 1.0;
      p.indicator = n < static_cast<double>(c.size());
      names_.push_back(c.name());
      if (p.indicator) names_.push_back(c.name() + "_missing");
    }
    plan_.push_back(p);
  }
  std::vector<std::size_t> categories;
  for (const auto& c : features.columns()) categories.push_back(c.is_numeric() ? 0 : c.categories().size());
  describe_columns(categories);
}

void FeatureEncoder::describe_columns(const std::vector<std::size_t>& categories) {
  auto infos = std::make_shared<std::vector<FeatureInfo>>();
  infos->reserve(names_.size());
  std::size_t out = 0;
  for (std::size_t j = 0; j < plan_.size(); ++j) {
    const ColumnPlan& p = plan_[j];
    if (encoding_ == InputEncoding::ordinal) {
      infos->push_back({names_[out++], p.categorical, p.categorical ? static_cast<int>(categories[j]) : 0});
      continue;
    }
    const std::size_t width = p.categorical ? p.categories : 1 + p.indicator;
    for (std::size_t k = 0; k < width; ++k) infos->push_back({.name = names_[out++], .one_hot = p.categorical});
  }
  infos_ = std::move(infos);
}

std::vector<std::size_t> FeatureEncoder::sources() const {
  std::vector<std::size_t> out;
  for (std::size_t j = 0; j < plan_.size(); ++j) {
    const ColumnPlan& p = plan_[j];
    const std::size_t width = encoding_ == InputEncoding::ordinal ? 1 : p.categorical ? p.categories : 1 + p.indicator;
    out.insert(out.end(), width, j);
  }
  return out;
}

void FeatureEncoder::bind(const Schema& schema) {
  std::vector<std::size_t> categories;
  for (const auto& f : schema.fields()) categories.push_back(f.categories ? f.categories->size() : 0);
  describe_columns(categories);
}

// One-hot columns are dense: a column of 100,000 categories over 100,000 rows
// is 80 GB. Large blocks are checked against the memory there is, naming the
// column to blame, before anything is allocated.
void FeatureEncoder::refuse_beyond_memory(const Frame& features, std::size_t computed) const {
  std::size_t widest = 0;
  for (std::size_t j = 1; j < plan_.size(); ++j)
    if (plan_[j].categories > plan_[widest].categories) widest = j;
  std::ostringstream what;
  what << "encoding " << features.rows() << " rows into " << computed << " columns";
  if (encoding_ != InputEncoding::ordinal && plan_[widest].categorical)
    what << " (one per category: column '" << features[widest].name() << "' alone has " << plan_[widest].categories
         << ")";
  require_memory(static_cast<std::uint64_t>(computed) * features.rows() * sizeof(double), what.str(),
                 "a tree learner (hist_gbdt, random_forest) reads categories without one-hot columns, or drop or group "
                 "the column's rare categories");
}

FeatureMatrix FeatureEncoder::transform(const Frame& features) const {
  if (features.cols() != plan_.size() || !infos_)
    throw ModelError("encoder expects " + std::to_string(plan_.size()) + " columns, got " +
                     std::to_string(features.cols()));
  const std::size_t n = features.rows();
  FeatureMatrix X(infos_, n);
  // Every column the encoder computes lives in one block, in order: one
  // allocation per call. `first[j]`: the first of input column j's computed columns.
  std::vector<std::size_t> first(plan_.size());
  std::size_t computed = 0;
  for (std::size_t j = 0; j < plan_.size(); ++j) {
    const ColumnPlan& p = plan_[j];
    first[j] = computed;
    computed += encoding_ == InputEncoding::ordinal ? p.categorical : p.categorical ? p.categories : 1 + p.indicator;
  }
  if (computed * n * sizeof(double) > (std::size_t{256} << 20)) refuse_beyond_memory(features, computed);
  std::shared_ptr<double[]> block = uninitialised_doubles(computed * n);
  const void* kept = nullptr;  // columns often share one storage (a served request's do): keep it once
  for (std::size_t j = 0; j < plan_.size(); ++j) {
    const ColumnPlan& p = plan_[j];
    const Column& c = features[j];
    if (encoding_ == InputEncoding::ordinal && !p.categorical) {
      X.add_column(c.values().data());
      if (c.storage().get() != kept) {
        kept = c.storage().get();
        X.keep(c.storage());
      }
      continue;
    }
    const std::size_t width = encoding_ == InputEncoding::ordinal ? 1 : p.categorical ? p.categories : 1 + p.indicator;
    for (std::size_t k = 0; k < width; ++k) X.add_column(block.get() + (first[j] + k) * n);
  }
  // The values, input column by input column: each writes only its own
  // columns, so a large batch spreads them over threads with the same result.
  constexpr std::size_t parallel_from = std::size_t{1} << 16;
  parallel_for(plan_.size(), computed * n >= parallel_from ? 0 : 1, [&](std::size_t j) {
    const ColumnPlan& p = plan_[j];
    const Column& c = features[j];
    double* next = block.get() + first[j] * n;
    if (encoding_ == InputEncoding::ordinal) {
      if (!p.categorical) return;  // shared with the frame above
      const auto codes = c.codes();
      for (std::size_t i = 0; i < n; ++i) next[i] = codes[i] == kMissingCode ? NAN : static_cast<double>(codes[i]);
    } else if (p.categorical) {
      const auto codes = c.codes();
      for (std::size_t k = 0; k < p.categories; ++k, next += n)
        for (std::size_t i = 0; i < n; ++i) next[i] = codes[i] == static_cast<std::int32_t>(k) ? 1.0 : 0.0;
    } else {
      const auto values = c.values();
      double* indicator = next + n;
      for (std::size_t i = 0; i < n; ++i) {
        const bool missing = std::isnan(values[i]);
        next[i] = missing ? 0.0 : (values[i] - p.center) / p.scale;  // mean imputation, then standardised
        if (p.indicator) indicator[i] = missing ? 1.0 : 0.0;
      }
    }
  });
  X.keep(std::move(block));
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
    // Each one-hot column has a name to come (8 bytes at least): a wider column
    // cannot be true, and bounding it keeps the width's sum from overflowing.
    if (encoding_ == InputEncoding::one_hot_scaled && p.categorical && p.categories > in.remaining() / 8)
      BinaryReader::fail("encoder column names do not match its plan");
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
    if (encoding_ == InputEncoding::one_hot_scaled && plan_[j].categorical &&
        plan_[j].categories != f.categories->size())
      return false;
  }
  return true;
}

nlohmann::json FeatureEncoder::describe() const {
  return {{"encoding", encoding_ == InputEncoding::ordinal ? "ordinal" : "one_hot_scaled"},
          {"encoded_features", names_.size()}};
}

}  // namespace shipml
