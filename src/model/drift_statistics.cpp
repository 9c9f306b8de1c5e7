// The live side of drift: new rows into the reference's bins, and bins into
// a population stability index and a test statistic per column.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "../preprocess/special_functions.hpp"
#include "shipml/core/error.hpp"
#include "shipml/io/csv.hpp"
#include "shipml/model/drift.hpp"

namespace shipml {
namespace {

// Shares with a floor of half a row, so a bin that one side never saw
// weighs as a rare event, not as an infinite log ratio.
double share(std::uint64_t count, std::uint64_t total) {
  return std::max(static_cast<double>(count), 0.5) / static_cast<double>(total);
}

// The population stability index over the bins and the missing "bin"; bins
// neither side has are left out.
double psi(const ColumnReference& ref, const DriftCounts& live) {
  const std::uint64_t n_ref = ref.rows(), n_live = live.rows();
  if (n_ref == 0 || n_live == 0) return 0;
  double sum = 0;
  auto add = [&](std::uint64_t r, std::uint64_t l) {
    if (r == 0 && l == 0) return;
    const double p = share(r, n_ref), q = share(l, n_live);
    sum += (q - p) * std::log(q / p);
  };
  for (std::size_t k = 0; k < ref.bins(); ++k) add(ref.counts[k], live.bins[k]);
  add(ref.missing, live.missing);
  return sum;
}

// P(K > lambda) of the Kolmogorov distribution. Each of its two series
// converges fast on one side of 1.18: below, 1 - sqrt(2 pi) / lambda *
// sum exp(-(2j-1)^2 pi^2 / (8 lambda^2)); above, 2 * sum (-1)^(j-1) exp(-2 j^2 lambda^2).
double kolmogorov_survival(double lambda) {
  if (!(lambda > 0)) return 1;
  double sum = 0;
  if (lambda < 1.18) {
    const double w = M_PI * M_PI / (8 * lambda * lambda);
    for (int j = 1; j <= 20; ++j) sum += std::exp(-(2.0 * j - 1) * (2.0 * j - 1) * w);
    return std::clamp(1 - std::sqrt(2 * M_PI) / lambda * sum, 0.0, 1.0);
  }
  double sign = 1;
  for (int j = 1; j <= 20; ++j) {
    sum += sign * std::exp(-2.0 * j * j * lambda * lambda);
    sign = -sign;
  }
  return std::clamp(2 * sum, 0.0, 1.0);
}

// Two-sample Kolmogorov-Smirnov over the bins of the values present: the
// largest gap between the two cumulative shares, and its asymptotic p-value.
void ks(const ColumnReference& ref, const DriftCounts& live, ColumnDrift& out) {
  const double n = static_cast<double>(ref.rows() - ref.missing), m = static_cast<double>(live.rows() - live.missing);
  out.test = "ks";
  if (n == 0 || m == 0) return;
  double cum_ref = 0, cum_live = 0, d = 0;
  for (std::size_t k = 0; k < ref.bins(); ++k) {
    cum_ref += static_cast<double>(ref.counts[k]) / n;
    cum_live += static_cast<double>(live.bins[k]) / m;
    d = std::max(d, std::abs(cum_ref - cum_live));
  }
  const double en = std::sqrt(n * m / (n + m));
  out.statistic = d;
  out.p_value = kolmogorov_survival((en + 0.12 + 0.11 / en) * d);
}

// Pearson's chi-squared of the new categories against the training shares,
// over the bins either side has.
void chi2(const ColumnReference& ref, const DriftCounts& live, ColumnDrift& out) {
  const std::uint64_t n = ref.rows() - ref.missing, m = live.rows() - live.missing;
  out.test = "chi2";
  if (n == 0 || m == 0) return;
  double sum = 0, total_share = 0;
  int used = 0;
  for (std::size_t k = 0; k < ref.bins(); ++k)
    if (ref.counts[k] || live.bins[k]) total_share += share(ref.counts[k], n);
  for (std::size_t k = 0; k < ref.bins(); ++k) {
    if (!ref.counts[k] && !live.bins[k]) continue;
    const double expected = share(ref.counts[k], n) / total_share * static_cast<double>(m);
    const double gap = static_cast<double>(live.bins[k]) - expected;
    sum += gap * gap / expected;
    ++used;
  }
  out.statistic = sum;
  out.p_value = used > 1 ? special::chi2_survival(sum, used - 1) : 1.0;
}

double rate(std::uint64_t part, std::uint64_t whole) {
  return whole ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

}  // namespace

std::uint64_t DriftCounts::rows() const { return std::accumulate(bins.begin(), bins.end(), missing); }

ColumnDrift compare(const ColumnReference& reference, const DriftCounts& live, const DriftThresholds& thresholds) {
  if (live.bins.size() != reference.bins())
    throw UsageError("drift of column '" + reference.name + "': " + std::to_string(live.bins.size()) + " counts for " +
                     std::to_string(reference.bins()) + " bins");
  ColumnDrift d;
  d.name = reference.name;
  d.rows = live.rows();
  d.psi = psi(reference, live);
  if (reference.type == ColumnType::numeric) ks(reference, live, d);
  else chi2(reference, live, d);
  d.missing_rate = rate(live.missing, d.rows);
  d.reference_missing_rate = rate(reference.missing, reference.rows());
  d.flagged = d.rows >= thresholds.min_rows && d.psi >= thresholds.psi;
  return d;
}

std::vector<std::string> DriftReport::flagged() const {
  std::vector<std::string> out;
  for (const auto& c : columns)
    if (c.flagged) out.push_back(c.name);
  return out;
}

nlohmann::json DriftReport::to_json() const {
  auto one = [](const ColumnDrift& c) {
    return nlohmann::json{{"name", c.name},
                          {"rows", c.rows},
                          {"psi", c.psi},
                          {"test", c.test},
                          {"statistic", c.statistic},
                          {"p_value", c.p_value},
                          {"missing_rate", c.missing_rate},
                          {"reference_missing_rate", c.reference_missing_rate},
                          {"flagged", c.flagged}};
  };
  nlohmann::json cols = nlohmann::json::array();
  for (const auto& c : columns) cols.push_back(one(c));
  return {{"columns", std::move(cols)},
          {"prediction", one(prediction)},
          {"flagged", flagged()},
          {"thresholds", {{"psi", thresholds.psi}, {"min_rows", thresholds.min_rows}}}};
}

DriftBinner::DriftBinner(std::shared_ptr<const DriftReference> reference) : reference_(std::move(reference)) {
  categories_.resize(width());
  for (std::size_t c = 0; c < width(); ++c) {
    const ColumnReference& r = c < reference_->columns.size() ? reference_->columns[c] : reference_->prediction;
    for (std::size_t k = 0; k < r.categories.size(); ++k)
      categories_[c].emplace(r.categories[k], static_cast<std::uint8_t>(k));
  }
}

void DriftBinner::bin_column(const ColumnReference& ref, const CategoryBins& categories, const Column* column,
                             std::size_t offset, std::vector<std::uint8_t>& out, std::size_t first) const {
  const std::size_t w = width(), rows = (out.size() - first) / w;
  auto put = [&](std::size_t i, std::uint8_t b) { out[first + i * w + offset] = b; };
  auto numeric_bin = [&](double v) {
    return std::isnan(v)
               ? kMissing
               : static_cast<std::uint8_t>(std::upper_bound(ref.edges.begin(), ref.edges.end(), v) - ref.edges.begin());
  };
  auto category_bin = [&](std::string_view text) {
    const auto it = categories.find(text);
    return it == categories.end() ? static_cast<std::uint8_t>(ref.bins() - 1) : it->second;  // "other"
  };
  if (!column) {
    for (std::size_t i = 0; i < rows; ++i) put(i, kMissing);
  } else if (column->is_numeric()) {
    const auto values = column->values();
    for (std::size_t i = 0; i < rows; ++i)
      put(i, ref.type == ColumnType::numeric ? numeric_bin(values[i])
             : std::isnan(values[i])         ? kMissing
                                             : category_bin(format_number(values[i])));
  } else {
    const auto codes = column->codes();
    const Categories& names = column->categories();
    for (std::size_t i = 0; i < rows; ++i) {
      if (codes[i] == kMissingCode) put(i, kMissing);
      else if (ref.type == ColumnType::categorical) put(i, category_bin(names[static_cast<std::size_t>(codes[i])]));
      else if (const auto v = parse_number(names[static_cast<std::size_t>(codes[i])])) put(i, numeric_bin(*v));
      else put(i, kMissing);
    }
  }
}

void DriftBinner::bin(const Frame& rows, const Column& predictions, std::vector<std::uint8_t>& out) const {
  if (predictions.size() != rows.rows())
    throw UsageError("drift: " + std::to_string(predictions.size()) + " predictions for " +
                     std::to_string(rows.rows()) + " rows");
  const std::size_t first = out.size();
  out.resize(first + rows.rows() * width());
  const auto& cols = reference_->columns;
  for (std::size_t c = 0; c < cols.size(); ++c) {
    // Rows usually come in training order: look where the column was first
    // (a served row then finds its columns without a search by name).
    const Column* column = c < rows.cols() && rows[c].name() == cols[c].name ? &rows[c] : rows.find(cols[c].name);
    bin_column(cols[c], categories_[c], column, c, out, first);
  }
  bin_column(reference_->prediction, categories_.back(), &predictions, cols.size(), out, first);
}

std::vector<DriftCounts> DriftBinner::empty_counts() const {
  std::vector<DriftCounts> counts(width());
  for (std::size_t c = 0; c < width(); ++c)
    counts[c].bins.assign(
        c < reference_->columns.size() ? reference_->columns[c].bins() : reference_->prediction.bins(), 0);
  return counts;
}

void DriftBinner::tally(std::span<const std::uint8_t> binned, std::vector<DriftCounts>& counts, int sign) {
  const std::size_t w = counts.size();
  for (std::size_t i = 0; i + w <= binned.size(); i += w)
    for (std::size_t c = 0; c < w; ++c) {
      const std::uint8_t b = binned[i + c];
      std::uint64_t& n = b == kMissing ? counts[c].missing : counts[c].bins[b];
      n += static_cast<std::uint64_t>(static_cast<std::int64_t>(sign));
    }
}

DriftReport DriftBinner::report(const std::vector<DriftCounts>& counts, const DriftThresholds& thresholds) const {
  DriftReport r;
  r.thresholds = thresholds;
  const auto& cols = reference_->columns;
  for (std::size_t c = 0; c < cols.size(); ++c) r.columns.push_back(compare(cols[c], counts[c], thresholds));
  r.prediction = compare(reference_->prediction, counts.back(), thresholds);
  return r;
}

DriftReport drift_report(std::shared_ptr<const DriftReference> reference, const Frame& rows, const Column& predictions,
                         const DriftThresholds& thresholds) {
  const DriftBinner binner(std::move(reference));
  std::vector<std::uint8_t> binned;
  binner.bin(rows, predictions, binned);
  std::vector<DriftCounts> counts = binner.empty_counts();
  DriftBinner::tally(binned, counts);
  return binner.report(counts, thresholds);
}

}  // namespace shipml
