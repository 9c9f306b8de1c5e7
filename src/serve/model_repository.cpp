#include "shipml/serve/model_repository.hpp"

#include <charconv>
#include <filesystem>

#include "request_id.hpp"
#include "shipml/core/clock.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/names.hpp"
#include "shipml/io/file.hpp"
#include "shipml/model/model_file.hpp"
#include "shipml/model/signature.hpp"
#include "shipml/track/registry.hpp"

namespace shipml::serve {
namespace {

// Canary decisions hash the sticky key with their own salt, independent of the
// prediction log's sampling of request ids.
constexpr std::uint64_t kCanarySalt = 0x63616e617279;  // "canary"

// `[NAME[:VERSION]=]PATH`, served as `default_version` unless it names one
// (empty: the registry's version for a reference, 1 for a file).
ModelSource parse_source(const std::string& spec, const std::string& default_version) {
  ModelSource s;
  const bool reference = is_registry_reference(spec);
  const auto eq = reference ? std::string::npos : spec.find('=');
  s.path = eq == std::string::npos ? spec : spec.substr(eq + 1);
  std::string label;
  if (eq != std::string::npos) label = spec.substr(0, eq);
  else if (is_registry_reference(s.path))  // models:/NAME/STAGE, models:/NAME@ALIAS: served as NAME
    label = s.path.substr(8, s.path.find_first_of("/@", 8) - 8);
  else label = std::filesystem::path(s.path).stem().string();
  const auto colon = label.find(':');
  s.name = label.substr(0, colon);
  // A primary from the registry is served under the version it resolves to; a
  // canary or shadow under its role, so that the two never share a version.
  s.version = colon != std::string::npos      ? label.substr(colon + 1)
              : !default_version.empty()      ? default_version
              : is_registry_reference(s.path) ? ""
                                              : "1";
  if (is_registry_reference(s.path) && s.version.empty()) {
    s.name = s.name.empty() ? "model" : s.name;
    return s;  // checked when resolved
  }
  // Names and versions become URL path segments.
  auto check = [&](const std::string& part, const char* what) {
    if (part.empty() || part.find_first_of("/?#% ") != std::string::npos)
      throw UsageError("model " + std::string(what) + " '" + part + "' in '" + spec +
                       "' must be non-empty and contain no '/', '?', '#', '%' or space (form: [NAME[:VERSION]=]PATH)");
  };
  check(s.name, "name");
  check(s.version, "version");
  return s;
}

}  // namespace

const char* to_string(Variant variant) {
  switch (variant) {
    case Variant::canary: return "canary";
    case Variant::shadow: return "shadow";
    default: return "primary";
  }
}

ModelSource ModelSource::parse(const std::string& spec) { return parse_source(spec, ""); }

ModelSource ModelSource::parse_canary(const std::string& spec) {
  const auto colon = spec.rfind(':');
  const std::string percent = colon == std::string::npos ? "" : spec.substr(colon + 1);
  double value = 0;
  const char* end = percent.data() + percent.size();
  const auto [last, ec] = std::from_chars(percent.data(), end, value);
  if (percent.empty() || ec != std::errc() || last != end - 1 || *last != '%' || !(value > 0 && value <= 100))
    throw UsageError("--canary '" + spec +
                     "' must end with the share of requests it answers, above 0% and at most 100% "
                     "(form: NAME[:VERSION]=PATH:PERCENT%, for example churn=churn-v2.shipml:10%)");
  ModelSource s = parse_source(spec.substr(0, colon), "canary");
  s.variant = Variant::canary;
  s.share = value / 100;
  return s;
}

ModelSource ModelSource::parse_shadow(const std::string& spec) {
  ModelSource s = parse_source(spec, "shadow");
  s.variant = Variant::shadow;
  return s;
}

std::string ModelRepository::locate(const ModelSource& source, std::string* version) {
  if (!is_registry_reference(source.path)) return source.path;
  auto store = RunStore::open();
  const ModelVersion v = ModelRegistry(*store).get(source.path.substr(8));
  if (version) *version = std::to_string(v.version);
  return v.path;
}

void ModelRepository::require_signatures(std::vector<std::string> trusted_keys) {
  for (const auto& key : trusted_keys)
    (void)key_fingerprint(key);  // a key that cannot be used fails now, not at a reload
  trusted_keys_ = std::move(trusted_keys);
}

std::shared_ptr<const ServedModel> ModelRepository::load(const ModelSource& source) const {
  const auto start = std::chrono::steady_clock::now();
  std::string registry_version;
  const std::string file = locate(source, &registry_version);
  const std::string bytes = read_file(file);
  if (!trusted_keys_.empty()) (void)verify_model_signature(bytes, trusted_keys_, file);
  auto model = std::make_shared<const Model>(decode_model(bytes, file));
  auto served = std::make_shared<ServedModel>();
  served->name = source.name;
  served->version = source.version.empty() ? registry_version : source.version;
  served->source = source.path;
  served->variant = source.variant;
  served->file = file;
  served->model = std::move(model);
  served->load_seconds = seconds_since(start);
  served->loaded_at = utc_timestamp();
  served->fingerprint = served->model->metadata().value("training", nlohmann::json::object()).value("fingerprint", "");
  if (drift_options_.window > 0 && served->model->drift_reference())
    served->drift = std::make_shared<DriftMonitor>(served->model->drift_reference(), drift_options_);
  return served;
}

namespace {

// Why `candidate` cannot answer for `primary`'s name (empty: it can): a canary
// answers the same clients, so it takes the same inputs and gives the same kind of answer.
std::string incompatible(const ServedModel& primary, const ServedModel& candidate) {
  const Model &p = *primary.model, &c = *candidate.model;
  if (p.task() != c.task())
    return "it is a " + std::string(to_string(c.task())) + " model and " + primary.name + ":" + primary.version +
           " a " + std::string(to_string(p.task())) + " one";
  if (p.schema().names() != c.schema().names())
    return "its input columns (" + listed(c.schema().names()) + ") are not " + primary.name + ":" + primary.version +
           "'s (" + listed(p.schema().names()) + ")";
  return "";
}

}  // namespace

std::shared_ptr<const ServedModel> ModelRepository::add(const ModelSource& source) {
  auto served = load(source);
  std::lock_guard lock(mutex_);
  std::shared_ptr<const ServedModel> primary;
  for (const auto& m : models_) {
    if (m->name == served->name && m->version == served->version)
      throw UsageError("model '" + served->name + "' version " + served->version + " is given twice");
    if (m->name == served->name && m->variant == Variant::primary && !primary) primary = m;
    if (source.variant != Variant::primary && m->name == served->name && m->variant == source.variant)
      throw UsageError(std::string("model '") + served->name + "' has a " + to_string(source.variant) + " already (" +
                       m->version + "); one of each per name");
  }
  const std::string flag = std::string("--") + to_string(source.variant) + " " + served->name + ":" + served->version;
  if (source.variant != Variant::primary && !primary)
    throw UsageError(flag + ": no model '" + served->name + "' is served for it to " +
                     (source.variant == Variant::canary ? "share requests with" : "shadow") +
                     " (name it NAME=PATH after the model it stands beside)");
  if (source.variant == Variant::canary)
    if (const std::string why = incompatible(*primary, *served); !why.empty())
      throw UsageError(flag + " cannot answer " + served->name + "'s requests: " + why);
  sources_.push_back(source);
  models_.push_back(served);
  return served;
}

Route ModelRepository::route(std::string_view name, std::string_view version, std::string_view sticky_key) const {
  Route r;
  std::shared_ptr<const ServedModel> canary;
  double share = 0;
  {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < models_.size(); ++i) {
      const auto& m = models_[i];
      if (m->name != name) continue;
      if (m->variant == Variant::shadow) r.shadow = m;
      if (!version.empty() ? m->version == version : m->variant == Variant::primary && !r.answer) r.answer = m;
      if (version.empty() && m->variant == Variant::canary) canary = m, share = sources_[i].share;
    }
  }
  // Drawn outside the lock (a sticky key may be long), and only for a name with a canary.
  if (canary && (sticky_key.empty() ? random_position() : key_position(sticky_key, kCanarySalt)) < share)
    r.answer = canary;
  if (!r.answer || r.answer->variant == Variant::shadow) r.shadow = nullptr;
  return r;
}

