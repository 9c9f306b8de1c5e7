// Run records, the model registry, charts and reports.
#include "bindings.hpp"
#include "shipml/core/error.hpp"
#include "shipml/experiment/make_chart.hpp"
#include "shipml/plot/charts.hpp"
#include "shipml/report/report.hpp"
#include "shipml/track/registry.hpp"
#include "shipml/track/run_store.hpp"

namespace shipml::python {
namespace {

py::list versions_json(const std::vector<ModelVersion>& versions) {
  py::list out;
  for (const auto& v : versions) out.append(to_python(v.to_json()));
  return out;
}

ChartStyle chart_style(int width, int height, const std::string& title, const std::vector<std::string>& palette) {
  return {.width = width, .height = height, .title = title, .palette = palette};
}

ImageFormat format_named(const std::string& name) {
  if (name == "svg") return ImageFormat::svg;
  if (name == "png") return ImageFormat::png;
  if (name == "pdf") return ImageFormat::pdf;
  throw UsageError("unknown image format '" + name + "' (formats: svg, png, pdf)");
}

}  // namespace

void bind_records(py::module_& m) {
  m.def("runs", [](const std::string& uri, const std::string& experiment, const std::string& filter,
                   const std::string& sort, std::size_t limit) {
    const std::vector<RunRecord> runs = without_gil([&] {
      return RunStore::open(uri)->list({.experiment = experiment, .filter = filter, .sort = sort, .limit = limit});
    });
    py::list out;
    for (const auto& r : runs) out.append(to_python(r.to_json()));
    return out;
  });
  m.def("get_run", [](const std::string& uri, const std::string& id) {
    return to_python(RunStore::open(uri)->get(id).to_json());
  });
  m.def("delete_run", [](const std::string& uri, const std::string& id) { RunStore::open(uri)->remove(id); });
  m.def("run_report", [](const std::string& uri, const std::string& id, std::size_t explain_rows) {
    return without_gil([&] {
      const RunRecord run = RunStore::open(uri)->get(id);
      const auto explanations = run_explanations(run, explain_rows);
      return html_report(run, explanations ? &*explanations : nullptr);
    });
  });
  m.def("run_model", [](const std::string& uri, const std::string& id) -> std::unique_ptr<PyModel> {
    auto model = run_model(RunStore::open(uri)->get(id));
    return model ? std::make_unique<PyModel>(std::move(*model)) : nullptr;
  });

  m.def("registry_register", [](const std::string& uri, const std::string& name, const std::string& file,
                                const std::string& run, const std::string& notes) {
    auto store = RunStore::open(uri);
    ModelRegistry registry(*store);
    if (file.empty() == run.empty()) throw UsageError("register a model file or a run, one of the two");
    return to_python(
        (file.empty() ? registry.register_run(name, run, notes) : registry.register_file(name, file, notes)).to_json());
  });
  m.def("registry_names", [](const std::string& uri) {
    auto store = RunStore::open(uri);
    return ModelRegistry(*store).names();
  });
  m.def("registry_versions", [](const std::string& uri, const std::string& name) {
    auto store = RunStore::open(uri);
    return versions_json(ModelRegistry(*store).versions(name));
  });
  m.def("registry_get", [](const std::string& uri, const std::string& reference) {
    auto store = RunStore::open(uri);
    return to_python(ModelRegistry(*store).get(reference).to_json());
  });
  m.def("registry_promote", [](const std::string& uri, const std::string& name, int version, const std::string& stage,
                               const std::string& notes) {
    auto store = RunStore::open(uri);
    return to_python(ModelRegistry(*store).promote(name, version, stage, notes).to_json());
  });

  py::class_<Chart>(m, "Chart")
      .def_readonly("title", &Chart::title)
      .def_readonly("subtitle", &Chart::subtitle)
      .def_readonly("x_label", &Chart::x_label)
      .def_readonly("y_label", &Chart::y_label)
      .def("series_names",
           [](const Chart& c) {
             std::vector<std::string> out;
             for (const auto& s : c.series)
               if (!s.name.empty()) out.push_back(s.name);
             return out;
           })
      .def("bar_labels", [](const Chart& c) {
        std::vector<std::string> out;
        for (const auto& b : c.bars) out.push_back(b.label);
        return out;
      });
  m.def("chart_kinds", [] {
    py::list out;
    for (const auto& k : chart_kinds()) {
      py::dict d;
      d["name"] = k.name;
      d["needs"] = k.needs;
      d["doc"] = k.doc;
      out.append(d);
    }
    return out;
  });
  // Each provider says what is missing in the Python call's own words.
  m.def("make_chart", [](const std::string& kind, const py::dict& o) {
    ChartSource source;
    const std::string uri = o.contains("uri") ? o["uri"].cast<std::string>() : "";
    const std::string run = !o.contains("run") || o["run"].is_none() ? "" : o["run"].cast<std::string>();
    const auto* predictions = o.contains("predictions") && !o["predictions"].is_none()
                                  ? o["predictions"].cast<const HeldOutPredictions*>()
                                  : nullptr;
    const std::shared_ptr<const Model> model =
        o.contains("model") && !o["model"].is_none() ? o["model"].cast<const PyModel&>().get() : nullptr;
    const std::shared_ptr<const Model> unfitted =
        o.contains("estimator") && !o["estimator"].is_none() ? o["estimator"].cast<const PyModel&>().get() : nullptr;
    const auto* frame = o.contains("data") && !o["data"].is_none() ? o["data"].cast<const Frame*>() : nullptr;
    const std::string target = !o.contains("target") || o["target"].is_none() ? "" : o["target"].cast<std::string>();
    const std::string source_name = o.contains("source") ? o["source"].cast<std::string>() : "";
    // The columns that shape the curves' folds, and the weight column of their
    // fits and metric (never features), read here:
    // the providers run in run_long, without the GIL.
    const SplitRoles roles = split_roles(o);
    source.predictions = [=] {
      if (predictions) return *predictions;
      if (!run.empty()) return run_predictions(RunStore::open(uri)->get(run));
      if (model && frame) {
        const std::string t = target.empty() ? model->target() : target;
        return predictions_on(*model, make_dataset(*frame, t, source_name, roles));
      }
      throw UsageError("the " + kind +
                       " chart needs held-out predictions: a score result, run=ID, or model= with data=");
    };
    source.model = [=]() -> std::shared_ptr<const Model> {
      if (model) return model;
      if (!run.empty()) {
        auto saved = run_model(RunStore::open(uri)->get(run));
        if (saved) return std::make_shared<const Model>(std::move(*saved));
        throw UsageError("run " + run + " saved no model (train, compare with refit and search runs do); give model=");
      }
      throw UsageError("the " + kind + " chart needs a fitted model: model= or run=ID");
    };
    source.data = [=](const std::string& model_target) {
      if (!frame) throw UsageError("the " + kind + " chart needs data=");
      const std::string t = !target.empty() ? target : model_target;
      if (t.empty()) throw UsageError("the " + kind + " chart needs target= (the column the model predicts)");
      return make_dataset(*frame, t, source_name, roles);
    };
    source.table = [=] {
      if (!frame) throw UsageError("the " + kind + " chart needs data=");
      return *frame;
    };
    source.unfitted = [=] {
      if (!unfitted) throw UsageError("the " + kind + " chart fits models: give estimator=");
      return unfitted->clone();
    };
    if (o.contains("param") && !o["param"].is_none()) source.param = o["param"].cast<std::string>();
    if (o.contains("values") && !o["values"].is_none()) source.values = o["values"].cast<std::vector<std::string>>();
    if (o.contains("cv") && !o["cv"].is_none()) source.folds = o["cv"].cast<int>();
    if (o.contains("seed") && !o["seed"].is_none()) source.seed = o["seed"].cast<std::uint64_t>();
    if (o.contains("top") && !o["top"].is_none()) source.top = o["top"].cast<std::size_t>();
    if (o.contains("bins") && !o["bins"].is_none()) source.bins = o["bins"].cast<int>();
    if (o.contains("gap") && !o["gap"].is_none()) source.gap = TimeGap::parse(o["gap"].cast<std::string>());
    if (o.contains("feature") && !o["feature"].is_none()) source.feature = o["feature"].cast<std::string>();
    if (o.contains("color_by") && !o["color_by"].is_none()) source.color_by = o["color_by"].cast<std::string>();
    if (o.contains("row") && !o["row"].is_none()) source.row = o["row"].cast<std::size_t>();
    if (o.contains("output") && !o["output"].is_none()) source.output = o["output"].cast<std::string>();
    return run_long([&] { return make_chart(kind, source); });
  });
  m.def("render_inline_svg", [](const Chart& chart, const std::string& prefix, int width, int height,
                                const std::string& title, const std::vector<std::string>& palette) {
    const ChartStyle style = chart_style(width, height, title, palette);
    return without_gil([&] { return render_inline_svg(chart, prefix, style); });
  });
  m.def("render_chart", [](const Chart& chart, const std::string& format, int width, int height,
                           const std::string& title, const std::vector<std::string>& palette) {
    const ChartStyle style = chart_style(width, height, title, palette);
    const ImageFormat as = format_named(format);
    return py::bytes(without_gil([&] { return render(chart, as, style); }));
  });
}

}  // namespace shipml::python
