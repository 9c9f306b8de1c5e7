// Category encoders: one-hot (with rare-category grouping and a policy for
// unseen categories), ordinal codes, frequencies, and target means fitted with
// cross-fitting so that no training row is encoded with its own target.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "shipml/core/memory.hpp"
#include "shipml/core/random.hpp"
#include "shipml/data/dataset.hpp"
#include "transformers.hpp"

namespace shipml::preprocess {
namespace {

void require_categorical(const Column& c, const char* who) {
  if (c.is_numeric())
    throw UsageError(std::string(who) + " encodes categories; column '" + c.name() +
                     "' is numeric (name the categorical columns, or read it with --categorical)");
}

// One-hot: a 0/1 column per kept category. Categories rarer than min_frequency,
// or beyond the max_categories most frequent, share one "<column>=other" column.
// ("<column>=(other)"). A missing value is all zeros. Unseen categories: "error" is enforced by the
// schema before any step runs (a clear error naming the row); "ignore" gives
// all zeros; "other" counts them as other.
class OneHot final : public Transformer {
 public:
  explicit OneHot(const Params& p)
      : unseen_(p.text("unseen")), max_categories_(static_cast<std::size_t>(p.integer("max_categories"))),
        min_frequency_(static_cast<std::size_t>(p.integer("min_frequency"))) {}

  void fit(const Frame& columns, const FitContext&) override {
    slots_.clear(), names_.clear();
    for (const Column& c : columns.columns()) {
      require_categorical(c, "one_hot");
      std::vector<std::size_t> counts(c.categories().size(), 0);
      for (auto code : c.codes())
        if (code != kMissingCode) ++counts[static_cast<std::size_t>(code)];
      std::vector<std::size_t> order(counts.size());
      std::iota(order.begin(), order.end(), std::size_t{0});
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return counts[a] > counts[b]; });
      std::vector<bool> keep(counts.size(), false);
      const std::size_t room = max_categories_ > 0 ? max_categories_ - 1 : counts.size();  // one slot left for "other"
      for (std::size_t r = 0; r < order.size(); ++r)
        keep[order[r]] =
            counts[order[r]] > 0 && counts[order[r]] >= min_frequency_ && (max_categories_ == 0 || r < room);
      bool grouped = false;
      for (std::size_t k = 0; k < counts.size(); ++k) grouped = grouped || (!keep[k] && counts[k] > 0);
      if (max_categories_ > 0 && !grouped && counts.size() <= max_categories_)  // everything fits after all
        for (std::size_t k = 0; k < counts.size(); ++k) keep[k] = counts[k] > 0;
      // Slot of each category: its own column, or "other" (-2); -1 = dropped (never seen).
      std::vector<int> slot(counts.size(), -1);
      std::vector<std::string> names;
      for (std::size_t k = 0; k < counts.size(); ++k)
        if (keep[k]) slot[k] = static_cast<int>(names.size()), names.push_back(c.name() + "=" + c.categories()[k]);
      const bool other = grouped || unseen_ == "other";
      if (other) {
        for (std::size_t k = 0; k < counts.size(); ++k)
          if (!keep[k]) slot[k] = static_cast<int>(names.size());
        names.push_back(c.name() + "=(other)");  // parenthesised: "other" may be a real category
      }
      slots_.push_back(slot);
      names_.push_back(names);
    }
  }

  std::vector<Produced> transform(const Frame& columns) const override {
    check_width(columns, slots_.size(), "one_hot");
    refuse_beyond_memory(columns);
    std::vector<Produced> out;
    for (std::size_t j = 0; j < columns.cols(); ++j) {
      const Column& c = columns[j];
      require_categorical(c, "one_hot");
      std::vector<std::vector<double>> cols(names_[j].size(), std::vector<double>(c.size(), 0.0));
      const auto codes = c.codes();
      for (std::size_t i = 0; i < codes.size(); ++i) {
        if (codes[i] == kMissingCode || static_cast<std::size_t>(codes[i]) >= slots_[j].size()) continue;
        const int s = slots_[j][static_cast<std::size_t>(codes[i])];
        if (s >= 0) cols[static_cast<std::size_t>(s)][i] = 1.0;
      }
      for (std::size_t k = 0; k < cols.size(); ++k)
        out.push_back({Column::numeric(names_[j][k], std::move(cols[k])), j});
    }
    return out;
  }

