#include "shipml/track/batch_job.hpp"

#include <sys/resource.h>

#include "shipml/sources/open.hpp"
#include "shipml/track/registry.hpp"
#include "shipml/track/tracked_run.hpp"

namespace shipml {
namespace {

double peak_rss_mb() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux: kilobytes
}

}  // namespace

BatchJobResult run_batch_job(const BatchJob& job) {
  const ModelReference ref = job.loaded ? ModelReference{} : resolve_model(job.model);
  const std::shared_ptr<const Model> owned = job.loaded ? job.loaded : std::make_shared<Model>(Model::load(ref.path));
  const Model& model = *owned;
  SourceSpec source_spec = job.source;
  source_spec.read = batch_read_options(model, job.options.columns, job.source.read);
  TrackedRun run("predict", job.experiment, job.command, job.track);
  try {
    std::map<std::string, std::string> params{{"model", job.model}, {"estimator", model.estimator()}};
    if (!ref.name.empty()) {
      params["registry_name"] = ref.name;
      params["registry_version"] = std::to_string(ref.version);
      params["registry_stage"] = ref.stage;
      if (!ref.alias.empty()) params["registry_alias"] = ref.alias;
    }
    run.params(params);
    const auto source = open_source(source_spec);
    const auto sink = open_sink(job.sink);
    BatchJobResult out;
    out.result = score_batch(model, *source, *sink, job.options);
    out.source = source->record();
    out.source["fingerprint"] = out.result.fingerprint;
    out.source["fingerprint_kind"] = "streamed";
    out.source["rows"] = out.result.rows;
    out.output = sink->record();
    out.peak_rss_mb = peak_rss_mb();
    run.info("data", out.source);
    run.info("output", out.output);
    const double seconds = out.result.seconds;
    run.metric("rows", static_cast<double>(out.result.rows));
    run.metric("seconds", seconds);
    run.metric("rows_per_second", seconds > 0 ? static_cast<double>(out.result.rows) / seconds : 0.0);
    run.metric("peak_rss_mb", out.peak_rss_mb);
    run.finish();
    out.run_id = run.id();
    return out;
  } catch (const std::exception& e) {
    run.fail(e);
    throw;
  }
}

}  // namespace shipml
