// Model.raw_output, Model.contributions and Model.drift: what the explanations
// explain, the explanations themselves (docs/explain.md) and drift (docs/drift.md), computed with the GIL
// released as predictions are. The package shapes them for Python
// (shipml/explanations.py).
#include "bindings.hpp"

namespace shipml::python {

void bind_explain(py::class_<PyModel>& model) {
  model.def("raw_output", [](const PyModel& self, const Frame& features) {
    const auto m = self.get();
    return to_array(without_gil([&] { return m->raw_output(features); }));
  });
  // The contributions as they are (one rows x columns array per output) with
  // the raw output of the same rows, which the table beside them shows.
  model.def(
      "contributions",
      [](const PyModel& self, const Frame& features, std::size_t samples, std::uint64_t seed) {
        const auto m = self.get();
        auto [c, raw] = without_gil([&] {
          Contributions found = m->contributions(features, {.samples = samples, .seed = seed});
          return std::make_pair(std::move(found), m->raw_output(features));
        });
        py::list values;
        for (auto& v : c.values) values.append(to_array(std::move(v)));
        py::dict d;
        d["columns"] = c.columns;
        d["outputs"] = c.outputs;
        d["values"] = values;
        d["expected"] = c.expected;
        d["raw_output"] = to_array(std::move(raw));
        d["method"] = c.method;
        d["exact"] = c.exact;
        d["error_bound"] = c.error_bound;
        d["before_calibration"] = c.before_calibration;
        return d;
      },
      py::arg("features"), py::arg("samples"), py::arg("seed"));
  // Drift from the training data (docs/drift.md), as `shipml drift --json` prints it.
  model.def(
      "drift",
      [](const PyModel& self, const Frame& features, double psi, std::uint64_t min_rows) {
        const auto m = self.get();
        const DriftReport report = without_gil([&] { return m->drift(features, {.psi = psi, .min_rows = min_rows}); });
        return to_python(report.to_json());
      },
      py::arg("features"), py::arg("psi"), py::arg("min_rows"));
}

}  // namespace shipml::python
