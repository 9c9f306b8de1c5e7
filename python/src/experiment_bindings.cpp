// Scoring, comparing, searching and selecting: the library's functions with
// their results as objects that print (table) and convert (json).
#include "bindings.hpp"
#include "shipml/core/error.hpp"
#include "shipml/experiment/compare.hpp"
#include "shipml/experiment/curves.hpp"
#include "shipml/experiment/experiment_file.hpp"
#include "shipml/experiment/permutation.hpp"
#include "shipml/experiment/search.hpp"
#include "shipml/experiment/selection.hpp"
#include "shipml/track/recorded.hpp"

namespace shipml::python {
namespace {

std::optional<Task> task_of(const py::dict& o) {
  if (!o.contains("task") || o["task"].is_none()) return std::nullopt;
  return parse_task(o["task"].cast<std::string>());
}

// A result's refit model, handed over to Python (None when there is none).
std::unique_ptr<PyModel> take(std::optional<Model>& model) {
  if (!model) return nullptr;
  auto out = std::make_unique<PyModel>(std::move(*model));
  model.reset();
  return out;
}

template <typename T>
T get(const py::dict& o, const char* key, T fallback) {
  return o.contains(key) && !o[key].is_none() ? o[key].cast<T>() : fallback;
}

}  // namespace

void bind_experiment(py::module_& m) {
  py::class_<HeldOutPredictions>(m, "HeldOutPredictions")
      .def_property_readonly("size", &HeldOutPredictions::size)
      .def("to_csv", &HeldOutPredictions::to_csv);

  py::class_<Result>(m, "Result")
      .def("table", &Result::table)
      .def("json", [](const Result& r) { return to_python(r.to_json()); })
      .def("held_out", &Result::held_out)
      .def_readonly("run_id", &Result::run_id)
      .def_readonly("estimator", &Result::estimator)
      .def("mean", &Result::mean)
      .def("stddev", &Result::stddev);

  py::class_<Leaderboard>(m, "Leaderboard")
      .def("table", &Leaderboard::table)
      .def("json", [](const Leaderboard& b) { return to_python(b.to_json()); })
      .def_readonly("run_id", &Leaderboard::run_id)
      .def_readonly("metric", &Leaderboard::metric)
      .def_readonly("entries", &Leaderboard::entries)
      .def("take_best_model", [](Leaderboard& b) { return take(b.best_model); });

  py::class_<SearchResult>(m, "SearchResult")
      .def("table", &SearchResult::table, py::arg("top") = 20)
      .def("to_csv", &SearchResult::to_csv)
      .def("json", [](const SearchResult& r) { return to_python(r.to_json()); })
      .def_readonly("run_id", &SearchResult::run_id)
      .def_readonly("metric", &SearchResult::metric)
      .def_readonly("stopped_early", &SearchResult::stopped_early)
      .def("best_params",
           [](const SearchResult& r) -> std::optional<std::map<std::string, std::string>> {
             if (!r.best) return std::nullopt;
             return r.candidates[*r.best].params;
           })
      .def("best_result",
           [](const SearchResult& r) -> std::optional<Result> {
             if (!r.best) return std::nullopt;
             return r.candidates[*r.best].result;
           })
      .def("take_best_model", [](SearchResult& r) { return take(r.best_model); });

  py::class_<FeatureSelection>(m, "FeatureSelection")
      .def("table", &FeatureSelection::table)
      .def("to_csv", &FeatureSelection::to_csv)
      .def("json", [](const FeatureSelection& s) { return to_python(s.to_json()); })
      .def("selected", &FeatureSelection::selected);

  py::class_<PermutationImportance>(m, "PermutationImportance")
      .def("table", &PermutationImportance::table)
      .def("to_csv", &PermutationImportance::to_csv)
      .def("json", [](const PermutationImportance& p) { return to_python(p.to_json()); });

  m.def("folds", [](const Frame& frame, const std::string& target, const py::dict& validation) {
    const ScoringPlan plan =
        ScoringPlan::make(make_dataset(frame, target, "", validation), make_validation(validation));
    py::list out;
    for (const Fold& f : plan.folds) {
      auto indices = [](const std::vector<std::size_t>& rows) {
        py::array_t<std::int64_t> a(static_cast<py::ssize_t>(rows.size()));
        std::copy(rows.begin(), rows.end(), a.mutable_data());
        return a;
      };
      out.append(py::make_tuple(indices(f.train), indices(f.test)));
    }
    return out;
  });

  m.def("score", [](const PyModel& model, const Frame& frame, const std::string& target, const std::string& source,
                    const py::dict& validation, const std::vector<std::string>& metrics) {
    const Dataset data = make_dataset(frame, target, source, validation);
    const Validation v = make_validation(validation);
    const auto prototype = model.get();
    return run_long([&] { return score_recorded(*prototype, data, v, metrics); });
  });

  m.def("compare", [](const std::vector<const PyModel*>& models, const Frame& frame, const std::string& target,
                      const std::string& source, const py::dict& validation, const std::vector<std::string>& metrics,
                      const std::string& sort, bool refit) {
    const Dataset data = make_dataset(frame, target, source, validation);
    Validation v = make_validation(validation);
    if (!validation.contains("cv") || validation["cv"].is_none()) v.folds = 5;
    std::vector<Model> copies;
    for (const PyModel* model : models) copies.push_back(model->get()->clone());
    if (copies.empty()) copies = baseline_models(v.task ? *v.task : infer_task(data.labels()));
    return run_long([&] { return compare(copies, data, v, metrics, sort, refit); });
  });

  m.def("search", [](const PyModel& model, const Frame& frame, const std::string& target, const std::string& source,
                     const std::vector<std::pair<std::string, std::vector<std::string>>>& grid,
                     const std::vector<std::pair<std::string, std::string>>& distributions, const py::dict& o) {
    const Dataset data = make_dataset(frame, target, source, o);
    SearchSpace space;
    space.grid = grid;
    for (const auto& [name, spec] : distributions) space.distributions.emplace_back(name, Distribution::parse(spec));
    space.random_candidates = get<std::size_t>(o, "random", 0);
    if (!space.distributions.empty() && space.random_candidates == 0)
      throw UsageError("distributions are drawn from only in a random search: give n_random=N");
    if (space.grid.empty() && space.distributions.empty())
      throw UsageError("nothing to search: give a grid or distributions");
    SearchOptions options;
    options.validation = make_validation(o);
    if (!o.contains("cv") || o["cv"].is_none()) options.validation.folds = 5;
    options.metrics = get<std::vector<std::string>>(o, "metrics", {});
    options.metric = get<std::string>(o, "sort", "");
    options.seed = get<std::uint64_t>(o, "search_seed", 0);
    options.time_budget_seconds = get<double>(o, "time_budget", 0);
    options.max_candidates = get<std::size_t>(o, "max_candidates", 0);
    options.halving = get<bool>(o, "halving", false);
    options.halving_resource = get<std::string>(o, "halving_resource", "rows");
    options.refit = get<bool>(o, "refit", true);
    const auto prototype = model.get();
    return run_long([&] { return search(*prototype, data, space, options); });
  });

  m.def(
      "select",
      [](const std::string& method, const PyModel* py_model, const Frame& frame, const std::string& target,
         const std::string& source, const py::dict& o) -> py::object {
        const Dataset data = make_dataset(frame, target, source, o);
        const std::shared_ptr<const Model> model = py_model ? py_model->get() : nullptr;
        if (method != "kbest" && !model) throw UsageError("method='" + method + "' needs an estimator");
        if (method == "kbest" && model)
          throw UsageError("method='kbest' tests each column alone; it takes no estimator");
        const std::uint64_t seed = get<std::uint64_t>(o, "seed", 42);
        const int folds = get<int>(o, "cv", 5), threads = get<int>(o, "threads", 0);
        const std::string metric = get<std::string>(o, "metric", "");
        Validation v = make_validation(o);
        v.folds = folds;
        if (method == "permutation") {
          const HeldOutPermutation options{.test_size = get<double>(o, "test_size", 0.25),
                                           .seed = seed,
                                           .task = task_of(o),
                                           .metric = metric,
                                           .repeats = get<int>(o, "n_repeats", 5),
                                           .threads = threads,
                                           .gap = v.gap};
          return py::cast(run_long([&] { return permutation_importance(*model, data, options); }));
        }
        if (method == "kbest") {
          const KBestOptions options{.test = parse_univariate_test(get<std::string>(o, "test", "f_test")),
                                     .k = get<std::size_t>(o, "k", 10),
                                     .percentile = get<double>(o, "percentile", 0),
                                     .task = task_of(o),
                                     .seed = seed};
          return py::cast(run_long([&] { return select_k_best(data, options); }));
        }
        if (method == "rfe" || method == "rfecv") {
          const EliminationOptions options{.n_features = get<std::size_t>(o, "n_features", 0),
                                           .step = get<std::size_t>(o, "step", 1),
                                           .cross_validate = method == "rfecv",
                                           .min_features = get<std::size_t>(o, "min_features", 1),
                                           .validation = v,
                                           .metric = metric};
          return py::cast(run_long([&] { return recursive_elimination(*model, data, options); }));
        }
        if (method == "sequential") {
          const std::string direction = get<std::string>(o, "direction", "forward");
          if (direction != "forward" && direction != "backward")
            throw UsageError("direction must be forward or backward, not '" + direction + "'");
          const SequentialOptions options{.forward = direction == "forward",
                                          .n_features = get<std::size_t>(o, "n_features", 0),
                                          .validation = v,
                                          .metric = metric};
          return py::cast(run_long([&] { return sequential_selection(*model, data, options); }));
        }
        throw UsageError("unknown selection method '" + method +
                         "' (methods: permutation, rfe, rfecv, kbest, sequential)");
      },
      py::arg("method"), py::arg("model").none(true), py::arg("frame"), py::arg("target"), py::arg("source"),
      py::arg("options"));

  m.def(
      "run_experiment",
      [](const std::string& path, const std::string& out) {
        ExperimentSpec spec = ExperimentSpec::read(path);
        if (!out.empty()) spec.out = out;
        const ExperimentOutcome outcome = run_long([&] { return run_experiment(spec); });
        py::dict d;
        d["report"] = outcome.report;
        d["files"] = outcome.files;
        d["run_ids"] = outcome.run_ids;
        d["out"] = spec.out;
        return d;
      },
      py::arg("path"), py::arg("out") = "");
}

}  // namespace shipml::python
