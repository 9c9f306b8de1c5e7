// XGBoost behind shipml's estimator contract: a thin adapter over libxgboost's
// C API (Debian libxgboost-dev). The model file keeps XGBoost's own JSON model,
// so the booster is exactly XGBoost's, and loading it runs no code. Nothing
// else in shipml knows this learner is not native: the registry, the contract
// suite, scoring, search, serving and reports treat it like any other.
#include <xgboost/c_api.h>

#include <charconv>
#include <cmath>
#include <memory>
#include <mutex>

#include "builtin.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/interrupt.hpp"
#include "shipml/core/parallel.hpp"
#include "xgboost_model.hpp"

namespace shipml::builtin {
namespace {

// libxgboost's last error, without the stack trace it appends on further lines:
// shipml's errors are one line.
std::string last_error() {
  const std::string error = XGBGetLastError();
  return error.substr(0, error.find('\n'));
}

void check(int status, const char* what) {
  if (status != 0) throw Error(std::string("xgboost: ") + what + ": " + last_error());
}

struct BoosterFree {
  void operator()(void* h) const { XGBoosterFree(h); }
};
struct MatrixFree {
  void operator()(void* h) const { XGDMatrixFree(h); }
};
using Booster = std::unique_ptr<void, BoosterFree>;
using DMatrix = std::unique_ptr<void, MatrixFree>;

// Rows of float32, as XGBoost stores them; NaN is missing. Category codes are
// marked categorical so XGBoost splits on category sets.
DMatrix to_dmatrix(const FeatureMatrix& X) {
  const std::size_t n = X.rows(), d = X.cols();
  std::vector<float> rows(n * d);
  for (std::size_t j = 0; j < d; ++j) {
    const double* c = X.column(j);
    for (std::size_t i = 0; i < n; ++i) rows[i * d + j] = static_cast<float>(c[i]);
  }
  DMatrixHandle h = nullptr;
  check(XGDMatrixCreateFromMat(rows.data(), n, d, NAN, &h), "creating the data matrix");
  DMatrix m(h);
  std::vector<const char*> types;
  bool any_categorical = false;
  for (std::size_t j = 0; j < d; ++j) {
    types.push_back(X.info(j).categorical ? "c" : "q");
    any_categorical = any_categorical || X.info(j).categorical;
  }
  if (any_categorical) check(XGDMatrixSetStrFeatureInfo(h, "feature_type", types.data(), d), "marking categories");
  return m;
}

class XGBoost final : public Estimator {
 public:
  XGBoost(const Params& p, Task task) : params_(p), task_(task) {}

  void fit(const FeatureMatrix& X, std::span<const double> y, int n_classes, std::span<const double> weights) override {
    n_classes_ = n_classes;
    features_ = X.cols();
    DMatrix data = to_dmatrix(X);
    const std::vector<float> labels(y.begin(), y.end());
    check(XGDMatrixSetFloatInfo(data.get(), "label", labels.data(), labels.size()), "setting the labels");
    // XGBoost's own sample weights (its sklearn wrapper's sample_weight): they
    // scale gradients and hessians, and weigh the quantile sketch of the bins.
    if (!weights.empty()) {
      const std::vector<float> w(weights.begin(), weights.end());
      check(XGDMatrixSetFloatInfo(data.get(), "weight", w.data(), w.size()), "setting the weights");
    }
    BoosterHandle h = nullptr;
    DMatrixHandle train[] = {data.get()};
    check(XGBoosterCreate(train, 1, &h), "creating the booster");
    booster_.reset(h);
    auto set = [&](const char* name, const std::string& value) {
      check(XGBoosterSetParam(h, name, value.c_str()), name);
    };
    set("objective", objective());
    if (task_ == Task::classification && n_classes > 2) set("num_class", std::to_string(n_classes));
    set("tree_method", "hist");
    for (const char* name : {"max_depth", "learning_rate", "subsample", "colsample_bytree", "reg_lambda", "reg_alpha",
                             "min_child_weight", "max_bin", "gamma", "max_cat_to_onehot", "seed"})
      set(name, params_.values().at(name));
    // Inside a search or cross-validation the pool's threads are already busy.
    const auto threads = params_.integer("n_jobs");
    set("nthread", std::to_string(inside_parallel_work() ? 1 : threads > 0 ? threads : default_threads()));
    const auto rounds = params_.integer("n_estimators");
    for (int i = 0; i < rounds; ++i) {
      throw_if_stopped("xgboost training");
      check(XGBoosterUpdateOneIter(h, i, data.get()), "training a round");
    }
  }

