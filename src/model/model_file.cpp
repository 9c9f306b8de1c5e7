// The model file: magic bytes, format version, a JSON header anyone can read,
// a binary body with the fitted state, and a checksum over both. Loading only
// parses; it never runs code from the file.
//
//   offset 0   8 bytes   magic "\x89SHIPML\n"
//          8   u32 LE    format version
//         12   u64 LE    header length H, then H bytes of JSON
//              u64 LE    body length B, then B bytes
//              u64 LE    FNV-1a 64 of every byte before it
#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>

#include "shipml/core/clock.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/hash.hpp"
#include "shipml/core/names.hpp"
#include "shipml/io/file.hpp"
#include "shipml/model/model.hpp"
#include "shipml/model/model_file.hpp"
#include "shipml/model/signature.hpp"

namespace shipml {
namespace {

constexpr std::string_view kMagic("\x89SHIPML\n", 8);

// "3 classes", or "no classes" (a regressor).
std::string classes_text(std::size_t n) { return n ? std::to_string(n) + " classes" : "no classes"; }

// The columns of `schema` with no rows, to run a pipeline on.
Frame no_rows(const Schema& schema) {
  std::vector<Column> columns;
  for (const auto& f : schema.fields())
    columns.push_back(f.type == ColumnType::numeric ? Column::numeric(f.name, {})
                                                    : Column::categorical(f.name, {}, f.categories));
  return Frame(std::move(columns), Frame::Trusted{});
}

}  // namespace

struct ModelFile {
  static std::string encode(const Model& m) {
    m.require_fitted("be saved");
    nlohmann::json header = {
        {"format", "shipml-model"},
        {"format_version", kModelFormatVersion},
        {"shipml_version", SHIPML_VERSION},
        {"created", utc_timestamp()},
        {"estimator", {{"name", m.estimator()}, {"params", m.params().values()}}},
        {"task", to_string(m.task_)},
        {"target", m.target_},
        {"classes", m.classes_},
        {"schema", m.schema_.to_json()},
        {"preprocessing", m.encoder_.describe()},
        {"metadata", m.metadata_},
    };
    // Format 2 adds the pipeline, format 3 calibration, a decision threshold
    // and a knn's row weights; a model is written in the oldest format that
    // holds it, which every shipml since reads. An older reader refuses a newer
    // file rather than predict without its steps, its calibration, its
    // threshold or its weights.
    const bool decided = m.calibrator_ || m.threshold_;
    const std::uint32_t version =
        std::max({decided ? 3u : 1u, m.pipeline_.empty() ? 1u : 2u, m.learner_->format_version()});
    header["format_version"] = version;
    // Any version: a reader ignores what it does not know, and predictions never read it.
    if (!m.encoded_means_.empty()) header["preprocessing"]["encoded_means"] = m.encoded_means_;
    if (!m.pipeline_.empty()) {
      header["pipeline"] = m.pipeline_.to_json();
      header["pipeline_output_schema"] = m.pipeline_schema_.to_json();
    }
    if (m.calibrator_)
      header["calibration"] = {{"method", to_string(m.calibrator_->method())},
                               {"input", to_string(m.calibrator_->input())},
                               {"cv", m.calibration_spec_ ? m.calibration_spec_->folds : 5}};
    if (m.threshold_) {
      header["threshold"] = {{"value", *m.threshold_}};
      if (m.threshold_spec_ && m.threshold_spec_->tuned()) {
        header["threshold"]["metric"] = m.threshold_spec_->metric;
        header["threshold"]["cv"] = m.threshold_spec_->folds;
        header["threshold"]["score"] = std::isfinite(m.threshold_score_) ? nlohmann::json(m.threshold_score_) : nullptr;
      }
    }
    if (m.drift_reference_) header["drift_reference"] = m.drift_reference_->to_json();
    BinaryWriter body;
    body.format_version = version;  // a knn's state has row weights from format 3 on
    m.encoder_.save(body);
    if (!m.pipeline_.empty()) m.pipeline_.save(body);
    m.learner_->save(body);
    if (m.calibrator_) m.calibrator_->save(body);

    BinaryWriter file;
    const std::string header_text = header.dump();
    file.u32(version);
    file.text(header_text);
    file.text(body.data());
    std::string out(kMagic);
    out += file.data();
    const std::uint64_t sum = Hasher().bytes(out.data(), out.size()).digest();
    out.append(reinterpret_cast<const char*>(&sum), sizeof sum);
    return out;
  }

