// Model files, fuzzed two ways. model_file: arbitrary bytes, as they are and
// with the checksum repaired. model_structure: a valid file taken apart, its
// header fields and the counts and indices of its body edited, and put back
// together with a correct checksum (re-signed), as someone editing a file on
// purpose would. Either way, what loads is predicted with on rows shaped by its
// own schema, so crafted fitted state is exercised too; predictions must have
// the shape the header promises.
#include <cctype>
#include <cmath>
#include <cstring>
#include <optional>
#include <string_view>

#include "harnesses.hpp"
#include "shipml/core/hash.hpp"
#include "shipml/core/random.hpp"
#include "shipml/model/importance.hpp"
#include "shipml/preprocess/transformer.hpp"
#include "shipml/shipml.hpp"

namespace shipml::fuzz {

namespace {

constexpr std::string_view kMagic("\x89SHIPML\n", 8);

// Rows for the model's schema: a known value, an unseen one and a missing one.
Frame rows_for(const Schema& schema) {
  Frame rows;
  for (const auto& f : schema.fields()) {
    if (f.type == ColumnType::numeric) rows.add(Column::numeric(f.name, {0.0, NAN, 1e300}));
    else
      rows.add(Column::from_strings(f.name, {f.categories->empty() ? "x" : f.categories->front(), "unseen", ""},
                                    {false, false, true}));
  }
  return rows;
}

// Predictions of a loaded model have one value per row and, for a classifier,
// a probability for each class the header names, each row's label among them.
void check_predictions(const Model& m, const Frame& rows) {
  const Predictions p = m.predict(rows);
  if (p.values.size() != rows.rows()) __builtin_trap();
  if (p.task != Task::classification) return;
  if (static_cast<std::size_t>(p.proba.cols()) != m.classes().size() ||
      static_cast<std::size_t>(p.proba.rows()) != rows.rows())
    __builtin_trap();
  for (std::size_t i = 0; i < p.values.size(); ++i)
    if (!(p.values[i] >= 0 && p.values[i] < static_cast<double>(m.classes().size()))) __builtin_trap();
}

void load_and_predict(std::string_view bytes) {
  try {
    const Model m = decode_model(bytes, "fuzz.shipml");
    check_predictions(m, rows_for(m.schema()));
    m.inspect();
    learned_importance(m);
  } catch (const Error&) {
  }
}

// A model file taken apart: its frame's version, its header and its body.
struct Parts {
  std::uint32_t version = 0;
  nlohmann::json header;
  std::string body;
};

std::optional<Parts> take_apart(std::string_view bytes) {
  if (!bytes.starts_with(kMagic) || bytes.size() < kMagic.size() + 8) return std::nullopt;
  try {
    BinaryReader frame(bytes.substr(kMagic.size(), bytes.size() - kMagic.size() - 8));
    Parts p;
    p.version = frame.u32();
    p.header = nlohmann::json::parse(frame.text());
    p.body = frame.text();
    return p;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The parts as a file, signed with a correct checksum.
std::string put_together(const Parts& p) {
  BinaryWriter frame;
  frame.u32(p.version);
  frame.text(p.header.dump());
  frame.text(p.body);
  std::string out(kMagic);
  out += frame.data();
  const std::uint64_t sum = Hasher().bytes(out.data(), out.size()).digest();
  out.append(reinterpret_cast<const char*>(&sum), sizeof sum);
  return out;
}

template <class T>
const T& pick(Random& rng, const std::vector<T>& from) {
  return from[rng.below(from.size())];
}

// A count, size or index worth trying instead of `now`: off by one, zero, one,
// the reported lies (9 classes, 100000), and sizes no file could back.
std::uint64_t interesting(Random& rng, std::uint64_t now) {
  const std::vector<std::uint64_t> values = {0,          1,          2,          3,          9,      now - 1,
                                             now + 1,    2 * now,    255,        65535,      100000, 0x7fffffff,
                                             0x80000000, 0xffffffff, 1ull << 60, ~0ull >> 1, ~0ull};
  return pick(rng, values);
}

// ---- header edits

void edit_classes(nlohmann::json& h, Random& rng) {
  auto& classes = h["classes"];
  if (!classes.is_array()) return;
  switch (rng.below(4)) {
    case 0: classes.push_back("extra"); break;
    case 1:
      if (!classes.empty()) classes.erase(classes.size() - 1);
      break;
    case 2:  // the reported lie: nine classes
      classes = nlohmann::json::array();
      for (int c = 0; c < 9; ++c) classes.push_back("class" + std::to_string(c));
      break;
    case 3:
      if (!classes.empty()) classes.push_back(classes[0]);
      break;
  }
}

void edit_task(nlohmann::json& h, Random&) {
  h["task"] = h.value("task", "") == "regression" ? "classification" : "regression";
}

// Another estimator reads this body; half the time with its default parameters.
void edit_estimator(nlohmann::json& h, Random& rng) {
  h["estimator"]["name"] = pick(rng, estimators()).name;
  if (rng.below(2)) h["estimator"]["params"] = nlohmann::json::object();
}

void edit_params(nlohmann::json& h, Random& rng) {
  auto& params = h["estimator"]["params"];
  if (!params.is_object() || params.empty()) return;
  auto it = params.begin();
  std::advance(it, static_cast<long>(rng.below(params.size())));
  *it = pick(rng, std::vector<std::string>{"0", "1", "2", "1000000", "distance", "brute", "kd_tree"});
}

void edit_schema(nlohmann::json& schema, Random& rng) {
  if (!schema.is_array() || schema.empty()) return;
  auto& field = schema[rng.below(schema.size())];
  switch (rng.below(6)) {
    case 0:  // the other type
      if (field.value("type", "") == "numeric")
        field = {{"name", field["name"]}, {"type", "categorical"}, {"categories", nlohmann::json::array({"a", "b"})}};
      else field = {{"name", field["name"]}, {"type", "numeric"}};
      break;
    case 1:
      if (field.contains("categories")) field["categories"].push_back("added");
      break;
    case 2:
      if (field.contains("categories") && !field["categories"].empty()) field["categories"].erase(0);
      break;
    case 3: field["name"] = schema[rng.below(schema.size())]["name"]; break;
    case 4: schema.erase(rng.below(schema.size())); break;
    case 5: schema.push_back({{"name", "added"}, {"type", "numeric"}}); break;
  }
}

void edit_pipeline(nlohmann::json& h, Random& rng) {
  auto& steps = h["pipeline"];
  if (!steps.is_array() || steps.empty()) return;
  switch (rng.below(3)) {
    case 0: steps.erase(rng.below(steps.size())); break;
    case 1: std::swap(steps[rng.below(steps.size())], steps[rng.below(steps.size())]); break;
    case 2: {
      auto& step = steps[rng.below(steps.size())];
      step["transformer"] = pick(rng, transformers()).name;
      step["params"] = nlohmann::json::object();
      break;
    }
  }
}

// ---- body edits

// An offset holding a value `fits` (a likely count, size or index), or any offset.
template <class T, class Fits>
std::size_t find_value(const std::string& body, Random& rng, Fits fits) {
  std::size_t at = rng.below(body.size() - sizeof(T) + 1);
  for (int tries = 0; tries < 64; ++tries) {
    const std::size_t o = rng.below(body.size() - sizeof(T) + 1);
    T v;
    std::memcpy(&v, body.data() + o, sizeof v);
    if (fits(v)) return o;
  }
  return at;
}

template <class T>
void overwrite(std::string& body, std::size_t at, std::uint64_t value) {
  const auto v = static_cast<T>(value);
  std::memcpy(body.data() + at, &v, sizeof v);
}

// A u64 that looks like a count or length (no more than the body's size).
void edit_count(std::string& body, Random& rng) {
  if (body.size() < 8) return;
  const std::size_t at =
      find_value<std::uint64_t>(body, rng, [&](std::uint64_t v) { return v > 0 && v <= body.size(); });
  std::uint64_t now;
  std::memcpy(&now, body.data() + at, 8);
  overwrite<std::uint64_t>(body, at, interesting(rng, now));
}

// An i32 or u32 that looks like an index, a class count or a width.
void edit_index(std::string& body, Random& rng) {
  if (body.size() < 4) return;
  const std::size_t at = find_value<std::int32_t>(body, rng, [](std::int32_t v) { return v >= -1 && v < 4096; });
  std::uint32_t now;
  std::memcpy(&now, body.data() + at, 4);
  overwrite<std::uint32_t>(body, at, interesting(rng, now));
}

// XGBoost's own model inside the body: the class count after it, or a number in
// its JSON (a child, parent, feature, group, category or count), its length
// prefix rewritten to match.
void edit_xgboost(std::string& body, Random& rng) {
  const std::size_t start = body.find("{\"learner\"");
  if (start == std::string::npos || start < 8) return;
  std::uint64_t length;
  std::memcpy(&length, body.data() + start - 8, 8);
  if (length > body.size() - start) return;
  if (rng.below(3) == 0 && start + length + 8 == body.size()) {
    overwrite<std::uint64_t>(body, body.size() - 8, pick(rng, std::vector<std::uint64_t>{0, 1, 2, 3, 100000, ~0ull}));
    return;
  }
  std::string json = body.substr(start, length);
  std::size_t at = rng.below(json.size());
  while (at < json.size() && !std::isdigit(static_cast<unsigned char>(json[at]))) ++at;
  if (at == json.size()) return;
  std::size_t end = at;
  while (end < json.size() && std::isdigit(static_cast<unsigned char>(json[end]))) ++end;
  const std::string number = std::to_string(
      static_cast<std::int64_t>(interesting(rng, std::stoull(json.substr(at, std::min<std::size_t>(end - at, 18))))));
  json.replace(at, end - at, number);
  std::string length_bytes(8, '\0');
  const std::uint64_t n = json.size();
  std::memcpy(length_bytes.data(), &n, 8);
  body = body.substr(0, start - 8) + length_bytes + json + body.substr(start + length);
}

void edit(Parts& p, Random& rng) {
  switch (rng.below(11)) {
    case 0: edit_classes(p.header, rng); break;
    case 1: edit_task(p.header, rng); break;
    case 2: edit_estimator(p.header, rng); break;
    case 3: edit_params(p.header, rng); break;
    case 4: edit_schema(p.header["schema"], rng); break;
    case 5:
      if (p.header.contains("pipeline_output_schema")) edit_schema(p.header["pipeline_output_schema"], rng);
      break;
    case 6: edit_pipeline(p.header, rng); break;
    case 7:
    case 8: edit_count(p.body, rng); break;
    case 9: edit_index(p.body, rng); break;
    case 10: edit_xgboost(p.body, rng); break;
  }
}

}  // namespace

int model_file(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  load_and_predict(bytes);
  // Again with the checksum repaired, so mutations reach the header and body parsers.
  if (bytes.size() >= 8) {
    const std::uint64_t sum = Hasher().bytes(bytes.data(), bytes.size() - 8).digest();
    std::memcpy(bytes.data() + bytes.size() - 8, &sum, 8);
    load_and_predict(bytes);
  }
  return 0;
}

int model_structure(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::uint64_t seed = 0;
  if (input.starts_with(kMagic)) {  // a model file as it is (libFuzzer's seeds): its hash seeds the edits
    seed = Hasher().bytes(input.data(), input.size()).digest();
  } else {
    if (size < 8) return 0;
    std::memcpy(&seed, data, 8);
    input.remove_prefix(8);
  }
  auto parts = take_apart(input);
  if (!parts) return 0;
  Random rng(seed);
  const auto edits = 1 + rng.below(3);
  for (std::uint64_t e = 0; e < edits; ++e) edit(*parts, rng);
  load_and_predict(put_together(*parts));
  return 0;
}

}  // namespace shipml::fuzz