  // Dense 0/1 columns: checked against the memory there is before they are made.
  void refuse_beyond_memory(const Frame& columns) const {
    std::size_t width = 0, widest = 0;
    for (std::size_t j = 0; j < names_.size(); ++j) {
      width += names_[j].size();
      if (names_[j].size() > names_[widest].size()) widest = j;
    }
    const std::uint64_t bytes = static_cast<std::uint64_t>(width) * columns.rows() * sizeof(double);
    if (bytes <= (std::uint64_t{256} << 20)) return;
    require_memory(bytes,
                   "one_hot: " + std::to_string(columns.rows()) + " rows into " + std::to_string(width) +
                       " columns (column '" + columns[widest].name() + "' alone gives " +
                       std::to_string(names_[widest].size()) + ")",
                   "set the step's max_categories or min_frequency to group rare categories");
  }

  void save(BinaryWriter& out) const override {
    out.u64(slots_.size());
    for (std::size_t j = 0; j < slots_.size(); ++j) {
      out.array(slots_[j]);
      out.texts(names_[j]);
    }
  }
  void load(BinaryReader& in) override {
    const auto n = in.count(16);  // each column: an array and a list, 8 bytes of length each at least
    slots_.clear(), names_.clear();
    for (std::uint64_t j = 0; j < n; ++j) {
      slots_.push_back(in.array<int>());
      names_.push_back(in.texts());
      for (int s : slots_.back())
        if (s >= static_cast<int>(names_.back().size()))
          BinaryReader::fail("one_hot: a category points past its columns");
    }
  }
  nlohmann::json describe() const override { return {{"unseen", unseen_}, {"columns", names_}}; }

 private:
  std::string unseen_;
  std::size_t max_categories_, min_frequency_;
  std::vector<std::vector<int>> slots_;
  std::vector<std::vector<std::string>> names_;
};

// A per-category number learned in fit: the code itself (ordinal), the share
// of training rows (frequency). Missing and unseen get `fallback`.
class CategoryMap : public Transformer {
 public:
  std::vector<Produced> transform(const Frame& columns) const override {
    check_width(columns, values_.size(), name());
    std::vector<Produced> out;
    for (std::size_t j = 0; j < columns.cols(); ++j) {
      const Column& c = columns[j];
      require_categorical(c, name());
      std::vector<double> v(c.size(), fallback_[j]);
      const auto codes = c.codes();
      for (std::size_t i = 0; i < codes.size(); ++i)
        if (codes[i] != kMissingCode && static_cast<std::size_t>(codes[i]) < values_[j].size())
          v[i] = values_[j][static_cast<std::size_t>(codes[i])];
      out.push_back({Column::numeric(c.name(), std::move(v)), j});
    }
    return out;
  }
  void save(BinaryWriter& out) const override {
    out.u64(values_.size());
    for (const auto& v : values_) out.array(v);
    out.array(fallback_);
  }
  void load(BinaryReader& in) override {
    values_.resize(in.count(8));
    for (auto& v : values_) v = in.array<double>();
    fallback_ = in.array<double>();
    if (fallback_.size() != values_.size())
      BinaryReader::fail(std::string(name()) + ": its per-column values differ in number");
  }
  nlohmann::json describe() const override { return {{"values", values_}}; }

 protected:
  virtual const char* name() const = 0;
  std::vector<std::vector<double>> values_;
  std::vector<double> fallback_;
};

class Ordinal final : public CategoryMap {
 public:
  void fit(const Frame& columns, const FitContext&) override {
    values_.clear(), fallback_.clear();
    for (const Column& c : columns.columns()) {
      require_categorical(c, name());
      std::vector<double> v(c.categories().size());
      std::iota(v.begin(), v.end(), 0.0);  // the (sorted) dictionary order
      values_.push_back(v);
      fallback_.push_back(std::nan(""));
    }
  }
  const char* name() const override { return "ordinal"; }
};

