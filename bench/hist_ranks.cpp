// hist_gbdt trained data-parallel over ranks standing as threads of this
// process (run_as_ranks): per rank count, the wall time, the histogram bytes
// each rank hands to Communicator::sum per tree (what an allreduce over MPI
// carries), and the ROC AUC beside one process's on the same rows. Rows are
// synthetic (ROWS x FEATURES numbers, a binary target of a few of them), split
// over the ranks in order. One JSON line per rank count.
//
//   bench_hist_ranks ROWS FEATURES RANKS... [name=value ...]   e.g. 1000000 20 1 2 n_estimators=20
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "shipml/core/random.hpp"
#include "shipml/core/thread_ranks.hpp"
#include "shipml/metrics/metrics.hpp"
#include "shipml/shipml.hpp"

namespace {

// Rows [begin, end) of a matrix, as one chunk that refers to its columns.
class Share final : public shipml::FeatureChunks {
 public:
  Share(const shipml::FeatureMatrix& X, std::size_t begin, std::size_t end) : X_(X), begin_(begin), end_(end) {
    auto infos = std::make_shared<const std::vector<shipml::FeatureInfo>>(X.infos());
    part_ = shipml::FeatureMatrix(infos, end - begin);
    for (std::size_t j = 0; j < X.cols(); ++j) part_.add_column(X.column(j) + begin);
  }
  std::size_t rows() const override { return end_ - begin_; }
  const std::vector<shipml::FeatureInfo>& infos() const override { return X_.infos(); }
  void for_each(const std::function<void(std::size_t, const shipml::FeatureMatrix&)>& each) override { each(0, part_); }

 private:
  const shipml::FeatureMatrix& X_;
  std::size_t begin_, end_;
  shipml::FeatureMatrix part_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: bench_hist_ranks ROWS FEATURES RANKS... [name=value ...]\n";
    return 2;
  }
  const std::size_t n = std::stoul(argv[1]), features = std::stoul(argv[2]);
  std::vector<int> rank_counts;
  std::map<std::string, std::string> given{{"early_stopping", "false"}};
  for (int i = 3; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.find('=') == std::string::npos) rank_counts.push_back(std::stoi(a));
    else given.insert_or_assign(shipml::parse_assignment(a).first, shipml::parse_assignment(a).second);
  }
  shipml::Random rng(1);
  shipml::FeatureMatrix X;
  std::vector<std::vector<double>> x(features, std::vector<double>(n));
  std::vector<double> y(n);
  for (std::size_t i = 0; i < n; ++i) {
    double f = 0;
    for (std::size_t j = 0; j < features; ++j) {
      x[j][i] = rng.uniform() * 2 - 1;
      if (j < 5) f += (j % 2 ? -1.0 : 1.0) * x[j][i] * (1 + static_cast<double>(j));
    }
    y[i] = f + rng.uniform() * 4 - 2 > 0 ? 1 : 0;
  }
  std::vector<std::string> names;
  for (std::size_t j = 0; j < features; ++j) {
    names.emplace_back("x");  // two steps: g++ 12 misreports "x" + to_string() (-Wrestrict, GCC bug 105651)
    names.back() += std::to_string(j);
    X.add_owned({.name = names.back()}, std::move(x[j]));
  }
  X.set_rows(n);
  const std::vector<int> labels(y.begin(), y.end());
  const shipml::EstimatorInfo& info = shipml::find_estimator("hist_gbdt");
  const shipml::Params params = shipml::Params::validate("hist_gbdt", info.params, given);

  double auc_one = -1;
  for (int ranks : rank_counts) {
    std::unique_ptr<shipml::Estimator> first;
    const auto start = std::chrono::steady_clock::now();
    shipml::run_as_ranks(ranks, [&](shipml::Communicator& comm) {
      const auto r = static_cast<std::size_t>(comm.rank()), size = static_cast<std::size_t>(ranks);
      Share share(X, n * r / size, n * (r + 1) / size);
      auto e = info.create(params, shipml::Task::classification);
      e->fit_partitioned(share, std::span<const double>(y).subspan(n * r / size, share.rows()), 2, {}, comm);
      if (r == 0) first = std::move(e);
    });
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double auc = shipml::roc_auc_score(labels, first->predict_proba(X));
    if (ranks == 1) auc_one = auc;
    nlohmann::json out = {{"rows", n}, {"features", features}, {"ranks", ranks}, {"fit_s", seconds}, {"auc", auc}};
    if (auc_one >= 0) out["auc_minus_one_rank"] = auc - auc_one;
    const nlohmann::json inspected = first->inspect(names, {});
    if (inspected.contains("data_parallel")) out["data_parallel"] = inspected["data_parallel"];
    std::cout << out.dump() << std::endl;
  }
  return 0;
}
