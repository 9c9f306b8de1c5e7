// Model::fit_partitioned: training on rows read in chunks, on one rank or on
// every rank of a data-parallel job. Everything the model keeps beside the
// learner (schema, dictionaries, classes, encoder, fingerprint, drift
// reference) is computed from every chunk of every rank, merged in rank order,
// so that it is what one process reading the whole data would keep; only
// then does the learner train, through Estimator::fit_partitioned.
#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <optional>
#include <unordered_map>

#include "shipml/core/binary.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/hash.hpp"
#include "shipml/io/csv_chunks.hpp"
#include "shipml/model/model.hpp"

namespace shipml {
namespace {

// Every rank's profile, merged in rank order, and each rank's row count.
CsvProfile merged_profile(const CsvProfile& mine, Communicator& ranks, std::vector<std::uint64_t>& rows_per_rank) {
  CsvProfile all;
  for (const std::string& bytes : ranks.all_gather(mine.to_bytes())) {
    const CsvProfile theirs = CsvProfile::from_bytes(bytes);
    rows_per_rank.push_back(theirs.rows);
    all.merge(theirs);
  }
  return all;
}

CsvProfile::ColumnProfile& column_of(CsvProfile& profile, const std::string& name, const std::string& source) {
  for (auto& c : profile.columns)
    if (c.name == name) return c;
  throw DataError(source + ": no column named '" + name + "'");
}

// No rows, in the schema's columns: what the encoder learns its columns from.
Frame no_rows(const Schema& schema) {
  std::vector<Column> columns;
  for (const auto& f : schema.fields())
    columns.push_back(f.categories ? Column::categorical(f.name, {}, f.categories) : Column::numeric(f.name, {}));
  return Frame(std::move(columns), Frame::Trusted{});
}

// The features' schema as one process would infer it from the whole data.
Schema schema_of(const CsvProfile& profile, const std::string& target) {
  std::vector<Column> columns;
  for (const auto& c : profile.columns) {
    if (!c.text && !c.first_infinite.empty())
      throw DataError(c.first_infinite + " in column '" + c.name +
                      "' is not a finite number; shipml reads finite numbers only (an empty cell is missing)");
    if (c.name == target) continue;
    columns.push_back(c.text ? Column::categorical(c.name, {}, std::make_shared<const Categories>(c.categories))
                             : Column::numeric(c.name, {}));
  }
  return Schema::of(Frame(std::move(columns)));
}

// The task and classes the target's profile implies, as infer_task() and
// class_labels() find them on the whole column.
Task task_of(const CsvProfile::ColumnProfile& target, const FitOptions& options, std::vector<std::string>& classes) {
  const Task task = options.task                                                       ? *options.task
                    : target.text || (target.integers && target.distinct.size() <= 20) ? Task::classification
                                                                                       : Task::regression;
  if (task == Task::regression && target.text)
    throw DataError("target '" + target.name + "' holds text" +
                    (target.categories.empty() ? "" : " ('" + target.categories.front() + "')") +
                    ", so it cannot be a regression target");
  if (task != Task::classification) return task;
  if (!options.classes.empty()) {
    classes = options.classes;
  } else if (target.text) {
    classes = target.categories;
  } else {
    if (target.distinct.size() >= CsvProfile::kDistinct)
      throw UsageError("target '" + target.name +
                       "' has more than 20 distinct numbers: training in chunks or over "
                       "ranks takes a numeric classification target of at most 20 classes");
    for (const double v : target.distinct) classes.push_back(format_number(v));
  }
  if (classes.size() < 2)
    throw DataError("target '" + target.name + "' has one class in the training rows" +
                    (classes.empty() ? "" : " ('" + classes.front() + "')") + "; a classifier needs at least two");
  return task;
}

// The sampled rows of the drift reference, as bytes: per block, its rows,
// then each column's values (numbers, or codes into the schema's dictionary).
void append_rows(BinaryWriter& out, const Frame& conformed, const std::vector<std::size_t>& rows) {
  const Frame taken = conformed.take(rows);
  out.u64(taken.rows());
  for (const Column& c : taken.columns()) {
    if (c.is_numeric()) out.array(std::vector<double>(c.values().begin(), c.values().end()));
    else out.array(std::vector<std::int32_t>(c.codes().begin(), c.codes().end()));
  }
}

Frame sampled_frame(const Schema& schema, const std::vector<std::string>& blocks) {
  const auto& fields = schema.fields();
  std::vector<std::vector<double>> numbers(fields.size());
  std::vector<std::vector<std::int32_t>> codes(fields.size());
  for (const std::string& bytes : blocks) {
    BinaryReader in(bytes);
    while (!in.at_end()) {
      in.u64();
      for (std::size_t j = 0; j < fields.size(); ++j) {
        if (fields[j].categories) {
          const auto part = in.array<std::int32_t>();
          codes[j].insert(codes[j].end(), part.begin(), part.end());
        } else {
          const auto part = in.array<double>();
          numbers[j].insert(numbers[j].end(), part.begin(), part.end());
        }
      }
    }
  }
  std::vector<Column> columns;
  for (std::size_t j = 0; j < fields.size(); ++j)
    columns.push_back(fields[j].categories
                          ? Column::categorical(fields[j].name, std::move(codes[j]), fields[j].categories)
                          : Column::numeric(fields[j].name, std::move(numbers[j])));
  return Frame(std::move(columns));
}

// The content of this rank's rows, column by column in row order, whatever the chunks.
class ChunkedFingerprint {
 public:
  void add(const Frame& features, const Column& target) {
    if (hashes_.empty()) hashes_.resize(features.cols() + 1);
    for (std::size_t j = 0; j <= features.cols(); ++j) {
      const Column& c = j < features.cols() ? features[j] : target;
      if (names_.size() < hashes_.size()) names_.push_back(c.name());
      Hasher& h = hashes_[j];
      if (c.is_numeric()) {
        for (const double v : c.values())
          h.word(std::isnan(v) ? 0x7ff8000000000000ULL : std::bit_cast<std::uint64_t>(v));
        continue;
      }
      for (const std::int32_t code : c.codes())
        h.word(code < 0 ? 0 : Hasher{}.text(c.categories()[static_cast<std::size_t>(code)]).digest());
    }
    rows_ += features.rows();
  }
  std::string bytes() const {
    Hasher h;
    h.word(rows_);
    for (std::size_t j = 0; j < hashes_.size(); ++j) h.text(names_[j]).word(hashes_[j].digest());
    return h.hex();
  }