  Matrix predict_proba(const FeatureMatrix& X) const override {
    if (task_ != Task::classification) return Estimator::predict_proba(X);
    const std::vector<float> raw = run(X);
    const auto n = static_cast<Eigen::Index>(X.rows());
    Matrix out(n, n_classes_);
    for (Eigen::Index i = 0; i < n; ++i) {
      if (n_classes_ == 2) {
        out(i, 1) = raw[static_cast<std::size_t>(i)];
        out(i, 0) = 1 - out(i, 1);
      } else {
        for (int c = 0; c < n_classes_; ++c)
          out(i, c) =
              raw[static_cast<std::size_t>(i) * static_cast<std::size_t>(n_classes_) + static_cast<std::size_t>(c)];
        out.row(i) /= out.row(i).sum();  // float32 softmax: sum to 1 in double precision
      }
    }
    return out;
  }

  std::vector<double> predict(const FeatureMatrix& X) const override {
    if (task_ == Task::classification) return Estimator::predict(X);
    const std::vector<float> raw = run(X);
    return {raw.begin(), raw.end()};
  }

  void save(BinaryWriter& out) const override {
    bst_ulong len = 0;
    const char* bytes = nullptr;
    check(XGBoosterSaveModelToBuffer(booster_.get(), R"({"format": "json"})", &len, &bytes), "saving the model");
    out.text(std::string(bytes, len));
    out.u64(static_cast<std::uint64_t>(n_classes_));
  }

  void load(BinaryReader& in) override {
    const std::string json = in.text();
    n_classes_ = stored_class_count(in.u64(), "xgboost");
    // libxgboost trusts its model's indices: they are checked before it reads them.
    const BoosterModel model = check_booster_json(json);
    check_objective(model);
    BoosterHandle h = nullptr;
    check(XGBoosterCreate(nullptr, 0, &h), "creating the booster");
    booster_.reset(h);
    if (XGBoosterLoadModelFromBuffer(h, json.data(), json.size()) != 0)
      BinaryReader::fail("xgboost: the stored model does not load: " + last_error());
    check_loaded(model);
    features_ = model.features;
    check(XGBoosterSetParam(h, "nthread", "1"), "nthread");  // prediction is parallel over requests, not inside one
  }

  EstimatorShape shape() const override { return {features_, static_cast<std::size_t>(n_classes_)}; }

  // XGBoost's margin: log-odds (binary:logistic), the softmax's scores
  // (multi:softprob), the value (reg:squarederror). In float32, as XGBoost computes it.
  Matrix raw_output(const FeatureMatrix& X) const override {
    const std::vector<float> margin = run(X, 1);
    Matrix out(static_cast<Eigen::Index>(X.rows()), static_cast<Eigen::Index>(groups()));
    for (std::size_t i = 0; i < X.rows(); ++i)
      for (std::size_t k = 0; k < groups(); ++k)
        out(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k)) = margin[i * groups() + k];
    return out;
  }