  // The header's own parts agree: the estimator does the task, and there are
  // columns to read.
  static void check_header(const Model& m) {
    if (!m.info_->supports(m.task_))
      throw ModelError("the header's task is " + std::string(to_string(m.task_)) + ", which " + m.info_->name +
                       " does not do");
    if (m.schema_.fields().empty()) throw ModelError("the header's schema has no columns");
    if (!m.pipeline_.empty() && m.pipeline_schema_.fields().empty())
      throw ModelError("the header's pipeline_output_schema has no columns");
  }

  // The steps, run on no rows, take the schema's columns (each step its own
  // inputs, as many as its state has) and give exactly the columns the
  // pipeline_output_schema names; the encoder was checked against those. Each
  // output column traces back to a schema column.
  static void check_pipeline(const Model& m) {
    const Frame out = m.pipeline_.transform(no_rows(m.schema_));
    const auto& fields = m.pipeline_schema_.fields();
    if (out.cols() != fields.size())
      throw ModelError("the pipeline gives " + std::to_string(out.cols()) +
                       " columns but pipeline_output_schema names " + std::to_string(fields.size()));
    for (std::size_t j = 0; j < fields.size(); ++j) {
      const Column& c = out[j];
      if (c.name() != fields[j].name || c.type() != fields[j].type ||
          (!c.is_numeric() && c.categories() != *fields[j].categories))
        throw ModelError("the pipeline's column '" + c.name() + "' is not pipeline_output_schema's '" + fields[j].name +
                         "'");
    }
    const auto& lineage = m.pipeline_.lineage();
    if (lineage.size() != fields.size() ||
        std::any_of(lineage.begin(), lineage.end(), [&](std::size_t j) { return j >= m.schema_.fields().size(); }))
      throw ModelError("the pipeline's lineage does not match its columns");
  }

  // The learner reads the encoder's columns and predicts the header's classes:
  // predictions are indexed by both.
  static void check_learner(const Model& m) {
    const EstimatorShape shape = m.learner_->shape();
    const std::size_t width = m.encoder_.output_names().size();
    if (shape.features != width)
      throw ModelError("the encoder gives " + std::to_string(width) + " features but the " + m.info_->name + " reads " +
                       std::to_string(shape.features));
    if (shape.classes != m.classes_.size())
      throw ModelError("the header names " + classes_text(m.classes_.size()) + " but the " + m.info_->name +
                       " predicts " + classes_text(shape.classes));
  }

  // Format 3's header blocks: how the model was calibrated (the maps follow
  // the learner in the body) and its threshold. Both are a classifier's, the
  // threshold a binary one's, and each rebuilds the settings a refit uses.
  static void read_decision(Model& m, const nlohmann::json& header) {
    const bool binary = m.task_ == Task::classification && m.classes_.size() == 2;
    if (header.contains("calibration")) {
      const auto& c = header.at("calibration");
      if (m.task_ != Task::classification) throw ModelError("the header calibrates a regression model");
      const int folds = c.at("cv").get<int>();
      if (folds < 2) throw ModelError("the header's calibration cv is " + std::to_string(folds) + " (at least 2)");
      m.calibration_spec_ = CalibrationSpec{parse_calibration_method(c.at("method").get<std::string>()), folds};
      parse_calibration_input(c.at("input").get<std::string>());
    }
    if (header.contains("threshold")) {
      const auto& t = header.at("threshold");
      if (!binary)
        throw ModelError("the header's threshold is for two classes, and it names " + classes_text(m.classes_.size()));
      const double value = t.at("value").get<double>();
      if (!(value >= 0 && value <= 1))
        throw ModelError("the header's threshold " + format_number(value) + " is not a probability (0 to 1)");
      ThresholdSpec spec;
      if (t.contains("metric")) {
        spec.metric = t.at("metric").get<std::string>();
        spec.folds = t.at("cv").get<int>();
        if (t.contains("score") && t.at("score").is_number()) m.threshold_score_ = t.at("score").get<double>();
      } else {
        spec.value = value;
      }
      spec.check();
      m.threshold_spec_ = spec;
      m.threshold_ = value;
    }
  }

