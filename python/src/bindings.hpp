#pragma once
// The Python module's shared pieces. The module is thin: each bind_* part
// exposes library functions as they are; conversions to and from pandas, the
// names users see and scikit-learn's conventions live in the Python package.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <type_traits>

#include "shipml/core/frame.hpp"
#include "shipml/data/dataset.hpp"
#include "shipml/model/model.hpp"
#include "shipml/model/scoring.hpp"

namespace py = pybind11;

namespace shipml::python {

void bind_errors(py::module_& m);
void bind_data(py::module_& m);
void bind_model(py::module_& m);
void bind_experiment(py::module_& m);
void bind_records(py::module_& m);
void bind_batch(py::module_& m);

/// A Model as Python holds it. A fit fits a copy and swaps it in when it
/// succeeds, so predictions running on other threads meanwhile finish with the
/// model they started with, and a fit that fails or is stopped changes nothing.
class PyModel {
 public:
  explicit PyModel(Model model) : model_(std::make_shared<const Model>(std::move(model))) {}
  std::shared_ptr<const Model> get() const {
    std::lock_guard lock(mutex_);
    return model_;
  }
  void set(Model model) {
    auto next = std::make_shared<const Model>(std::move(model));
    std::lock_guard lock(mutex_);
    model_.swap(next);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Model> model_;
};

/// Model.raw_output and Model.contributions, on the class bind_model makes.
void bind_explain(py::class_<PyModel>& model);

/// JSON values as Python objects (dicts, lists, str, int, float, bool, None) and back.
py::object to_python(const nlohmann::json& j);
nlohmann::json to_json(py::handle o);

/// A Python object kept alive by C++ (a NumPy array a column views): the
/// reference is dropped with the GIL held, from whichever thread lets go last.
std::shared_ptr<const void> keep_alive(py::object o);

/// The columns of a 2-D array of numbers, named `names`: views when the array
/// is float64 and column-major, else one converted copy the columns share.
Frame matrix_frame(const py::array& array, const std::vector<std::string>& names);

/// A vector handed to NumPy without a copy: the array owns it.
py::array_t<double> to_array(std::vector<double>&& values);
/// A matrix handed to NumPy without a copy, as a (rows, cols) array in Fortran order.
py::array_t<double> to_array(Matrix&& values);

/// The data a Python call names: features plus the target column.
Dataset make_dataset(const Frame& frame, const std::string& target, const std::string& source,
                     const py::dict& roles = py::dict());

/// The role columns of a call's keyword arguments (group, time, fold_column,
/// weight), read while the GIL is held.
struct SplitRoles {
  std::string group, time, fold;
  std::string weight;  ///< row weights of fits and metrics, not of the split
};
SplitRoles split_roles(const py::dict& o);
/// The same data, from roles already read: safe without the GIL (run_long).
Dataset make_dataset(const Frame& frame, const std::string& target, const std::string& source, const SplitRoles& roles);

/// Validation settings from keyword arguments (test_size, cv, seed, task, threads).
Validation make_validation(const py::dict& options);

/// Runs `work` with the GIL released and takes it back in the code's normal
/// flow, never in a destructor: at interpreter exit Python ends a daemon
/// thread that asks for the GIL (pthread_exit), and that unwind must not meet
/// a destructor that asks again.
template <typename Work>
auto without_gil(Work&& work) {
  using Value = std::invoke_result_t<Work>;
  std::exception_ptr error;
  PyThreadState* state = PyEval_SaveThread();
  if constexpr (std::is_void_v<Value>) {
    try {
      work();
    } catch (...) {
      error = std::current_exception();
    }
    PyEval_RestoreThread(state);
    if (error) std::rethrow_exception(error);
  } else {
    std::optional<Value> result;
    try {
      result.emplace(work());
    } catch (...) {
      error = std::current_exception();
    }
    PyEval_RestoreThread(state);
    if (error) std::rethrow_exception(error);
    return std::move(*result);
  }
}

/// Runs long work (fit, score, search) on a thread of its own with the GIL
/// released, while the calling thread checks for Ctrl-C every 100 ms and hands
/// the work's progress to the hook Python set. Ctrl-C stops this work only
/// (its own stop source), between rounds, trees, iterations and folds, then
/// raises KeyboardInterrupt.
void run_long_work(const std::function<void()>& work);

template <typename Work>
auto run_long(Work&& work) {
  using Value = std::invoke_result_t<Work>;
  if constexpr (std::is_void_v<Value>) {
    run_long_work(work);
  } else {
    std::optional<Value> result;
    run_long_work([&] { result.emplace(work()); });
    return std::move(*result);
  }
}

}  // namespace shipml::python