  // XGBoost's own TreeSHAP (pred_contribs): per row and output group, one value
  // per feature and a last one, the bias, which is the expected value. float32.
  std::optional<FeatureContributions> contributions(const FeatureMatrix& X,
                                                    const ContributionRequest& request) const override {
    if (X.cols() != features_) throw ModelError("xgboost: expected " + std::to_string(features_) + " encoded features");
    // The bias is the same for every row: one row of missing values gives it when there are none.
    const FeatureMatrix none(Matrix::Constant(1, static_cast<Eigen::Index>(features_), NAN));
    const FeatureMatrix& rows = X.rows() ? X : none;
    const std::vector<float> contribs = run(rows, 2);  // rows x groups x (features + 1)
    const std::size_t width = features_ + 1, groups_out = groups();
    const std::size_t group_count = request.group_of.empty() ? features_ : request.groups;
    FeatureContributions out;
    out.method = "xgboost";
    for (std::size_t k = 0; k < groups_out; ++k) {
      Matrix values = Matrix::Zero(static_cast<Eigen::Index>(X.rows()), static_cast<Eigen::Index>(group_count));
      for (std::size_t i = 0; i < X.rows(); ++i)
        for (std::size_t f = 0; f < features_; ++f)
          values(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(request.group(f))) +=
              contribs[(i * groups_out + k) * width + f];
      out.values.push_back(std::move(values));
      out.expected.push_back(contribs[k * width + features_]);
    }
    return out;
  }

  nlohmann::json inspect(const std::vector<std::string>& names, const std::vector<std::string>&) const override {
    // Gain shares, named like shipml's own trees, so importances and RFE work unchanged.
    bst_ulong n_features = 0, dim = 0;
    const char** features = nullptr;
    const bst_ulong* shape = nullptr;
    const float* scores = nullptr;
    std::lock_guard lock(mutex_);
    check(XGBoosterFeatureScore(booster_.get(), R"({"importance_type": "total_gain"})", &n_features, &features, &dim,
                                &shape, &scores),
          "feature scores");
    std::vector<double> gain(names.size(), 0.0);
    double total = 0;
    for (bst_ulong f = 0; f < n_features; ++f) {
      // "f<index>" when the data had no names; a name that is not one counts for no feature.
      const std::string_view id = features[f];
      std::size_t j = names.size();
      if (id.starts_with('f') && std::from_chars(id.data() + 1, id.data() + id.size(), j).ptr != id.data() + id.size())
        j = names.size();
      if (j < gain.size()) gain[j] += scores[f], total += scores[f];
    }
    nlohmann::json by_gain = nlohmann::json::object();
    for (std::size_t j = 0; j < names.size(); ++j) by_gain[names[j]] = total > 0 ? gain[j] / total : 0.0;
    bst_ulong len = 0;
    const char* config = nullptr;
    check(XGBoosterSaveJsonConfig(booster_.get(), &len, &config), "configuration");
    return {{"feature_importances_gain", by_gain},
            {"library", "libxgboost"},
            {"learner", nlohmann::json::parse(std::string(config, len)).value("learner", nlohmann::json::object())}};
  }

 private:
  std::string objective() const {
    if (task_ == Task::regression) return "reg:squarederror";
    return n_classes_ == 2 ? "binary:logistic" : "multi:softprob";
  }

  // Output groups: one per class for multiclass, else one (a probability or a value).
  std::size_t groups() const { return n_classes_ > 2 ? static_cast<std::size_t>(n_classes_) : 1; }

  // The stored booster must be the one fit() trains for this task and these
  // classes: predict_proba reads groups() values per row of its output.
  void check_objective(const BoosterModel& model) const {
    const std::size_t num_class = n_classes_ > 2 ? static_cast<std::size_t>(n_classes_) : 0;  // as fit() sets it
    const bool fits = model.objective == objective() && model.num_class == num_class &&
                      (task_ == Task::regression ? n_classes_ == 0 : n_classes_ >= 2);
    if (!fits)
      BinaryReader::fail(
          "xgboost: the stored booster (" + model.objective + ", num_class " + std::to_string(model.num_class) +
          ") does not fit a " +
          (task_ == Task::regression ? std::string("regressor") : std::to_string(n_classes_) + "-class classifier"));
  }

