// Transformers that change the shape of the data: binning, date parts,
// polynomial features, and dropping or selecting columns.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "transformers.hpp"

namespace shipml::preprocess {
namespace {

// Numbers into bins (their index, 0..n-1) with edges from training: equal
// widths ("uniform") or equal counts ("quantile"), as scikit-learn's
// KBinsDiscretizer(encode="ordinal"). Missing stays missing.
class Binning final : public Transformer {
 public:
  explicit Binning(const Params& p)
      : bins_(static_cast<std::size_t>(p.integer("n_bins"))), strategy_(p.text("strategy")) {}

  void fit(const Frame& columns, const FitContext&) override {
    edges_.clear();
    for (const Column& c : columns.columns()) {
      std::vector<double> v;
      for (double x : c.values())
        if (!std::isnan(x)) v.push_back(x);
      std::sort(v.begin(), v.end());
      std::vector<double> e;
      if (!v.empty())
        for (std::size_t b = 0; b <= bins_; ++b) {
          const double q = static_cast<double>(b) / static_cast<double>(bins_);
          e.push_back(strategy_ == "uniform" ? v.front() + (v.back() - v.front()) * q : linear_quantile(v, q));
        }
      // Quantile edges that coincide (a value repeated many times) merge into one bin.
      e.erase(std::unique(e.begin(), e.end(), [](double a, double b) { return std::abs(a - b) <= 1e-8; }), e.end());
      edges_.push_back(e);
    }
  }

  std::vector<Produced> transform(const Frame& columns) const override {
    check_width(columns, edges_.size(), "binning");
    std::vector<Produced> out;
    for (std::size_t j = 0; j < columns.cols(); ++j) {
      const auto& e = edges_[j];
      std::vector<double> v(columns[j].values().begin(), columns[j].values().end());
      for (double& x : v) {
        if (std::isnan(x) || e.size() < 2) continue;
        // numpy.searchsorted(inner edges, x, side="right"), as scikit-learn
        const auto at = std::upper_bound(e.begin() + 1, e.end() - 1, x);
        x = static_cast<double>(at - (e.begin() + 1));
      }
      out.push_back({Column::numeric(columns[j].name(), std::move(v)), j});
    }
    return out;
  }
  void save(BinaryWriter& out) const override {
    out.u64(edges_.size());
    for (const auto& e : edges_) out.array(e);
  }
  void load(BinaryReader& in) override {
    edges_.resize(in.count(8));
    for (auto& e : edges_) {
      e = in.array<double>();
      // transform() binary-searches them.
      if (std::any_of(e.begin(), e.end(), [](double x) { return std::isnan(x); }) ||
          !std::is_sorted(e.begin(), e.end()))
        BinaryReader::fail("binning: a column's edges are not ascending");
    }
  }
  nlohmann::json describe() const override { return {{"strategy", strategy_}, {"edges", edges_}}; }

 private:
  std::size_t bins_;
  std::string strategy_;
  std::vector<std::vector<double>> edges_;
};

// Year, month, day, weekday (Monday = 0) and hour of ISO-8601 dates and times
// ("2024-03-05", "2024-03-05T14:30:00", "2024-03-05 14:30"), read as text.
class DateParts final : public Transformer {
 public:
  void fit(const Frame& columns, const FitContext&) override {
    with_time_.clear();
    for (const Column& c : columns.columns()) {
      if (c.is_numeric())
        throw UsageError("date_parts reads dates written as text; column '" + c.name() + "' is numeric");
      bool time = false;
      for (const auto& text : c.categories()) time = time || parse(c.name(), text, 0).hour >= 0;
      with_time_.push_back(time);
    }
  }

  std::vector<Produced> transform(const Frame& columns) const override {
    check_width(columns, with_time_.size(), "date_parts");
    std::vector<Produced> out;
    for (std::size_t j = 0; j < columns.cols(); ++j) {
      const Column& c = columns[j];
      // Parse each category once, then spread by code.
      std::vector<Date> dates;
      for (const auto& text : c.categories()) dates.push_back(parse(c.name(), text, 0));
      const char* names[] = {"_year", "_month", "_day", "_weekday", "_hour"};
      for (int part = 0; part < (with_time_[j] ? 5 : 4); ++part) {
        std::vector<double> v(c.size(), std::nan(""));
        const auto codes = c.codes();
        for (std::size_t i = 0; i < codes.size(); ++i) {
          if (codes[i] == kMissingCode) continue;
          const Date& d = dates[static_cast<std::size_t>(codes[i])];
          if (!d.valid)
            throw DataError("column '" + c.name() + "', row " + std::to_string(i + 1) + ": '" +
                            c.categories()[static_cast<std::size_t>(codes[i])] +
                            "' is not an ISO-8601 date (YYYY-MM-DD, optionally THH:MM[:SS])");
          const int values[] = {d.year, d.month, d.day, d.weekday, std::max(d.hour, 0)};
          v[i] = values[part];
        }
        out.push_back({Column::numeric(c.name() + names[part], std::move(v)), j});
      }
    }
    return out;
  }
  void save(BinaryWriter& out) const override {
    std::vector<std::uint8_t> t(with_time_.begin(), with_time_.end());
    out.array(t);
  }
  void load(BinaryReader& in) override {
    const auto t = in.array<std::uint8_t>();
    with_time_.assign(t.begin(), t.end());
  }
  nlohmann::json describe() const override { return {{"with_hour", with_time_}}; }

 private:
  struct Date {
    bool valid = false;
    int year = 0, month = 0, day = 0, weekday = 0, hour = -1;
  };