  // The training means of the encoded features (explanations of linear
  // learners start from them): one number per encoded feature, when present.
  static void read_encoded_means(Model& m, const nlohmann::json& header) {
    const auto& pre = header.value("preprocessing", nlohmann::json::object());
    if (!pre.is_object() || !pre.contains("encoded_means")) return;
    m.encoded_means_ = pre.at("encoded_means").get<std::vector<double>>();
    const std::size_t width = m.encoder_.output_names().size();
    if (m.encoded_means_.size() != width)
      throw ModelError("the header's encoded_means has " + std::to_string(m.encoded_means_.size()) + " numbers for " +
                       std::to_string(width) + " encoded features");
  }

  // The drift reference (any version; predictions never read it) describes
  // the schema's columns, in order, and predictions of the model's task.
  static void read_drift_reference(Model& m, const nlohmann::json& header) {
    if (!header.contains("drift_reference")) return;
    auto ref = DriftReference::from_json(header.at("drift_reference"));
    const auto& fields = m.schema_.fields();
    if (ref.columns.size() != fields.size())
      throw ModelError("the header's drift_reference has " + std::to_string(ref.columns.size()) + " columns for " +
                       std::to_string(fields.size()) + " in the schema");
    for (std::size_t j = 0; j < fields.size(); ++j)
      if (ref.columns[j].name != fields[j].name || ref.columns[j].type != fields[j].type)
        throw ModelError("the header's drift_reference column '" + ref.columns[j].name + "' is not the schema's '" +
                         fields[j].name + "'");
    const ColumnType predicted = m.task_ == Task::classification ? ColumnType::categorical : ColumnType::numeric;
    if (ref.prediction.type != predicted)
      throw ModelError("the header's drift_reference describes " + std::string(to_string(ref.prediction.type)) +
                       " predictions, and the model's are " + std::string(to_string(predicted)));
    m.drift_reference_ = std::make_shared<const DriftReference>(std::move(ref));
  }

