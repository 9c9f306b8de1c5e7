// Conversions between Python and the library: JSON-shaped values, NumPy arrays
// and the frames the library reads, and the long-work runner.
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "bindings.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/interrupt.hpp"
#include "shipml/core/progress.hpp"
#include "shipml/io/csv.hpp"
#include "shipml/io/file.hpp"
#include "shipml/sources/open.hpp"

namespace shipml::python {

py::object to_python(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null: return py::none();
    case nlohmann::json::value_t::boolean: return py::bool_(j.get<bool>());
    case nlohmann::json::value_t::number_integer: return py::int_(j.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned: return py::int_(j.get<std::uint64_t>());
    case nlohmann::json::value_t::number_float: return py::float_(j.get<double>());
    case nlohmann::json::value_t::string: return py::str(j.get_ref<const std::string&>());
    case nlohmann::json::value_t::array: {
      py::list out;
      for (const auto& v : j) out.append(to_python(v));
      return out;
    }
    case nlohmann::json::value_t::object: {
      py::dict out;
      for (const auto& [k, v] : j.items()) out[py::str(k)] = to_python(v);
      return out;
    }
    default: return py::none();
  }
}

nlohmann::json to_json(py::handle o) {
  if (o.is_none()) return nullptr;
  if (py::isinstance<py::bool_>(o)) return o.cast<bool>();
  if (py::isinstance<py::int_>(o)) return o.cast<std::int64_t>();
  if (py::isinstance<py::float_>(o)) return o.cast<double>();
  if (py::isinstance<py::str>(o)) return o.cast<std::string>();
  if (py::isinstance<py::dict>(o)) {
    nlohmann::json out = nlohmann::json::object();
    for (auto [k, v] : o.cast<py::dict>()) out[py::str(k).cast<std::string>()] = to_json(v);
    return out;
  }
  if (py::isinstance<py::list>(o) || py::isinstance<py::tuple>(o)) {
    nlohmann::json out = nlohmann::json::array();
    for (auto v : o) out.push_back(to_json(v));
    return out;
  }
  throw UsageError("cannot store a " + py::str(py::type::handle_of(o).attr("__name__")).cast<std::string>() +
                   " as JSON (use str, int, float, bool, None, lists and dicts)");
}

std::shared_ptr<const void> keep_alive(py::object o) {
  PyObject* raw = o.release().ptr();
  return std::shared_ptr<const void>(raw, [](const void* p) {
    if (_Py_IsFinalizing()) return;  // the interpreter is going away, and the array with it
    const PyGILState_STATE gil = PyGILState_Ensure();
    Py_DECREF(static_cast<PyObject*>(const_cast<void*>(p)));
    PyGILState_Release(gil);
  });
}

py::array_t<double> to_array(std::vector<double>&& values) {
  auto* owned = new std::vector<double>(std::move(values));
  py::capsule free_it(owned, [](void* p) { delete static_cast<std::vector<double>*>(p); });
  return py::array_t<double>(static_cast<py::ssize_t>(owned->size()), owned->data(), free_it);
}

py::array_t<double> to_array(Matrix&& values) {
  auto* owned = new Matrix(std::move(values));
  py::capsule free_it(owned, [](void* q) { delete static_cast<Matrix*>(q); });
  // Eigen is column-major: a (rows, cols) array in Fortran order, not copied.
  return py::array_t<double>(
      {owned->rows(), owned->cols()},
      {static_cast<py::ssize_t>(sizeof(double)), static_cast<py::ssize_t>(sizeof(double) * owned->rows())},
      owned->data(), free_it);
}

SplitRoles split_roles(const py::dict& o) {
  auto role = [&](const char* key) {
    return o.contains(key) && !o[key].is_none() ? o[key].cast<std::string>() : std::string();
  };
  return {role("group"), role("time"), role("fold_column"), role("weight")};
}

Dataset make_dataset(const Frame& frame, const std::string& target, const std::string& source,
                     const SplitRoles& roles) {
  frame.column(target);  // a DataError naming the columns when it is not there
  Dataset d{frame, target, source};
  d.group = roles.group;
  d.time = roles.time;
  d.fold = roles.fold;
  d.weight = roles.weight;
  d.check_roles();
  return d;
}

Dataset make_dataset(const Frame& frame, const std::string& target, const std::string& source, const py::dict& roles) {
  return make_dataset(frame, target, source, split_roles(roles));
}

Validation make_validation(const py::dict& o) {
  Validation v;
  if (o.contains("test_size") && !o["test_size"].is_none()) v.test_size = o["test_size"].cast<double>();
  if (o.contains("cv") && !o["cv"].is_none()) v.folds = o["cv"].cast<int>();
  if (o.contains("seed") && !o["seed"].is_none()) v.seed = o["seed"].cast<std::uint64_t>();
  if (o.contains("task") && !o["task"].is_none()) v.task = parse_task(o["task"].cast<std::string>());
  if (o.contains("threads") && !o["threads"].is_none()) v.threads = o["threads"].cast<int>();
  if (o.contains("cv_repeats") && !o["cv_repeats"].is_none()) v.repeats = o["cv_repeats"].cast<int>();
  if (o.contains("gap") && !o["gap"].is_none()) v.gap = TimeGap::parse(py::str(o["gap"]).cast<std::string>());
  if (!(v.test_size > 0 && v.test_size < 1))
    throw UsageError("test_size must be between 0 and 1, not " + format_number(v.test_size));
  if (v.folds == 1 || v.folds < 0) throw UsageError("cv must be at least 2 folds (or None for a hold-out split)");
  return v;
}

namespace {

// Set from Python, read under the GIL; never freed, so nothing touches Python at exit.
py::object& progress_hook = *new py::object(py::none());

// A column of numbers: viewed in place when the array is float64 and
// contiguous, copied (and converted) otherwise.
Column numeric_column(std::string name, const py::array& array) {
  if (array.ndim() != 1) throw DataError("column '" + name + "' must be one-dimensional");
  if (array.dtype().is(py::dtype::of<double>()) && (array.strides(0) == sizeof(double) || array.size() <= 1)) {
    const auto* data = static_cast<const double*>(array.data());
    return Column::numeric_view(std::move(name), {data, static_cast<std::size_t>(array.size())}, keep_alive(array));
  }
  const auto converted = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(array);
  if (!converted) throw DataError("column '" + name + "' cannot be read as numbers");
  return Column::numeric(std::move(name), {converted.data(), converted.data() + converted.size()});
}

// A column the Python side prepared: ("numeric", name, array) or
// ("categorical", name, int64 codes, dictionary of texts).
Column prepared_column(const py::tuple& spec) {
  const auto kind = spec[0].cast<std::string>();
  auto name = spec[1].cast<std::string>();
  if (kind == "numeric") return numeric_column(std::move(name), spec[2].cast<py::array>());
  if (kind != "categorical") throw UsageError("unknown column kind '" + kind + "'");
  const auto codes = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(spec[2]);
  if (!codes || codes.ndim() != 1) throw DataError("column '" + name + "': codes must be a 1-D array of integers");
  const auto dictionary = spec[3].cast<std::vector<std::string>>();
  return Column::from_dictionary(std::move(name), {codes.data(), static_cast<std::size_t>(codes.size())}, dictionary);
}

// A frame's columns for Python: ("numeric", name, float64 array) or
// ("categorical", name, int32 codes, categories).
py::list frame_columns(const Frame& frame) {
  py::list out;
  for (const Column& c : frame.columns()) {
    if (c.is_numeric()) {
      const auto values = c.values();
      out.append(py::make_tuple("numeric", c.name(),
                                py::array_t<double>(static_cast<py::ssize_t>(values.size()), values.data())));
    } else {
      const auto codes = c.codes();
      out.append(py::make_tuple("categorical", c.name(),
                                py::array_t<std::int32_t>(static_cast<py::ssize_t>(codes.size()), codes.data()),
                                c.categories()));
    }
  }
  return out;
}

void draw_progress(const ProgressState& state) {
  if (!progress_hook.is_none()) progress_hook(state.label, state.done, state.total, state.elapsed_seconds, state.note);
}

// The work ended: "finished", "interrupted" or "failed".
void end_progress(const char* how) {
  if (!progress_hook.is_none()) progress_hook(py::none(), 0, 0, 0.0, how);
}

}  // namespace

Frame matrix_frame(const py::array& array, const std::vector<std::string>& names) {
  if (array.ndim() != 2)
    throw DataError("expected a 2-D array of features, got " + std::to_string(array.ndim()) + " dimensions");
  const auto rows = static_cast<std::size_t>(array.shape(0)), cols = static_cast<std::size_t>(array.shape(1));
  if (names.size() != cols)
    throw DataError("the array has " + std::to_string(cols) + " columns but " + std::to_string(names.size()) +
                    " names");
  std::vector<Column> columns;
  columns.reserve(cols);
  if (array.dtype().is(py::dtype::of<double>()) && (array.strides(0) == sizeof(double) || rows <= 1) &&
      (array.strides(1) == static_cast<py::ssize_t>(rows * sizeof(double)) || cols <= 1)) {
    const auto owner = keep_alive(array);
    const auto* data = static_cast<const double*>(array.data());
    for (std::size_t j = 0; j < cols; ++j)
      columns.push_back(Column::numeric_view(names[j], {data + j * rows, rows}, owner));
    return Frame(std::move(columns));
  }
  if (array.dtype().kind() != 'f' && array.dtype().kind() != 'i' && array.dtype().kind() != 'u' &&
      array.dtype().kind() != 'b')
    throw DataError("expected an array of numbers, got dtype " + py::str(array.dtype()).cast<std::string>());
  auto copy = std::make_shared<std::vector<double>>(rows * cols);
  {
    const auto converted = py::array_t<double, py::array::forcecast>::ensure(array);
    const auto view = converted.unchecked<2>();
    for (std::size_t i = 0; i < rows; ++i)
      for (std::size_t j = 0; j < cols; ++j)
        (*copy)[j * rows + i] = view(static_cast<py::ssize_t>(i), static_cast<py::ssize_t>(j));
  }
  for (std::size_t j = 0; j < cols; ++j)
    columns.push_back(Column::numeric_view(names[j], {copy->data() + j * rows, rows}, copy));
  return Frame(std::move(columns));
}

void run_long_work(const std::function<void()>& work) {
  StopSource stop;  // this work's own: Ctrl-C here stops nothing another thread runs
  std::exception_ptr error;
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false;
  PyObject *interrupt_type = nullptr, *interrupt_value = nullptr, *interrupt_trace = nullptr;
  bool drew = false;

  // Joins the worker however this frame is left, also when Python ends this
  // (daemon) thread at exit while it waits for the GIL: the work is asked to
  // stop, and nothing here touches Python.
  struct Joined {
    StopSource& stop;
    std::thread thread;
    ~Joined() {
      if (!thread.joinable()) return;
      stop.request();
      thread.join();
    }
  } worker{stop, {}};

  PyThreadState* state = PyEval_SaveThread();
  worker.thread = std::thread([&] {
    try {
      const StopScope scope(stop);
      work();
    } catch (...) {
      error = std::current_exception();
    }
    std::lock_guard lock(mutex);
    done = true;
    finished.notify_all();
  });
  for (;;) {
    {
      std::unique_lock lock(mutex);
      if (finished.wait_for(lock, std::chrono::milliseconds(100), [&] { return done; })) break;
    }
    PyEval_RestoreThread(state);
    if (!interrupt_type && PyErr_CheckSignals() != 0) {
      PyErr_Fetch(&interrupt_type, &interrupt_value, &interrupt_trace);  // KeyboardInterrupt, or a handler's error
      stop.request();
    }
    if (!interrupt_type) {
      if (const auto progress = current_progress(stop)) {
        try {
          draw_progress(*progress);
          drew = true;
        } catch (py::error_already_set&) {
          progress_hook = py::none();  // a broken hook draws nothing more; the work goes on
        }
      }
    }
    state = PyEval_SaveThread();
  }
  worker.thread.join();
  PyEval_RestoreThread(state);
  if (drew) end_progress(interrupt_type ? "interrupted" : error ? "failed" : "finished");
  if (interrupt_type) {
    PyErr_Restore(interrupt_type, interrupt_value, interrupt_trace);
    throw py::error_already_set();
  }
  if (error) std::rethrow_exception(error);
}

void bind_data(py::module_& m) {
  set_progress_display(ProgressDisplay::observed);
  m.def(
      "set_progress_hook", [](py::object hook) { progress_hook = std::move(hook); },
      "hook(label, done, total, elapsed_seconds, note) while long work runs, then hook(None, 0, 0, 0.0, how) with "
      "how = finished, interrupted or failed; None: no progress");

  py::class_<Frame>(m, "Frame", "A table of named numeric and categorical columns, as the library reads it")
      .def_property_readonly("rows", &Frame::rows)
      .def_property_readonly("cols", &Frame::cols)
      .def_property_readonly("names", &Frame::names)
      .def("columns", &frame_columns)
      .def("__repr__", [](const Frame& f) {
        return "<shipml frame: " + std::to_string(f.rows()) + " rows x " + std::to_string(f.cols()) + " columns>";
      });
  m.def("frame_from_columns", [](const py::list& specs) {
    std::vector<Column> columns;
    columns.reserve(specs.size());
    for (auto spec : specs) columns.push_back(prepared_column(spec.cast<py::tuple>()));
    return Frame(std::move(columns));
  });
  m.def("frame_from_matrix", &matrix_frame, py::arg("array"), py::arg("names"));
  m.def(
      "read_csv",
      [](const std::string& path, std::vector<std::string> categorical, std::vector<std::string> numeric,
         std::vector<std::string> missing, const std::string& table, const std::string& query) {
        SourceSpec spec{path, table, query, {}};
        spec.read.categorical = std::move(categorical);
        spec.read.numeric = std::move(numeric);
        spec.read.missing_values.insert(spec.read.missing_values.end(), missing.begin(), missing.end());
        return without_gil([&] { return open_source(spec)->read_all(); });
      },
      py::arg("path"), py::arg("categorical") = std::vector<std::string>{},
      py::arg("numeric") = std::vector<std::string>{}, py::arg("missing") = std::vector<std::string>{},
      py::arg("table") = "", py::arg("query") = "",
      "every row of a file (CSV, plain or compressed; JSON lines) or a database table or query");
  m.def(
      "write_file_atomic",
      [](const std::string& path, const py::bytes& contents) {
        const std::string data = contents;  // copied while the GIL is held
        without_gil([&] { write_file_atomic(path, data); });
      },
      py::arg("path"), py::arg("contents"),
      "the file written as the command line writes its outputs: to a temporary name beside it, then renamed, "
      "with the same permissions");
  m.def("missing_tokens", [] { return CsvOptions{}.missing_values; });
  m.def(
      "parse_numbers",
      [](const std::vector<std::string>& cells) -> std::optional<std::vector<double>> {
        std::vector<double> out;
        out.reserve(cells.size());
        for (const auto& cell : cells) {
          const auto value = parse_number(cell);
          if (!value) return std::nullopt;
          out.push_back(*value);
        }
        return out;
      },
      "each text as the CSV reader reads a number, or None when one of them is not a number");
  m.def("format_number", &format_number, "the shortest text that reads back as the number, as class names are written");
  m.def("with_column", [](const Frame& frame, const Frame& column, const std::string& name) {
    if (column.cols() != 1) throw DataError("the target must be one column");
    Frame out = frame;
    out.add(column[0].renamed(name));
    return out;
  });
}

}  // namespace shipml::python