class Frequency final : public CategoryMap {
 public:
  void fit(const Frame& columns, const FitContext&) override {
    values_.clear(), fallback_.clear();
    for (const Column& c : columns.columns()) {
      require_categorical(c, name());
      std::vector<double> v(c.categories().size(), 0.0);
      for (auto code : c.codes())
        if (code != kMissingCode) v[static_cast<std::size_t>(code)] += 1.0 / static_cast<double>(c.size());
      values_.push_back(v);
      fallback_.push_back(0.0);  // never seen: frequency 0
    }
  }
  const char* name() const override { return "frequency"; }
};

// Target encoding: each category becomes the mean target of its rows, shrunk
// towards the overall mean by `smoothing` pseudo-rows: (n·mean + m·overall)/(n + m).
// Classification: the share of each class (binary: of the second class).
// Training rows are encoded out of fold (cv folds, seeded), the way scikit-learn
// 1.3's TargetEncoder does, so a model cannot learn the target through them.
class TargetEncoder final : public Transformer {
 public:
  explicit TargetEncoder(const Params& p)
      : smoothing_(p.real("smoothing")), folds_(static_cast<std::size_t>(p.integer("cv"))) {}

  void fit(const Frame& columns, const FitContext& context) override {
    const auto t = targets(context);
    std::vector<std::size_t> all(columns.rows());
    std::iota(all.begin(), all.end(), std::size_t{0});
    learn(columns, t, all);
  }

  std::vector<Produced> fit_transform(const Frame& columns, const FitContext& context) override {
    const auto t = targets(context);
    const std::size_t n = columns.rows();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    Random rng(context.seed ^ 0x7a26e7ULL);
    rng.shuffle(std::span(order));
    // Each fold is encoded with what the other folds learned.
    std::vector<std::vector<double>> encoded;  // output -> row
    for (std::size_t f = 0; f < folds_; ++f) {
      std::vector<std::size_t> train, test;
      for (std::size_t i = 0; i < n; ++i) (i % folds_ == f ? test : train).push_back(order[i]);
      learn(columns, t, train);
      const auto part = transform(columns);
      if (encoded.empty()) encoded.assign(part.size(), std::vector<double>(n));
      for (std::size_t k = 0; k < part.size(); ++k)
        for (std::size_t i : test) encoded[k][i] = part[k].column.values()[i];
    }
    fit(columns, context);  // what prediction uses: every training row
    auto out = transform(columns);
    for (std::size_t k = 0; k < out.size(); ++k)
      out[k].column = Column::numeric(out[k].column.name(), std::move(encoded[k]));
    return out;
  }

  std::vector<Produced> transform(const Frame& columns) const override {
    check_width(columns, means_.size(), "target_encoder");
    std::vector<Produced> out;
    for (std::size_t j = 0; j < columns.cols(); ++j) {
      const Column& c = columns[j];
      require_categorical(c, "target_encoder");
      const auto codes = c.codes();
      for (std::size_t k = 0; k < overall_.size(); ++k) {
        std::vector<double> v(c.size(), overall_[k]);
        for (std::size_t i = 0; i < codes.size(); ++i)
          if (codes[i] != kMissingCode && static_cast<std::size_t>(codes[i]) < means_[j].size())
            v[i] = means_[j][static_cast<std::size_t>(codes[i])][k];
        out.push_back(
            {Column::numeric(overall_.size() == 1 ? c.name() : c.name() + "=" + labels_[k], std::move(v)), j});
      }
    }
    return out;
  }

  void save(BinaryWriter& out) const override {
    out.array(overall_);
    out.texts(labels_);
    out.u64(means_.size());
    for (const auto& column : means_) {
      out.u64(column.size());
      for (const auto& m : column) out.array(m);
    }
  }
  void load(BinaryReader& in) override {
    overall_ = in.array<double>();
    labels_ = in.texts();
    // Output k is named after labels_[k].
    if (labels_.size() != overall_.size())
      BinaryReader::fail("target_encoder: its outputs and their labels differ in number");
    means_.resize(in.count(8));
    for (auto& column : means_) {
      column.resize(in.count(8));
      for (auto& m : column) {
        m = in.array<double>();
        if (m.size() != overall_.size()) BinaryReader::fail("target_encoder: a category has the wrong number of means");
      }
    }
  }
  nlohmann::json describe() const override {
    return {{"smoothing", smoothing_}, {"overall", overall_}, {"outputs", labels_}};
  }