  static Date parse(const std::string&, const std::string& text, int) {
    Date d;
    int y = 0, m = 0, day = 0, h = -1, mi = 0;
    char sep = 0;
    int used = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &y, &m, &day, &used) != 3 || used != 10) return d;
    if (text.size() > 10) {
      if (std::sscanf(text.c_str() + 10, "%c%2d:%2d", &sep, &h, &mi) != 3 || (sep != 'T' && sep != ' ') || h > 23 ||
          mi > 59)
        return d;
    }
    static const int days_in[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || day < 1 || day > days_in[m - 1]) return d;
    // Sakamoto's day of the week (0 = Sunday), shifted so Monday = 0 as Python's weekday().
    static const int t[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
    const int yy = m < 3 ? y - 1 : y;
    const int sunday0 = (yy + yy / 4 - yy / 100 + yy / 400 + t[m - 1] + day) % 7;
    return {true, y, m, day, (sunday0 + 6) % 7, h};
  }

  std::vector<bool> with_time_;
};

// Products of numeric columns up to `degree` (2 or 3), after the columns
// themselves, in scikit-learn's PolynomialFeatures(include_bias=False) order.
class Polynomial final : public Transformer {
 public:
  explicit Polynomial(const Params& p)
      : degree_(static_cast<int>(p.integer("degree"))), interaction_only_(p.boolean("interaction_only")) {}

  void fit(const Frame& columns, const FitContext&) override {
    terms_.clear();
    const std::size_t d = columns.cols();
    for (std::size_t j = 0; j < d; ++j) terms_.push_back({j});
    std::vector<std::vector<std::size_t>> last = terms_;
    for (int deg = 2; deg <= degree_; ++deg) {
      std::vector<std::vector<std::size_t>> next;
      for (const auto& t : last)
        for (std::size_t j = t.back() + (interaction_only_ ? 1 : 0); j < d; ++j) {
          auto u = t;
          u.push_back(j);
          next.push_back(u);
        }
      terms_.insert(terms_.end(), next.begin(), next.end());
      last = std::move(next);
    }
    width_ = d;
  }

  std::vector<Produced> transform(const Frame& columns) const override {
    check_width(columns, width_, "polynomial");
    std::vector<Produced> out;
    for (const auto& t : terms_) {
      std::vector<double> v(columns.rows(), 1.0);
      std::string name;
      for (std::size_t j : t) {
        const auto x = columns[j].values();
        for (std::size_t i = 0; i < v.size(); ++i) v[i] *= x[i];
        name += (name.empty() ? "" : "*") + columns[j].name();
      }
      out.push_back({Column::numeric(name, std::move(v)), t.front()});
    }
    return out;
  }
  void save(BinaryWriter& out) const override {
    out.u64(width_);
    out.u64(terms_.size());
    for (const auto& t : terms_) out.array(t);
  }
  void load(BinaryReader& in) override {
    width_ = in.u64();
    terms_.resize(in.count(8));  // counts checked against the bytes left: a crafted file cannot ask for 2^64 items
    for (auto& t : terms_) {
      t = in.array<std::size_t>();
      // transform() names and traces each term by its first column.
      if (t.empty()) BinaryReader::fail("polynomial: a term uses no column");
      for (auto j : t)
        if (j >= width_) BinaryReader::fail("polynomial: a term uses a column it was not fitted on");
    }
  }
  nlohmann::json describe() const override { return {{"degree", degree_}, {"terms", terms_.size()}}; }

 private:
  int degree_;
  bool interaction_only_;
  std::size_t width_ = 0;
  std::vector<std::vector<std::size_t>> terms_;
};

// Removes the columns it is given (drop_columns; select_columns is the same
// step given every column except the ones to keep).
class Drop final : public Transformer {
 public:
  void fit(const Frame&, const FitContext&) override {}
  std::vector<Produced> transform(const Frame&) const override { return {}; }
  void save(BinaryWriter&) const override {}
  void load(BinaryReader&) override {}
  nlohmann::json describe() const override { return nlohmann::json::object(); }
};

}  // namespace

std::vector<TransformerInfo> reshapers() {
  return {
      {"binning",
       "numbers into bins of equal width or equal count (the bin's index)",
       Applies::numeric,
       {int_param("n_bins", 5, 2, "bins per column"),
        choice_param("strategy", "quantile", {"quantile", "uniform"}, "equal counts or equal widths")},
       [](const Params& p) { return std::make_unique<Binning>(p); }},
      {"date_parts",
       "year, month, day, weekday (and hour) of ISO-8601 dates written as text",
       Applies::categorical,
       {},
       [](const Params&) { return std::make_unique<DateParts>(); },
       nullptr,
       true},
      {"polynomial",
       "products of the numeric columns up to a degree, after the columns themselves",
       Applies::numeric,
       {int_param("degree", 2, 2, "highest total degree (2 or 3)"),
        bool_param("interaction_only", false, "only products of different columns (no squares)")},
       [](const Params& p) {
         if (p.integer("degree") > 3) throw UsageError("polynomial: degree must be 2 or 3");
         return std::make_unique<Polynomial>(p);
       }},
      {"drop_columns",
       "remove the named columns",
       Applies::any,
       {},
       [](const Params&) { return std::make_unique<Drop>(); },
       nullptr,
       true},
      {"select_columns",
       "keep only the named columns",
       Applies::any,
       {},
       [](const Params&) { return std::make_unique<Drop>(); },
       nullptr,
       true,
       true},
  };
}

}  // namespace shipml::preprocess
