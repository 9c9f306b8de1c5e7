#include "shipml/data/dataset.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <unordered_map>

#include "shipml/core/error.hpp"
#include "shipml/core/hash.hpp"
#include "shipml/core/names.hpp"

namespace shipml {

std::string fingerprint(const Frame& features, const Column& target) {
  Hasher h;
  auto add = [&](const Column& c) {
    h.text(c.name());
    if (c.is_numeric()) {
      for (double v : c.values()) {
        std::uint64_t bits;
        const double canonical = std::isnan(v) ? std::nan("") : v;  // every NaN the same
        std::memcpy(&bits, &canonical, sizeof bits);
        h.word(bits);
      }
    } else {
      for (auto code : c.codes())
        h.text(code == kMissingCode ? std::string_view("\0missing", 8) : c.categories()[code]);
    }
  };
  for (const auto& c : features.columns()) add(c);
  add(target);
  return h.hex();
}

std::string Dataset::fingerprint() const { return shipml::fingerprint(features(), labels()); }

std::vector<std::string> Dataset::roles() const {
  std::vector<std::string> out;
  for (const std::string* role : {&group, &time, &fold, &weight})
    if (!role->empty()) out.push_back(*role);
  return out;
}

Frame Dataset::features() const {
  const std::vector<std::string> aside = roles();
  std::vector<Column> kept;
  kept.reserve(frame.cols());
  for (const Column& c : frame.columns())
    if (c.name() != target && std::find(aside.begin(), aside.end(), c.name()) == aside.end()) kept.push_back(c);
  return Frame(std::move(kept), Frame::Trusted{});
}

void Dataset::check_roles() const {
  const std::pair<const char*, const std::string*> named[] = {
      {"--target", &target}, {"--group", &group}, {"--time", &time}, {"--fold-column", &fold}, {"--weight", &weight}};
  for (std::size_t i = 0; i < std::size(named); ++i) {
    const auto& [option, column] = named[i];
    if (column->empty()) continue;
    if (!frame.find(*column))
      throw UsageError(std::string(option) + " " + echoed(*column) +
                       ": no such column (columns: " + listed(frame.names()) + ")");
    for (std::size_t j = 0; j < i; ++j)
      if (*named[j].second == *column)
        throw UsageError(std::string(option) + " " + echoed(*column) + " is also the " + named[j].first +
                         " column; a column has one role");
  }
  if (frame.cols() <= 1 + roles().size())
    throw DataError("no feature columns: every column is the target or has a role");
}

void check_weights(std::span<const double> weights, std::size_t rows, const std::string& what) {
  if (weights.empty()) return;
  if (weights.size() != rows)
    throw DataError(what + ": " + std::to_string(weights.size()) + " weights for " + std::to_string(rows) +
                    " rows; give one per row");
  bool any = false;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double w = weights[i];
    if (std::isnan(w)) throw DataError(what + ": row " + std::to_string(i + 1) + " has no weight; give every row one");
    if (!std::isfinite(w) || w < 0)
      throw DataError(what + ": row " + std::to_string(i + 1) + " has weight " + format_number(w) +
                      "; a weight is a finite number >= 0");
    any = any || w > 0;
  }
  if (!any) throw DataError(what + ": every weight is 0; at least one row must count");
}

std::vector<double> Dataset::weights() const {
  if (weight.empty()) return {};
  const Column& c = frame.column(weight);
  const std::string what = "weight column '" + echoed(weight) + "'";
  if (!c.is_numeric()) {
    std::size_t row = 0;
    while (row + 1 < c.size() && c.is_missing(row)) ++row;
    throw DataError(what + " holds text ('" + echoed(c.text(row)) + "' at row " + std::to_string(row + 1) +
                    "); a weight is a number");
  }
  std::vector<double> out(c.values().begin(), c.values().end());
  check_weights(out, rows(), what);
  return out;
}

Task infer_task(const Column& target) {
  if (!target.is_numeric()) return Task::classification;
  std::set<double> distinct;
  for (double v : target.values()) {
    if (std::isnan(v)) continue;
    if (v != std::floor(v)) return Task::regression;
    distinct.insert(v);
    if (distinct.size() > 20) return Task::regression;
  }
  return Task::classification;
}

namespace {
[[noreturn]] void missing_target(const Column& target, std::size_t row) {
  throw DataError("target column '" + target.name() + "' is missing a value at row " + std::to_string(row + 1) + " (" +
                  std::to_string(target.missing_count()) + " missing in all); drop or fill those rows");
}
}  // namespace

std::vector<std::string> class_labels(const Column& target) {
  if (target.is_numeric()) {
    std::set<double> distinct;
    for (double v : target.values())
      if (!std::isnan(v)) distinct.insert(v);
    std::vector<std::string> out;
    for (double v : distinct) out.push_back(format_number(v));
    return out;
  }
  std::vector<bool> used(target.categories().size(), false);
  for (auto c : target.codes())
    if (c != kMissingCode) used[static_cast<std::size_t>(c)] = true;
  std::vector<std::string> out;
  for (std::size_t i = 0; i < used.size(); ++i)
    if (used[i]) out.push_back(target.categories()[i]);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<int> class_indices(const Column& target, const std::vector<std::string>& classes) {
  std::unordered_map<std::string, int> index;
  for (std::size_t i = 0; i < classes.size(); ++i) index.emplace(classes[i], static_cast<int>(i));
  std::vector<int> out(target.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (target.is_missing(i)) missing_target(target, i);
    auto it = index.find(target.text(i));
    out[i] = it == index.end() ? -1 : it->second;
  }
  return out;
}

std::vector<double> target_values(const Column& target) {
  if (!target.is_numeric())
    throw DataError("target column '" + target.name() + "' is categorical; a regression target must be numeric");
  std::vector<double> out(target.values().begin(), target.values().end());
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (std::isnan(out[i])) missing_target(target, i);
    if (std::isinf(out[i]))
      throw DataError("target column '" + target.name() + "' has " + format_number(out[i]) + " at row " +
                      std::to_string(i + 1) + "; a regression target must be a finite number");
  }
  return out;
}

}  // namespace shipml
