// What every feature-selection method returns: the ranking, as a table, CSV and JSON.
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "shipml/experiment/selection.hpp"
#include "shipml/io/csv.hpp"

namespace shipml {

std::vector<std::string> FeatureSelection::selected() const {
  std::vector<std::string> out;
  for (const auto& f : features)
    if (f.selected) out.push_back(f.feature);
  return out;
}

Dataset FeatureSelection::apply(const Dataset& data) const {
  Frame kept;
  const std::vector<std::string> roles = data.roles();
  for (const Column& c : data.frame.columns())
    if (c.name() == data.target || std::find(roles.begin(), roles.end(), c.name()) != roles.end() ||
        std::any_of(features.begin(), features.end(),
                    [&](const RankedFeature& f) { return f.selected && f.feature == c.name(); }))
      kept.add(c);
  return data.with_frame(std::move(kept));
}

namespace {

std::string number(double v) {
  if (std::isnan(v)) return "-";
  std::ostringstream s;
  if (v != 0 && (std::abs(v) < 1e-3 || std::abs(v) >= 1e6)) s << std::scientific << std::setprecision(2) << v;
  else s << std::fixed << std::setprecision(4) << v;
  return s.str();
}

}  // namespace

std::string FeatureSelection::table() const {
  const bool p_values =
      std::any_of(features.begin(), features.end(), [](const RankedFeature& f) { return !std::isnan(f.p_value); });
  std::size_t width = 8;
  for (const auto& f : features) width = std::max(width, f.feature.size());
  width = std::min<std::size_t>(width, 40);
  std::ostringstream o;
  o << std::left << std::setw(6) << "rank" << std::setw(static_cast<int>(width + 2)) << "feature" << std::setw(6)
    << "kept";
  if (p_values) o << std::setw(14) << score_name << "p-value";
  else o << score_name;
  o << '\n';
  for (const auto& f : features) {
    std::string name = f.feature;
    if (name.size() > width) name = name.substr(0, width - 1) + "…";
    o << std::left << std::setw(6) << f.rank << std::setw(static_cast<int>(width + 2 + (name != f.feature ? 2 : 0)))
      << name << std::setw(6) << (f.selected ? "yes" : "");
    if (p_values) o << std::setw(14) << number(f.score) << number(f.p_value);
    else o << number(f.score);
    o << '\n';
  }
  if (!curve.empty()) {
    o << "\nfeatures  " << metric << " (mean ± std)\n";
    for (const auto& s : curve)
      o << std::right << std::setw(8) << s.features << "  " << std::fixed << std::setprecision(4) << s.mean << " ± "
        << s.stddev << '\n';
  }
  return o.str();
}

std::string FeatureSelection::to_csv() const {
  std::vector<double> rank, score, p, kept;
  std::vector<std::string> names, tests;
  for (const auto& f : features) {
    rank.push_back(static_cast<double>(f.rank));
    names.push_back(f.feature);
    kept.push_back(f.selected ? 1 : 0);
    score.push_back(f.score);
    p.push_back(f.p_value);
    tests.push_back(f.test);
  }
  Frame t;
  t.add(Column::numeric("rank", rank));
  t.add(Column::from_strings("feature", names));
  t.add(Column::numeric("selected", kept));
  t.add(Column::numeric("score", score));
  if (std::any_of(p.begin(), p.end(), [](double v) { return !std::isnan(v); })) {
    t.add(Column::numeric("p_value", p));
    t.add(Column::from_strings("test", tests));
  }
  return shipml::to_csv(t);
}

nlohmann::json FeatureSelection::to_json() const {
  auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
  nlohmann::json j = {
      {"method", method}, {"score", score_name}, {"selected", selected()}, {"features", nlohmann::json::array()}};
  for (const auto& f : features) {
    nlohmann::json e = {{"feature", f.feature}, {"rank", f.rank}, {"selected", f.selected}, {"score", num(f.score)}};
    if (!std::isnan(f.p_value)) e["p_value"] = f.p_value, e["test"] = f.test;
    j["features"].push_back(e);
  }
  if (!curve.empty()) {
    j["metric"] = metric;
    j["greater_is_better"] = greater_is_better;
    for (const auto& s : curve)
      j["curve"].push_back({{"features", s.features}, {"mean", num(s.mean)}, {"std", num(s.stddev)}});
  }
  return j;
}

}  // namespace shipml
