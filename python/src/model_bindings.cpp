// Model: construct, fit, predict, save, load and inspect, plus what can be
// constructed (estimators, transformers, metrics with their declared parameters).
#include "bindings.hpp"
#include "shipml/core/error.hpp"
#include "shipml/io/file.hpp"
#include "shipml/metrics/metrics.hpp"
#include "shipml/model/model.hpp"
#include "shipml/model/model_file.hpp"
#include "shipml/model/model_spec.hpp"
#include "shipml/track/recorded.hpp"
#include "shipml/track/registry.hpp"

namespace shipml::python {
namespace {

const char* type_name(ParamType t) {
  switch (t) {
    case ParamType::integer: return "integer";
    case ParamType::real: return "real";
    case ParamType::boolean: return "boolean";
    case ParamType::choice: return "choice";
    case ParamType::text: return "text";
  }
  return "text";
}

// A declared parameter as Python sees it: what the sklearn classes, their
// docstrings and type stubs are generated from.
py::dict param_spec(const ParamSpec& p) {
  py::dict d;
  d["name"] = p.name;
  d["type"] = type_name(p.type);
  d["default"] = p.default_value;
  d["doc"] = p.doc;
  d["allowed"] = p.allowed();
  d["choices"] = p.choices;
  return d;
}

py::list param_specs(const std::vector<ParamSpec>& specs) {
  py::list out;
  for (const auto& p : specs) out.append(param_spec(p));
  return out;
}

// Steps from Python: {"transformer", "name", "columns", "params"} dicts.
std::vector<StepSpec> step_specs(const py::list& steps) {
  std::vector<StepSpec> out;
  for (auto item : steps) {
    const auto d = item.cast<py::dict>();
    StepSpec s;
    s.transformer = d["transformer"].cast<std::string>();
    if (d.contains("name") && !d["name"].is_none()) s.name = d["name"].cast<std::string>();
    if (d.contains("columns") && !d["columns"].is_none()) s.columns = d["columns"].cast<std::vector<std::string>>();
    if (d.contains("params")) s.params = d["params"].cast<std::map<std::string, std::string>>();
    out.push_back(std::move(s));
  }
  return out;
}

py::list steps_of(const Model& m) {
  py::list out;
  for (const auto& s : m.pipeline().specs()) {
    py::dict d;
    d["transformer"] = s.transformer;
    d["name"] = s.name;
    d["columns"] = s.columns;
    d["params"] = s.params;
    out.append(d);
  }
  return out;
}

py::list schema_of(const Model& m) {
  py::list out;
  for (const auto& f : m.schema().fields()) {
    py::dict d;
    d["name"] = f.name;
    d["type"] = std::string(to_string(f.type));
    if (f.categories) d["categories"] = *f.categories;
    out.append(d);
  }
  return out;
}

// (values, probabilities or None): class indices or numbers, as arrays that own their memory.
py::tuple predictions(const Model& model, const Frame& features, bool proba) {
  Predictions p = without_gil([&] { return model.predict(features); });
  py::object probabilities = py::none();
  if (proba && p.task == Task::classification) probabilities = to_array(std::move(p.proba));
  return py::make_tuple(to_array(std::move(p.values)), probabilities);
}

// What `shipml inspect --json` prints: the file's header plus what was learned.
py::object inspect_model(const Model& model, const std::string& bytes, const std::string& name) {
  nlohmann::json header = read_model_header(bytes, name);
  header["learned"] = model.inspect();
  return to_python(header);
}

}  // namespace

void bind_model(py::module_& m) {
  m.def("estimators", [] {
    py::list out;
    for (const auto& e : estimators()) {
      py::dict d;
      d["name"] = e.name;
      d["summary"] = e.summary;
      std::vector<std::string> tasks;
      for (Task t : e.tasks) tasks.emplace_back(to_string(t));
      d["tasks"] = tasks;
      d["params"] = param_specs(e.params);
      out.append(d);
    }
    return out;
  });
  m.def("transformers", [] {
    py::list out;
    const char* kinds[] = {"numeric", "categorical", "any"};
    for (const auto& t : transformers()) {
      py::dict d;
      d["name"] = t.name;
      d["summary"] = t.summary;
      d["applies_to"] = kinds[static_cast<int>(t.applies)];
      d["params"] = param_specs(t.params);
      out.append(d);
    }
    return out;
  });
  m.def("metrics", [] {
    py::list out;
    for (const auto& x : metrics()) {
      py::dict d;
      d["name"] = x.name;
      d["task"] = std::string(to_string(x.task));
      d["greater_is_better"] = x.greater_is_better;
      d["binary_only"] = x.binary_only;
      d["doc"] = x.doc;
      out.append(d);
    }
    return out;
  });
  m.def("resolve_model_path", &resolve_model_path,
        "models:/NAME/STAGE|VERSION as the registry's file; any other text as it is");

  py::class_<PyModel> model_class(m, "Model");
  model_class
      .def(py::init([](const std::string& estimator, const std::map<std::string, std::string>& params,
                       const py::list& steps) {
             return std::make_unique<PyModel>(Model(estimator, params, step_specs(steps)));
           }),
           py::arg("estimator"), py::arg("params") = std::map<std::string, std::string>{},
           py::arg("steps") = py::list())
      .def_static(
          "from_spec",
          [](const std::string& path, const std::map<std::string, std::string>& changes) {
            return std::make_unique<PyModel>(read_model_spec(path, changes));
          },
          py::arg("path"), py::arg("changes") = std::map<std::string, std::string>{})
      .def_static("load",
                  [](const std::string& path) {
                    const std::string file = resolve_model_path(path);
                    return std::make_unique<PyModel>(without_gil([&] { return Model::load(file); }));
                  })
      .def_static("from_bytes",
                  [](const py::bytes& bytes, const std::string& name) {
                    return std::make_unique<PyModel>(decode_model(std::string_view(bytes), name));
                  })
      .def_property_readonly("estimator", [](const PyModel& self) { return self.get()->estimator(); })
      .def_property_readonly("fitted", [](const PyModel& self) { return self.get()->fitted(); })
      .def("params", [](const PyModel& self) { return self.get()->params().values(); })
      .def("all_params", [](const PyModel& self) { return self.get()->all_params(); })
      .def("steps", [](const PyModel& self) { return steps_of(*self.get()); })
      .def("clone", [](const PyModel& self) { return std::make_unique<PyModel>(self.get()->clone()); })
      .def("with_params",
           [](const PyModel& self, const std::map<std::string, std::string>& changes) {
             return std::make_unique<PyModel>(self.get()->with(changes));
           })
      .def(
          "calibrated",
          [](const PyModel& self, const std::string& method, int folds) {
            return std::make_unique<PyModel>(self.get()->calibrated({parse_calibration_method(method), folds}));
          },
          py::arg("method"), py::arg("folds") = 5)
      .def(
          "with_threshold",
          [](const PyModel& self, const std::string& threshold, int folds) {
            ThresholdSpec spec = ThresholdSpec::parse(threshold);
            spec.folds = folds;
            return std::make_unique<PyModel>(self.get()->with_threshold(spec));
          },
          py::arg("threshold"), py::arg("folds") = 5)
      .def("decision_params", [](const PyModel& self) { return self.get()->decision_params(); })
      .def_property_readonly("decision_threshold",
                             [](const PyModel& self) -> py::object {
                               const auto t = self.get()->decision_threshold();
                               return t ? py::object(py::float_(*t)) : py::none();
                             })
      .def(
          "fit_dataset",
          [](PyModel& self, const Frame& frame, const std::string& target, const std::optional<std::string>& task,
             const std::string& source, bool record, const std::optional<std::string>& weight) {
            FitOptions options;
            if (task) options.task = parse_task(*task);
            py::dict roles;
            if (weight) roles["weight"] = *weight;
            const Dataset data = make_dataset(frame, target, source, roles);
            Model fitted = self.get()->clone();
            run_long([&] {
              if (record) fit_recorded(fitted, data, options);  // as `shipml train` records it
              else fitted.fit(data, options);
            });
            self.set(std::move(fitted));
          },
          py::arg("frame"), py::arg("target"), py::arg("task") = std::nullopt, py::arg("source") = "",
          py::arg("record") = true, py::arg("weight") = std::nullopt)
      .def(
          "predict",
          [](const PyModel& self, const Frame& features, bool proba) {
            return predictions(*self.get(), features, proba);
          },
          py::arg("features"), py::arg("proba") = true)
      .def(
          "save",
          [](const PyModel& self, const std::string& path, bool force) {
            const auto model = self.get();
            without_gil([&] { model->save(path, force); });
          },
          py::arg("path"), py::arg("force") = false)
      .def("to_bytes",
           [](const PyModel& self) {
             const auto model = self.get();
             return py::bytes(without_gil([&] { return encode_model(*model); }));
           })
      .def("inspect",
           [](const PyModel& self) {
             const auto model = self.get();
             return inspect_model(*model, encode_model(*model), "(in memory)");
           })
      .def("learned", [](const PyModel& self) { return to_python(self.get()->inspect()); })
      .def("dump_trees", [](const PyModel& self) { return to_python(self.get()->dump_trees()); })
      .def_property_readonly("task", [](const PyModel& self) { return std::string(to_string(self.get()->task())); })
      .def_property_readonly("classes", [](const PyModel& self) { return self.get()->classes(); })
      .def_property_readonly("target", [](const PyModel& self) { return self.get()->target(); })
      .def_property_readonly("encoded_features", [](const PyModel& self) { return self.get()->encoded_features(); })
      .def("schema", [](const PyModel& self) { return schema_of(*self.get()); })
      .def_property_readonly("feature_names", [](const PyModel& self) { return self.get()->schema().names(); })
      .def_property_readonly("metadata", [](const PyModel& self) { return to_python(self.get()->metadata()); });
  bind_explain(model_class);
  m.def("inspect_file", [](const std::string& path) {
    const std::string file = resolve_model_path(path);
    const std::string bytes = read_file(file);
    return inspect_model(decode_model(bytes, path), bytes, path);
  });
  m.def(
      "class_labels",
      [](const Frame& target) {
        if (target.cols() != 1) throw DataError("the target must be one column");
        return class_labels(target[0]);
      },
      "the classes a classification target gives, in the library's order (numbers numerically, text by bytes)");
}

}  // namespace shipml::python
