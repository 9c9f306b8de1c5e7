// Imputation: missing values replaced by the training mean, median, most
// frequent value or a constant, optionally with a 0/1 column marking which
// values were missing (only for columns that had missing values in training,
// as scikit-learn's SimpleImputer(add_indicator=True)).
#include <algorithm>
#include <cmath>
#include <map>

#include "transformers.hpp"

namespace shipml::preprocess {
namespace {

// The middle value (the mean of the two middle ones for an even count), by selection, not sorting.
double median(std::vector<double>& v) {
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  if (v.size() % 2) return *mid;
  return (*mid + *std::max_element(v.begin(), mid)) / 2;
}

class Imputer final : public Transformer {
 public:
  explicit Imputer(const Params& p)
      : strategy_(p.text("strategy")), fill_(p.text("fill_value")), indicator_(p.boolean("add_indicator")) {}

  void fit(const Frame& columns, const FitContext&) override {
    numeric_fill_.clear(), category_fill_.clear(), had_missing_.clear();
    for (const Column& c : columns.columns()) {
      had_missing_.push_back(c.missing_count() > 0);
      if (c.is_numeric()) {
        std::vector<double> v;
        for (double x : c.values())
          if (!std::isnan(x)) v.push_back(x);
        double fill = 0;
        if (strategy_ == "mean") {
          for (double x : v) fill += x / static_cast<double>(v.size());
        } else if (strategy_ == "median") {
          fill = v.empty() ? 0 : median(v);
        } else if (strategy_ == "most_frequent") {
          std::sort(v.begin(), v.end());
          std::size_t best = 0;  // the smallest of the most frequent, as scikit-learn
          for (std::size_t i = 0, run = 0; i < v.size(); ++i) {
            run = i > 0 && v[i] == v[i - 1] ? run + 1 : 1;
            if (run > best) best = run, fill = v[i];
          }
        } else {
          try {
            fill = std::stod(fill_);
          } catch (const std::exception&) {
            throw UsageError("imputer: fill_value '" + fill_ + "' is not a number, and column '" + c.name() +
                             "' is numeric");
          }
        }
        numeric_fill_.push_back(fill);
        category_fill_.push_back("");
      } else {
        std::string fill = fill_;
        if (strategy_ == "mean" || strategy_ == "median")
          throw UsageError("imputer: strategy " + strategy_ + " needs numbers; column '" + c.name() +
                           "' is categorical (use most_frequent or constant, or name the numeric columns)");
        if (strategy_ == "most_frequent") {
          std::vector<std::size_t> counts(c.categories().size(), 0);
          for (auto code : c.codes())
            if (code != kMissingCode) ++counts[static_cast<std::size_t>(code)];
          std::size_t best = 0;
          for (std::size_t k = 0; k < counts.size(); ++k)  // ties: the first in the (sorted) dictionary
            if (counts[k] > counts[best]) best = k;
          fill = counts.empty() ? fill_ : c.categories()[best];
        }
        numeric_fill_.push_back(0);
        category_fill_.push_back(fill);
      }
    }
  }

  std::vector<Produced> transform(const Frame& columns) const override {
    check_width(columns, had_missing_.size(), "imputer");
    std::vector<Produced> out;
    for (std::size_t j = 0; j < columns.cols(); ++j) {
      const Column& c = columns[j];
      std::vector<double> flag(c.size(), 0.0);
      for (std::size_t i = 0; i < c.size(); ++i) flag[i] = c.is_missing(i) ? 1.0 : 0.0;
      if (c.is_numeric()) {
        std::vector<double> v(c.values().begin(), c.values().end());
        for (double& x : v)
          if (std::isnan(x)) x = numeric_fill_[j];
        out.push_back({Column::numeric(c.name(), std::move(v)), j});
      } else {
        // The fill category joins the dictionary when training never saw it.
        auto categories = std::make_shared<Categories>(c.categories());
        auto it = std::find(categories->begin(), categories->end(), category_fill_[j]);
        const auto code = static_cast<std::int32_t>(it - categories->begin());
        if (it == categories->end()) categories->push_back(category_fill_[j]);
        std::vector<std::int32_t> codes(c.codes().begin(), c.codes().end());
        for (auto& k : codes)
          if (k == kMissingCode) k = code;
        out.push_back({Column::categorical(c.name(), std::move(codes), categories), j});
      }
      if (indicator_ && had_missing_[j]) out.push_back({Column::numeric(c.name() + "_missing", std::move(flag)), j});
    }
    return out;
  }

  void save(BinaryWriter& out) const override {
    out.array(numeric_fill_);
    out.texts(category_fill_);
    std::vector<std::uint8_t> had(had_missing_.begin(), had_missing_.end());
    out.array(had);
  }
  void load(BinaryReader& in) override {
    numeric_fill_ = in.array<double>();
    category_fill_ = in.texts();
    const auto had = in.array<std::uint8_t>();
    had_missing_.assign(had.begin(), had.end());
    if (category_fill_.size() != numeric_fill_.size() || had_missing_.size() != numeric_fill_.size())
      BinaryReader::fail("imputer: its per-column values differ in number");
  }
  nlohmann::json describe() const override {
    return {{"strategy", strategy_}, {"numeric_fill", numeric_fill_}, {"category_fill", category_fill_}};
  }

 private:
  std::string strategy_, fill_;
  bool indicator_;
  std::vector<double> numeric_fill_;
  std::vector<std::string> category_fill_;
  std::vector<bool> had_missing_;
};

}  // namespace

std::vector<TransformerInfo> imputers() {
  return {{"imputer",
           "replace missing values (mean, median, most frequent or a constant), optionally marking them",
           Applies::any,
           {choice_param("strategy", "mean", {"mean", "median", "most_frequent", "constant"},
                         "what replaces a missing value (mean and median: numeric columns only)"),
            ParamSpec{.name = "fill_value",
                      .type = ParamType::text,
                      .default_value = "missing",
                      .doc = "the constant (strategy constant); a number for numeric columns"},
            bool_param("add_indicator", false, "add a 0/1 <column>_missing column where training had missing values")},
           [](const Params& p) { return std::make_unique<Imputer>(p); },
           [](const Params& p) {
             const std::string& s = p.text("strategy");
             return s == "mean" || s == "median" ? Applies::numeric : Applies::any;
           }}};
}

}  // namespace shipml::preprocess