std::shared_ptr<const ServedModel> ModelRepository::find(std::string_view name, std::string_view version) const {
  std::lock_guard lock(mutex_);
  std::shared_ptr<const ServedModel> best;
  for (const auto& m : models_) {
    if (m->name != name) continue;
    if (!version.empty()) {
      if (m->version == version) return m;
      continue;
    }
    if (!best && m->variant == Variant::primary) best = m;  // without a version: the first one given for the name
  }
  return best;
}

std::shared_ptr<const ServedModel> ModelRepository::first() const {
  std::lock_guard lock(mutex_);
  return models_.empty() ? nullptr : models_.front();
}

std::vector<std::shared_ptr<const ServedModel>> ModelRepository::all() const {
  std::lock_guard lock(mutex_);
  return models_;
}

std::vector<std::string> ModelRepository::versions(std::string_view name) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& m : models_)
    if (m->name == name) out.push_back(m->version);
  return out;
}

bool ModelRepository::registry_moved() const {
  std::vector<std::shared_ptr<const ServedModel>> served;
  std::vector<ModelSource> sources;
  {
    std::lock_guard lock(mutex_);
    served = models_;
    sources = sources_;
  }
  for (std::size_t i = 0; i < sources.size(); ++i) {
    if (!is_registry_reference(sources[i].path)) continue;
    try {
      if (locate(sources[i], nullptr) != served[i]->file) return true;
    } catch (const std::exception&) {  // the stage is empty or the alias gone now: keep serving what was there
    }
  }
  return false;
}

std::vector<ReloadResult> ModelRepository::reload() {
  std::vector<ModelSource> sources;
  {
    std::lock_guard lock(mutex_);
    sources = sources_;
  }
  std::vector<ReloadResult> results;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    ReloadResult r{sources[i].name, sources[i].version.empty() ? "(registry)" : sources[i].version};
    try {
      auto fresh = load(sources[i]);  // loaded beside the old one, outside the lock
      r.version = fresh->version;
      std::lock_guard lock(mutex_);
      for (std::size_t j = 0; j < models_.size(); ++j)
        if (j != i && models_[j]->name == fresh->name && models_[j]->version == fresh->version)
          throw UsageError("version " + fresh->version + " of '" + fresh->name + "' is served already (" +
                           to_string(models_[j]->variant) + ")");
      models_[i] = std::move(fresh);
      r.ok = true;
    } catch (const std::exception& e) {
      r.error = e.what();
    }
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace shipml::serve