  // What libxgboost read must be what was checked.
  void check_loaded(const BoosterModel& model) const {
    bst_ulong features = 0, len = 0;
    const char* config = nullptr;
    check(XGBoosterGetNumFeature(booster_.get(), &features), "counting features");
    check(XGBoosterSaveJsonConfig(booster_.get(), &len, &config), "configuration");
    const auto read = nlohmann::json::parse(std::string(config, len), nullptr, false);
    const auto num_class = nlohmann::json::json_pointer("/learner/learner_model_param/num_class");
    if (features != model.features || !read.is_object() || read.value(num_class, "") != std::to_string(model.num_class))
      BinaryReader::fail("xgboost: libxgboost read another shape than the stored model states");
  }

  // Prediction through one booster is serialised: XGBoost's prediction buffer
  // belongs to the booster, so concurrent callers would share it.
  // `type`: 0 the prediction, 1 the margin, 2 the contributions (groups() x
  // (features + 1) per row, the last one the bias), in XGBoost's own layout.
  std::vector<float> run(const FeatureMatrix& X, int type = 0) const {
    if (!booster_) throw ModelError("xgboost: the model is not fitted");
    DMatrix data = to_dmatrix(X);
    const bst_ulong* shape = nullptr;
    bst_ulong dim = 0;
    const float* result = nullptr;
    const std::string config =
        R"({"type": )" + std::to_string(type) +
        R"(, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false})";
    std::lock_guard lock(mutex_);
    check(XGBoosterPredictFromDMatrix(booster_.get(), data.get(), config.c_str(), &shape, &dim, &result),
          type == 2 ? "computing contributions" : "predicting");
    bst_ulong size = 1;
    for (bst_ulong k = 0; k < dim; ++k) size *= shape[k];
    // Callers read groups() values per row (times features + 1 for contributions);
    // load() checked the booster gives that many.
    if (size != X.rows() * groups() * (type == 2 ? features_ + 1 : 1))
      throw ModelError("xgboost: the booster gave " + std::to_string(size) + " values for " + std::to_string(X.rows()) +
                       " rows");
    return {result, result + size};
  }

  Params params_;
  Task task_;
  int n_classes_ = 0;
  std::size_t features_ = 0;
  Booster booster_;
  mutable std::mutex mutex_;
};

}  // namespace

EstimatorInfo xgboost_info() {
  return {
      .name = "xgboost",
      .summary = "XGBoost (libxgboost, tree_method=hist) behind the same contract; its JSON model kept in the file",
      .tasks = {Task::classification, Task::regression},
      .encoding = InputEncoding::ordinal,
      .params =
          {
              int_param("n_estimators", 100, 1, "boosting rounds"),
              int_param("max_depth", 6, 0, "tree depth (0 = no limit)"),
              real_param("learning_rate", 0.3, 0.0, "shrinkage (XGBoost's eta)", true),
              real_param("subsample", 1.0, 0.0, "share of rows per tree", true, 1.0),
              real_param("colsample_bytree", 1.0, 0.0, "share of features per tree", true, 1.0),
              real_param("reg_lambda", 1.0, 0.0, "L2 penalty on leaf weights"),
              real_param("reg_alpha", 0.0, 0.0, "L1 penalty on leaf weights"),
              real_param("min_child_weight", 1.0, 0.0, "least hessian per leaf"),
              real_param("gamma", 0.0, 0.0, "least loss reduction to split"),
              int_param("max_bin", 256, 2, "histogram bins per feature"),
              // XGBoost's own default (4) splits a column of more levels into two
              // sets of categories ordered by their gradient sums; on a few
              // hundred rows those sums are noise, and a 68-level zip code cost
              // 0.06 R² against the same booster on one-hot columns. A default past
              // any real column splits one category from the rest, as one-hot does.
              int_param("max_cat_to_onehot", 1000000, 1,
                        "a categorical column with fewer levels is split one category against the rest; "
                        "one with more into two sets of categories"),
              int_param("seed", 0, 0, "random seed"),
              int_param("n_jobs", 0, 0, "threads for training (0 = all cores; 1 inside a search)"),
          },
      .create = [](const Params& p, Task task) { return std::make_unique<XGBoost>(p, task); },
  };
}

}  // namespace shipml::builtin
