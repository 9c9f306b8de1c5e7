// shipml.predict_batch: a batch job as `shipml predict` runs it
// (track/batch_job.hpp), with the GIL released while rows stream through.
#include "bindings.hpp"
#include "shipml/core/memory.hpp"
#include "shipml/track/batch_job.hpp"

namespace shipml::python {

void bind_batch(py::module_& m) {
  m.def(
      "run_batch_job",
      [](const py::object& model, const std::string& data, const std::string& table, const std::string& query,
         std::vector<std::string> missing, const std::string& out, const std::string& out_table,
         const std::string& if_exists, std::vector<std::string> ids, bool proba, bool explain,
         const std::string& memory, int threads) {
        BatchJob job;
        if (py::isinstance<PyModel>(model)) {
          job.loaded = model.cast<const PyModel&>().get();
          job.model = "(in memory)";
        } else {
          job.model = model.cast<std::string>();
        }
        job.source = {data, table, query, {}};
        job.source.read.missing_values.insert(job.source.read.missing_values.end(), missing.begin(), missing.end());
        job.sink = {out, out_table, parse_if_exists(if_exists)};
        job.options.columns = {std::move(ids), proba, explain};
        job.options.memory_budget = memory.empty() ? 0 : parse_memory_size(memory);
        job.options.threads = threads;
        const BatchJobResult r = without_gil([&] { return run_batch_job(job); });
        py::dict d;
        d["rows"] = r.result.rows;
        d["seconds"] = r.result.seconds;
        d["fingerprint"] = r.result.fingerprint;
        d["run_id"] = r.run_id.empty() ? py::object(py::none()) : py::str(r.run_id);
        d["source"] = to_python(r.source);
        d["output"] = to_python(r.output);
        d["peak_rss_mb"] = r.peak_rss_mb;
        return d;
      },
      py::arg("model"), py::arg("data"), py::arg("table"), py::arg("query"), py::arg("missing"), py::arg("out"),
      py::arg("out_table"), py::arg("if_exists"), py::arg("ids"), py::arg("proba"), py::arg("explain"),
      py::arg("memory"), py::arg("threads"));
}

}  // namespace shipml::python
