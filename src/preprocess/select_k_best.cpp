// Univariate feature selection as a pipeline step: the k (or percentile) best
// of its columns by a test each gets alone against the target, learned on the
// training rows (inside each fold when cross-validated).
#include <algorithm>
#include <functional>

#include "shipml/preprocess/univariate.hpp"
#include "transformers.hpp"

namespace shipml::preprocess {
namespace {

class SelectKBest final : public Transformer {
 public:
  explicit SelectKBest(const Params& p)
      : test_(parse_univariate_test(p.text("test"))), k_(static_cast<std::size_t>(p.integer("k"))),
        percentile_(p.real("percentile")) {}

  void fit(const Frame& columns, const FitContext& context) override {
    if (!context.target) throw UsageError("select_k_best needs the target: it is fitted inside a model");
    const auto scores = univariate_scores(columns, *context.target, context.task, test_, context.seed);
    auto order = univariate_ranking(scores, test_);
    order.resize(kbest_count(order.size(), k_, percentile_));
    std::sort(order.begin(), order.end());  // the kept columns in their own order
    kept_ = order;
    width_ = columns.cols();
    names_.clear();
    for (std::size_t j : kept_) names_.push_back(columns[j].name());
  }

  std::vector<Produced> transform(const Frame& columns) const override {
    check_width(columns, width_, "select_k_best");
    std::vector<Produced> out;
    for (std::size_t j : kept_) out.push_back({columns[j], j});
    return out;
  }

  void save(BinaryWriter& out) const override {
    out.u64(width_);
    out.array(kept_);
    out.texts(names_);
  }
  void load(BinaryReader& in) override {
    width_ = in.u64();
    kept_ = in.array<std::size_t>();
    names_ = in.texts();
    for (std::size_t j : kept_)
      if (j >= width_) BinaryReader::fail("select_k_best: a kept column is past its input");
    // Each kept once, in input order, each with its name.
    if (std::adjacent_find(kept_.begin(), kept_.end(), std::greater_equal<>()) != kept_.end() ||
        names_.size() != kept_.size())
      BinaryReader::fail("select_k_best: its kept columns are not ascending, one name each");
  }
  nlohmann::json describe() const override { return {{"test", std::string(to_string(test_))}, {"kept", names_}}; }

 private:
  UnivariateTest test_;
  std::size_t k_;
  double percentile_;
  std::size_t width_ = 0;
  std::vector<std::size_t> kept_;
  std::vector<std::string> names_;
};

}  // namespace

std::vector<TransformerInfo> selectors() {
  return {{"select_k_best",
           "keep the k columns that best predict the target alone (ANOVA F, chi-squared, mutual information)",
           Applies::any,
           {choice_param("test", "f_test", {"f_test", "chi2", "mutual_info"},
                         "the test each column gets alone against the target"),
            int_param("k", 10, 1, "columns kept"),
            real_param("percentile", 0.0, 0.0, "keep this percent of the columns instead (0 = use k)", false, 100.0)},
           [](const Params& p) { return std::make_unique<SelectKBest>(p); }}};
}

}  // namespace shipml::preprocess