  static Model decode(std::string_view bytes, const std::string& name) {
    auto fail = [&](const std::string& why) -> ModelError { return ModelError(name + ": " + why); };
    if (bytes.size() < kMagic.size() || bytes.substr(0, kMagic.size()) != kMagic)
      throw fail("not a shipml model file (no shipml magic bytes at the start)");
    if (bytes.size() < kMagic.size() + 4 + 8 + 8 + 8)
      throw fail("truncated model file (" + std::to_string(bytes.size()) + " bytes)");
    BinaryReader frame(bytes.substr(kMagic.size(), bytes.size() - kMagic.size() - 8));
    const std::uint32_t version = frame.u32();
    if (version > kModelFormatVersion)
      throw fail("model format version " + std::to_string(version) + " is newer than this shipml reads (" +
                 std::to_string(kModelFormatVersion) + "); upgrade shipml");
    if (version == 0) throw fail("invalid model format version 0");
    std::string header_text, body;
    try {
      header_text = frame.text();
      body = frame.text();
    } catch (const ModelError&) {
      throw fail("truncated model file (a section runs past the end)");
    }
    if (!frame.at_end()) throw fail("corrupted model file (unexpected bytes after the body)");
    std::uint64_t stored = 0;
    std::memcpy(&stored, bytes.data() + bytes.size() - 8, 8);
    if (Hasher().bytes(bytes.data(), bytes.size() - 8).digest() != stored)
      throw fail("corrupted model file (checksum mismatch)");

    try {
      const nlohmann::json header = nlohmann::json::parse(header_text);
      const auto& est = header.at("estimator");
      Model m;
      m.info_ = &find_estimator(est.at("name").get<std::string>());
      m.params_ =
          Params::validate(m.info_->name, m.info_->params, est.at("params").get<std::map<std::string, std::string>>());
      m.task_ = parse_task(header.at("task").get<std::string>());
      m.target_ = header.at("target").get<std::string>();
      m.classes_ = header.at("classes").get<std::vector<std::string>>();
      m.schema_ = Schema::from_json(header.at("schema"));
      m.metadata_ = header.value("metadata", nlohmann::json::object());
      if ((m.task_ == Task::classification) != (m.classes_.size() >= 2))
        throw fail("corrupted model file (task and classes disagree)");
      if (version >= 2 && header.contains("pipeline")) {
        m.pipeline_ = Pipeline(Pipeline::specs_from_json(header.at("pipeline")));
        m.pipeline_schema_ = Schema::from_json(header.at("pipeline_output_schema"));
      }
      if (version >= 3) read_decision(m, header);
      check_header(m);
      const Schema& encoded = m.pipeline_.empty() ? m.schema_ : m.pipeline_schema_;
      BinaryReader in(body);
      in.format_version = version;  // a knn's state has row weights from format 3 on
      m.encoder_.load(in);
      if (!m.encoder_.matches(encoded)) throw fail("corrupted model file (preprocessing does not match the schema)");
      m.encoder_.bind(encoded);
      read_encoded_means(m, header);
      if (!m.pipeline_.empty()) m.pipeline_.load(in);
      auto learner = m.info_->create(m.params_, m.task_);
      learner->load(in);
      if (m.calibration_spec_) {
        const auto& c = header.at("calibration");
        m.calibrator_.emplace();
        m.calibrator_->load(in, m.calibration_spec_->method, parse_calibration_input(c.at("input").get<std::string>()),
                            m.classes_.size());
      }
      if (!in.at_end()) throw fail("corrupted model file (unexpected bytes after the fitted state)");
      m.learner_ = std::move(learner);
      if (!m.pipeline_.empty()) check_pipeline(m);
      check_learner(m);
      read_drift_reference(m, header);
      return m;
    } catch (const nlohmann::json::exception& e) {
      throw fail(std::string("corrupted model header: ") + e.what());
    } catch (const ModelError& e) {
      const std::string what = e.what();
      throw what.starts_with(name + ":") ? e : fail(what);
    } catch (const UsageError& e) {
      throw fail(std::string("cannot load: ") + e.what());
    } catch (const DataError& e) {
      throw fail(std::string("corrupted model file: ") + e.what());
    } catch (const std::logic_error& e) {  // a count or index a crafted body got past the checks
      throw fail(std::string("corrupted model file: ") + e.what());
    }
  }
};

std::string encode_model(const Model& model) { return ModelFile::encode(model); }
// A signature block, when there is one, is not part of the model: whoever needs
// it checked checks it first (verify_model_signature).
Model decode_model(std::string_view bytes, const std::string& name) {
  return ModelFile::decode(unsigned_part(bytes), name);
}

nlohmann::json read_model_header(std::string_view bytes, const std::string& name) {
  decode_model(bytes, name);  // validates everything first
  BinaryReader frame(bytes.substr(kMagic.size()));
  frame.u32();
  return nlohmann::json::parse(frame.text());
}

void check_model_destination(const std::string& path) {
  std::error_code none;  // no file there, or not a regular one: nothing of the user's to keep
  const std::uintmax_t size = std::filesystem::file_size(path, none);
  if (!none && size > 0 && !file_starts_with(path, kMagic))
    throw UsageError(path + " exists and is not a shipml model file: not replacing it (choose another name, or "
                            "overwrite it with --force)");
}

void Model::save(const std::string& path, bool force) const {
  if (!force) check_model_destination(path);
  write_file_atomic(path, ModelFile::encode(*this));
}

Model Model::load(const std::string& path) {
  return decode_model(read_file(path), path);  // a missing file is a FileError
}

}  // namespace shipml