 private:
  std::vector<Hasher> hashes_;
  std::vector<std::string> names_;
  std::uint64_t rows_ = 0;
};

// This rank's rows, encoded chunk by chunk as the learner reads them.
class EncodedChunks final : public FeatureChunks {
 public:
  EncodedChunks(const CsvChunks& data, CsvOptions typed, const Schema& schema, const FeatureEncoder& encoder,
                std::size_t rows)
      : data_(data), typed_(std::move(typed)), schema_(schema), encoder_(encoder), rows_(rows),
        infos_(encoder.transform(no_rows(schema)).infos()) {}
  std::size_t rows() const override { return rows_; }
  const std::vector<FeatureInfo>& infos() const override { return infos_; }
  void for_each(const std::function<void(std::size_t, const FeatureMatrix&)>& each) override {
    data_.for_each(typed_, [&](std::size_t first_row, const Frame& chunk) {
      each(first_row, encoder_.transform(schema_.conform(chunk)));
    });
  }

 private:
  const CsvChunks& data_;
  CsvOptions typed_;
  const Schema& schema_;
  const FeatureEncoder& encoder_;
  std::size_t rows_;
  std::vector<FeatureInfo> infos_;
};

}  // namespace

void Model::fit_partitioned(const CsvChunks& data, const std::string& target, const FitOptions& options,
                            Communicator& ranks) {
  const std::string what = ranks.size() > 1 ? "data-parallel training" : "training in chunks";
  if (calibration_spec_ || threshold_spec_)
    throw UsageError(what + " does not calibrate or tune a threshold (they need out-of-fold predictions of every "
                            "row): train without --calibrate and --threshold");
  if (!pipeline_.empty()) throw UsageError(what + " takes an estimator alone, not a pipeline of steps");
  if (info_->encoding != InputEncoding::ordinal)
    throw UsageError(what + " is for tree learners (hist_gbdt, random_forest); " + info_->name +
                     " needs its inputs one-hot encoded and scaled over every row at once");
  if (!options.weights.empty()) throw UsageError(what + " does not take row weights yet");

  // Pass 1: what each column holds, on every rank, merged in rank order.
  CsvProfile mine;
  ranks.agree_on([&] { mine = data.profile(target); });
  std::vector<std::uint64_t> rows_per_rank;
  CsvProfile all = merged_profile(mine, ranks, rows_per_rank);
  // A column that is text somewhere but numbers elsewhere: the numbers' texts, read again.
  std::vector<std::string> incomplete;
  for (const auto& c : all.columns)
    if (c.text && !c.complete) incomplete.push_back(c.name);
  if (!incomplete.empty()) {
    std::vector<std::vector<std::string>> texts;
    ranks.agree_on([&] { texts = data.texts(incomplete); });
    BinaryWriter out;
    for (const auto& t : texts) out.texts(t);
    for (const std::string& bytes : ranks.all_gather(out.data())) {
      BinaryReader in(bytes);
      for (const std::string& name : incomplete) {
        auto& c = column_of(all, name, data.describe());
        std::vector<std::string> more = in.texts(), both;
        std::set_union(c.categories.begin(), c.categories.end(), more.begin(), more.end(), std::back_inserter(both));
        c.categories = std::move(both);
      }
    }
  }

  Schema schema;
  Task task = Task::regression;
  std::vector<std::string> classes;
  std::string target_type;
  ranks.agree_on([&] {
    const auto& y = column_of(all, target, data.describe());
    schema = schema_of(all, target);
    if (schema.fields().empty()) throw DataError("no feature columns to train on");
    if (all.rows == 0) throw DataError("no rows to train on");
    task = task_of(y, options, classes);
    if (!info_->supports(task))
      throw UsageError(info_->name + " does not do " + std::string(to_string(task)) + " (target '" + target +
                       "' looks like " + std::string(to_string(task)) + "; pass the task explicitly if it is not)");
    target_type = y.text ? "categorical" : "numeric";
  });

  // Every later pass reads each column with its type fixed.
  CsvOptions typed = data.options();
  typed.categorical.clear();
  typed.numeric.clear();
  for (const auto& c : all.columns) (c.text ? typed.categorical : typed.numeric).push_back(c.name);
  FeatureEncoder encoder(info_->encoding);
  encoder.fit(no_rows(schema));

  // Pass 2: the target, the fingerprint and the drift reference's rows, checking every row.
  std::uint64_t offset = 0;
  for (int r = 0; r < ranks.rank(); ++r) offset += rows_per_rank[static_cast<std::size_t>(r)];
  const std::vector<std::size_t> sample = DriftReference::sample_rows(all.rows);
  std::unordered_map<std::string, int> class_index;
  for (std::size_t k = 0; k < classes.size(); ++k) class_index.emplace(classes[k], static_cast<int>(k));
  std::vector<double> y;
  y.reserve(mine.rows);
  ChunkedFingerprint streamed;
  std::string whole_fingerprint;
  std::size_t chunks = 0;
  BinaryWriter sampled;
  std::optional<FeatureMatrix> only_chunk;
  ranks.agree_on([&] {
    data.for_each(typed, [&](std::size_t first_row, const Frame& chunk) {
      const Column& labels = chunk.column(target);
      const Frame features = chunk.without(target);
      const std::string where = data.describe() + ", row " + std::to_string(offset + first_row + 1) + " and after";
      for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels.is_missing(i))
          throw DataError("target column '" + target + "' is missing a value at row " +
                          std::to_string(offset + first_row + i + 1) + " (" + where + "); drop or fill those rows");
        if (task == Task::regression) {
          y.push_back(labels.values()[i]);
          continue;
        }
        const auto it = class_index.find(labels.text(i));
        if (it == class_index.end())
          throw DataError("target value '" + labels.text(i) + "' at row " + std::to_string(offset + first_row + i + 1) +
                          " is not one of the classes");
        y.push_back(it->second);
      }
      streamed.add(features, labels);
      if (chunks++ == 0) whole_fingerprint = fingerprint(features, labels);
      const Frame conformed = schema.conform(features);
      std::vector<std::size_t> taken;
      const auto from = std::lower_bound(sample.begin(), sample.end(), offset + first_row);
      for (auto it = from; it != sample.end() && *it < offset + first_row + chunk.rows(); ++it)
        taken.push_back(*it - offset - first_row);
      if (!taken.empty()) append_rows(sampled, conformed, taken);
      only_chunk = chunks == 1 ? std::optional(encoder.transform(conformed)) : std::nullopt;
    });
  });

  // One process reading the data whole fingerprints it as fit() does; chunks
  // or ranks give a fingerprint of the same content that names them.
  std::string print;
  if (ranks.size() == 1 && chunks == 1) {
    print = whole_fingerprint;
  } else {
    Hasher h;
    for (const auto& p : ranks.all_gather(streamed.bytes())) h.text(p);
    print = h.hex();
  }

  auto learner = info_->create(params_, task);
  const auto start = std::chrono::steady_clock::now();
  const int n_classes = task == Task::classification ? static_cast<int>(classes.size()) : 0;
  if (only_chunk || mine.rows == 0) {
    const FeatureMatrix X = only_chunk ? std::move(*only_chunk) : encoder.transform(no_rows(schema));
    WholeMatrix whole(X);
    learner->fit_partitioned(whole, y, n_classes, {}, ranks);
  } else {
    EncodedChunks chunked(data, typed, schema, encoder, mine.rows);
    learner->fit_partitioned(chunked, y, n_classes, {}, ranks);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  task_ = task;
  classes_ = std::move(classes);
  target_ = target;
  schema_ = std::move(schema);
  pipeline_ = pipeline_.unfitted();
  pipeline_schema_ = Schema();
  encoder_ = std::move(encoder);
  encoded_means_.clear();
  learner_ = std::move(learner);
  metadata_ = nlohmann::json::object();
  metadata_["training"] = {{"rows", all.rows},           {"columns", schema_.fields().size()},
                           {"target_type", target_type}, {"fingerprint", print},
                           {"fit_seconds", seconds},     {"ranks", ranks.size()}};
  if (ranks.size() > 1 || chunks > 1) metadata_["training"]["fingerprint_kind"] = "partitioned";
  // The drift reference's rows are the ones fit() samples from the whole data;
  // predicting them also refuses a fit whose outputs are not numbers.
  const Frame reference_rows = sampled_frame(schema_, ranks.all_gather(sampled.data()));
  const Column predicted = predict(reference_rows).column("prediction");
  drift_reference_.reset();
  if (options.drift_reference)
    drift_reference_ = std::make_shared<const DriftReference>(DriftReference::of(reference_rows, predicted));
}

}  // namespace shipml
