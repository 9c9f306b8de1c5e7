// Data-parallel random_forest / extra_trees against one process: trains on the
// rows of one CSV split in order over 1, 2 and 3 ranks (threads standing in for
// mpirun's processes: run_as_ranks), holding out every fifth row, and prints one
// JSON line per rank count: the held-out ROC AUC (macro one-vs-rest for more
// than two classes) or R², fit seconds, whether every rank saved the same
// forest, and whether one rank's forest is fit()'s.
//
//   bench_forest_ranks DATA.csv TARGET [ESTIMATOR] [name=value ...]
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "shipml/core/thread_ranks.hpp"
#include "shipml/model/encoder.hpp"
#include "shipml/shipml.hpp"

namespace {

using namespace shipml;

FeatureMatrix take(const FeatureMatrix& X, const std::vector<std::size_t>& rows) {
  FeatureMatrix out;
  for (std::size_t j = 0; j < X.cols(); ++j) {
    std::vector<double> column(rows.size());
    for (std::size_t k = 0; k < rows.size(); ++k) column[k] = X(rows[k], j);
    out.add_owned(X.info(j), std::move(column));
  }
  out.set_rows(rows.size());
  return out;
}

std::string saved(const Estimator& e) {
  BinaryWriter out;
  e.save(out);
  return out.data();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: bench_forest_ranks DATA.csv TARGET [ESTIMATOR] [name=value ...]\n";
    return 2;
  }
  const std::string name = argc > 3 ? argv[3] : "random_forest";
  std::map<std::string, std::string> settings;
  for (int i = 4; i < argc; ++i) settings.insert(parse_assignment(argv[i]));
  const Dataset data = read_dataset(argv[1], argv[2]);
  const Frame features = data.features();
  const Task task = infer_task(data.labels());
  FeatureEncoder encoder(InputEncoding::ordinal);
  encoder.fit(features);
  const FeatureMatrix all = encoder.transform(features);
  int classes = 0;
  std::vector<double> y;
  if (task == Task::classification) {
    const auto labels = class_labels(data.labels());
    classes = static_cast<int>(labels.size());
    for (int c : class_indices(data.labels(), labels)) y.push_back(c);
  } else {
    y = target_values(data.labels());
  }
  std::vector<std::size_t> train_rows, test_rows;
  for (std::size_t i = 0; i < all.rows(); ++i) (i % 5 == 4 ? test_rows : train_rows).push_back(i);
  const FeatureMatrix train = take(all, train_rows), test = take(all, test_rows);
  std::vector<double> train_y, test_y;
  for (auto i : train_rows) train_y.push_back(y[i]);
  for (auto i : test_rows) test_y.push_back(y[i]);

  const EstimatorInfo& info = find_estimator(name);
  const Params params = Params::validate(name, info.params, settings);
  auto plain = info.create(params, task);
  plain->fit(train, train_y, classes, {});
  const std::string plain_bytes = saved(*plain);

  for (int ranks : {1, 2, 3}) {
    std::vector<std::string> forests(static_cast<std::size_t>(ranks));
    const auto start = std::chrono::steady_clock::now();
    run_as_ranks(ranks, [&](Communicator& comm) {
      const std::size_t n = train.rows(), r = static_cast<std::size_t>(comm.rank());
      const std::size_t begin = n * r / static_cast<std::size_t>(ranks),
                        end = n * (r + 1) / static_cast<std::size_t>(ranks);
      std::vector<std::size_t> mine;
      for (std::size_t i = begin; i < end; ++i) mine.push_back(i);
      const FeatureMatrix shard = take(train, mine);
      WholeMatrix chunks(shard);
      auto learner = info.create(params, task);
      learner->fit_partitioned(chunks, std::span<const double>(train_y).subspan(begin, end - begin), classes, {}, comm);
      forests[r] = saved(*learner);
    });
    const double fit_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    auto learner = info.create(params, task);
    BinaryReader in(forests[0]);
    learner->load(in);
    double score;
    if (classes) {
      const std::vector<int> labels(test_y.begin(), test_y.end());
      score = roc_auc_score(labels, learner->predict_proba(test));
    } else {
      score = r2_score(test_y, learner->predict(test));
    }
    bool same = true;
    for (const auto& f : forests) same = same && f == forests[0];
    std::cout << nlohmann::json{{"data", argv[1]},
                                {"estimator", name},
                                {"train_rows", train.rows()},
                                {"ranks", ranks},
                                {classes ? "roc_auc" : "r2", score},
                                {"fit_s", fit_s},
                                {"same_on_every_rank", same},
                                {"equals_fit", forests[0] == plain_bytes}}
                     .dump()
              << std::endl;
  }
  return 0;
}
