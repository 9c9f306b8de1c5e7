#include "shipml/preprocess/pipeline.hpp"

#include <algorithm>
#include <set>

#include "shipml/core/error.hpp"
#include "shipml/core/names.hpp"

namespace shipml {

struct Pipeline::Step {
  StepSpec spec;
  const TransformerInfo* info = nullptr;
  Params params;
  std::unique_ptr<Transformer> fitted;
  std::vector<std::string> inputs;   // the columns it was fitted on, in order
  std::vector<std::size_t> sources;  // the pipeline input each of them came from
};

Pipeline::Pipeline(std::vector<StepSpec> steps) {
  std::set<std::string> names;
  for (auto& spec : steps) {
    if (spec.name.empty()) spec.name = spec.transformer;
    if (spec.name.find('.') != std::string::npos)
      throw UsageError("step name '" + spec.name + "' must not contain '.'");
    if (!names.insert(spec.name).second)
      throw UsageError("two steps are named '" + spec.name + "'; name them (name: ...) to tell them apart");
    const TransformerInfo& info = find_transformer(spec.transformer);
    if (info.needs_columns && spec.columns.empty())
      throw UsageError("step '" + spec.name + "' (" + info.name + ") needs its columns named");
    auto step = std::make_unique<Step>();
    step->spec = spec;
    step->info = &info;
    step->params = Params::validate(spec.name + " (" + info.name + ")", info.params, spec.params);
    step->spec.params = step->params.values();
    steps_.push_back(std::move(step));
  }
}

Pipeline::Pipeline() = default;
Pipeline::Pipeline(Pipeline&&) noexcept = default;
Pipeline& Pipeline::operator=(Pipeline&&) noexcept = default;
Pipeline::~Pipeline() = default;

std::vector<StepSpec> Pipeline::specs() const {
  std::vector<StepSpec> out;
  for (const auto& s : steps_) out.push_back(s->spec);
  return out;
}

Pipeline Pipeline::unfitted() const { return Pipeline(specs()); }

bool Pipeline::addresses(const std::string& key) const {
  const auto dot = key.find('.');
  if (dot == std::string::npos) return false;
  const std::string step = key.substr(0, dot);
  return std::any_of(steps_.begin(), steps_.end(), [&](const auto& s) { return s->spec.name == step; });
}

void Pipeline::set(const std::string& key, const std::string& value) {
  const auto dot = key.find('.');
  std::vector<std::string> names;
  for (auto& s : steps_) {
    names.push_back(s->spec.name);
    if (dot == std::string::npos || s->spec.name != key.substr(0, dot)) continue;
    auto params = s->spec.params;
    params[key.substr(dot + 1)] = value;
    s->params = Params::validate(s->spec.name + " (" + s->info->name + ")", s->info->params, params);
    s->spec.params = s->params.values();
    s->fitted.reset();
    return;
  }
  throw UsageError("'" + key + "' names no step (steps: " + join(names) + ")");
}

std::map<std::string, std::string> Pipeline::param_values() const {
  std::map<std::string, std::string> out;
  for (const auto& s : steps_)
    for (const auto& [k, v] : s->spec.params) out[s->spec.name + "." + k] = v;
  return out;
}

Frame Pipeline::apply(std::size_t index, const Frame& input, const FitContext* fitting,
                      std::vector<std::size_t>* lineage) const {
  Step& step = *steps_[index];
  const std::string who = "step '" + step.spec.name + "' (" + step.info->name + ")";
  std::vector<std::size_t> chosen;
  if (fitting) {
    const auto& named = step.spec.columns;
    for (const auto& n : named)
      if (!input.find(n))
        throw UsageError(who + ": no column '" + n + "' (columns here: " + listed(input.names()) + ")");
    for (std::size_t j = 0; j < input.cols(); ++j) {
      const Column& c = input[j];
      const bool listed = std::find(named.begin(), named.end(), c.name()) != named.end();
      const Applies applies = step.info->applies_with ? step.info->applies_with(step.params) : step.info->applies;
      const bool kind = applies == Applies::any || (applies == Applies::numeric) == c.is_numeric();
      if (named.empty() ? kind : listed != step.info->complement) chosen.push_back(j);
    }
    step.inputs.clear();
    step.sources.clear();
    for (std::size_t j : chosen) step.inputs.push_back(input[j].name()), step.sources.push_back((*lineage)[j]);
  } else {
    for (const auto& n : step.inputs) {
      const Column* c = input.find(n);
      if (!c) throw ModelError(who + ": the column '" + n + "' it was fitted on is gone");
      chosen.push_back(static_cast<std::size_t>(c - &input[0]));
    }
  }
  std::vector<Column> selected;
  for (std::size_t j : chosen) selected.push_back(input[j]);
  const Frame part(std::move(selected), Frame::Trusted{});
  std::vector<Produced> produced;
  if (fitting) {
    step.fitted = step.info->create(step.params);
    produced = step.fitted->fit_transform(part, *fitting);
  } else {
    produced = step.fitted->transform(part);
  }
  // The output: untouched columns where they were, the step's output where its first input was.
  std::vector<Column> out;
  std::vector<std::size_t> out_lineage;
  bool placed = false;
  for (std::size_t j = 0; j < input.cols(); ++j) {
    const bool used = std::find(chosen.begin(), chosen.end(), j) != chosen.end();
    if (!used) {
      out.push_back(input[j]);
      if (lineage) out_lineage.push_back((*lineage)[j]);
    } else if (!placed) {
      placed = true;
      for (auto& p : produced) {
        out.push_back(std::move(p.column));
        if (lineage) out_lineage.push_back((*lineage)[chosen.at(p.source)]);
      }
    }
  }
  if (lineage) *lineage = std::move(out_lineage);
  try {
    return Frame(std::move(out));
  } catch (const Error& e) {
    throw UsageError(who + ": " + e.what());
  }
}

Frame Pipeline::fit_transform(const Frame& features, const FitContext& context) {
  std::vector<std::size_t> lineage(features.cols());
  for (std::size_t j = 0; j < lineage.size(); ++j) lineage[j] = j;
  Frame current = features;
  for (std::size_t s = 0; s < steps_.size(); ++s) current = apply(s, current, &context, &lineage);
  lineage_ = lineage;
  return current;
}

Frame Pipeline::transform(const Frame& features) const {
  Frame current = features;
  for (std::size_t s = 0; s < steps_.size(); ++s) {
    if (!steps_[s]->fitted) throw ModelError("the pipeline is not fitted");
    current = apply(s, current, nullptr, nullptr);
  }
  return current;
}

std::vector<std::string> Pipeline::strict_columns(const std::vector<std::string>& input_names) const {
  // Each one_hot(unseen=error) input, followed back to the data column it came from
  // (through an imputer, say), whose unseen categories the schema then refuses.
  std::vector<std::string> out;
  for (const auto& s : steps_)
    if (s->info->name == "one_hot" && s->spec.params.at("unseen") == "error")
      for (std::size_t src : s->sources)
        if (src < input_names.size()) out.push_back(input_names[src]);
  return out;
}

nlohmann::json Pipeline::to_json() const {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& s : steps_) {
    nlohmann::json step = {{"name", s->spec.name}, {"transformer", s->spec.transformer}, {"params", s->spec.params}};
    if (!s->spec.columns.empty()) step["columns"] = s->spec.columns;
    if (s->fitted) step["fitted"] = {{"inputs", s->inputs}, {"learned", s->fitted->describe()}};
    j.push_back(step);
  }
  return j;
}