 private:
  // One target vector per output: the value (regression), each class's indicator.
  std::vector<std::vector<double>> targets(const FitContext& context) {
    if (!context.target) throw UsageError("target_encoder needs the target: it is fitted inside a model");
    const Column& target = *context.target;
    if (context.task == Task::regression) {
      labels_ = {""};
      return {target_values(target)};
    }
    const auto idx = class_indices(target, context.classes);
    const std::size_t k = context.classes.size();
    const std::size_t first = k == 2 ? 1 : 0;  // binary: the second class's share says it all
    std::vector<std::vector<double>> out;
    labels_.clear();
    for (std::size_t c = first; c < k; ++c) {
      std::vector<double> v(idx.size());
      for (std::size_t i = 0; i < idx.size(); ++i) v[i] = static_cast<std::size_t>(idx[i]) == c ? 1.0 : 0.0;
      out.push_back(std::move(v));
      labels_.push_back(context.classes[c]);
    }
    return out;
  }

  void learn(const Frame& columns, const std::vector<std::vector<double>>& t, const std::vector<std::size_t>& rows) {
    overall_.assign(t.size(), 0.0);
    for (std::size_t k = 0; k < t.size(); ++k) {
      for (std::size_t i : rows) overall_[k] += t[k][i];
      overall_[k] /= std::max<double>(1, static_cast<double>(rows.size()));
    }
    means_.clear();
    for (const Column& c : columns.columns()) {
      require_categorical(c, "target_encoder");
      const std::size_t m = c.categories().size();
      std::vector<double> count(m, 0);
      std::vector<std::vector<double>> sum(m, std::vector<double>(t.size(), 0));
      for (std::size_t i : rows) {
        const auto code = c.codes()[i];
        if (code == kMissingCode) continue;
        count[static_cast<std::size_t>(code)] += 1;
        for (std::size_t k = 0; k < t.size(); ++k) sum[static_cast<std::size_t>(code)][k] += t[k][i];
      }
      std::vector<std::vector<double>> means(m, overall_);
      for (std::size_t cat = 0; cat < m; ++cat)
        for (std::size_t k = 0; k < t.size(); ++k)
          means[cat][k] = (sum[cat][k] + smoothing_ * overall_[k]) / (count[cat] + smoothing_);
      means_.push_back(std::move(means));
    }
  }

  double smoothing_;
  std::size_t folds_;
  std::vector<double> overall_;
  std::vector<std::string> labels_;
  std::vector<std::vector<std::vector<double>>> means_;  // column -> category -> output
};

}  // namespace

std::vector<TransformerInfo> encoders() {
  return {
      {"one_hot",
       "a 0/1 column per category; rare ones grouped as other; unseen ones an error, ignored or other",
       Applies::categorical,
       {choice_param("unseen", "ignore", {"error", "ignore", "other"},
                     "a category training never saw: refuse the row, all zeros, or the other column"),
        int_param("max_categories", 0, 0, "keep at most this many columns per feature, other included (0 = all)"),
        int_param("min_frequency", 0, 0, "categories seen fewer times than this go to other")},
       [](const Params& p) { return std::make_unique<OneHot>(p); }},
      {"ordinal",
       "each category as its code in the sorted dictionary (missing and unseen: missing)",
       Applies::categorical,
       {},
       [](const Params&) { return std::make_unique<Ordinal>(); }},
      {"frequency",
       "each category as its share of the training rows (unseen: 0)",
       Applies::categorical,
       {},
       [](const Params&) { return std::make_unique<Frequency>(); }},
      {"target_encoder",
       "each category as its smoothed mean target, cross-fitted on the training rows",
       Applies::categorical,
       {real_param("smoothing", 10.0, 0.0, "pseudo-rows of the overall mean added to each category"),
        int_param("cv", 5, 2, "folds for the out-of-fold training encoding")},
       [](const Params& p) { return std::make_unique<TargetEncoder>(p); }},
  };
}

}  // namespace shipml::preprocess