std::vector<StepSpec> Pipeline::specs_from_json(const nlohmann::json& j) {
  std::vector<StepSpec> out;
  for (const auto& step : j) {
    StepSpec s;
    s.name = step.at("name").get<std::string>();
    s.transformer = step.at("transformer").get<std::string>();
    s.params = step.at("params").get<std::map<std::string, std::string>>();
    if (step.contains("columns")) s.columns = step.at("columns").get<std::vector<std::string>>();
    out.push_back(std::move(s));
  }
  return out;
}

void Pipeline::save(BinaryWriter& out) const {
  out.array(lineage_);
  for (const auto& s : steps_) {
    if (!s->fitted) throw ModelError("the pipeline is not fitted");
    out.texts(s->inputs);
    out.array(s->sources);
    s->fitted->save(out);
  }
}

void Pipeline::load(BinaryReader& in) {
  lineage_ = in.array<std::size_t>();
  for (auto& s : steps_) {
    s->inputs = in.texts();
    s->sources = in.array<std::size_t>();
    if (s->sources.size() != s->inputs.size())
      BinaryReader::fail("pipeline: a step's inputs and their sources differ in number");
    s->fitted = s->info->create(s->params);
    s->fitted->load(in);
  }
}

StepSpec parse_step(const std::string& text) {
  StepSpec s;
  const auto colon = text.find(':');
  s.transformer = text.substr(0, colon);
  if (colon != std::string::npos) {
    std::size_t start = colon + 1;
    while (start <= text.size()) {
      const auto comma = text.find(',', start);
      const std::string c = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (c.empty()) throw UsageError("--step " + text + ": an empty column name");
      s.columns.push_back(c);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return s;
}

}  // namespace shipml
