// Files as sources and sinks. A first, whole-file version: the source reads
// the file at once and hands it out as one block; the sink keeps the CSV text
// and writes it atomically at commit.
#include <iostream>

#include "shipml/core/error.hpp"
#include "shipml/io/data_source.hpp"
#include "shipml/io/file.hpp"

namespace shipml {
namespace {

class CsvFileSource : public DataSource {
 public:
  explicit CsvFileSource(SourceSpec spec) : spec_(std::move(spec)) {}
  Frame read_all() override { return read_csv(spec_.location, spec_.read); }
  std::optional<SourceBlock> next_block(std::size_t) override {
    if (done_) return std::nullopt;
    done_ = true;
    return SourceBlock{0, [this] { return read_all(); }};
  }
  std::string describe() const override { return spec_.location; }
  nlohmann::json record() const override { return {{"kind", "csv"}, {"location", spec_.location}}; }

 private:
  SourceSpec spec_;
  bool done_ = false;
};

class CsvFileSink : public DataSink {
 public:
  explicit CsvFileSink(SinkSpec spec) : spec_(std::move(spec)) {}
  void write(const Frame& rows) override {
    std::string text = to_csv(rows);
    if (rows_ > 0 || wrote_header_) text.erase(0, text.find('\n') + 1);
    wrote_header_ = true;
    text_ += text;
    rows_ += rows.rows();
  }
  void commit() override {
    if (spec_.location == "-") std::cout << text_ << std::flush;
    else write_file_atomic(spec_.location, text_);
  }
  std::string describe() const override { return spec_.location; }
  nlohmann::json record() const override { return {{"kind", "csv"}, {"location", spec_.location}, {"rows", rows_}}; }

 private:
  SinkSpec spec_;
  std::string text_;
  std::size_t rows_ = 0;
  bool wrote_header_ = false;
};

}  // namespace

std::unique_ptr<DataSource> open_file_source(const SourceSpec& spec) {
  if (is_database_uri(spec.location))
    throw UsageError(redact_location(spec.location) + ": a database needs the full library (sources/open.hpp)");
  return std::make_unique<CsvFileSource>(spec);
}

std::unique_ptr<DataSink> open_file_sink(const SinkSpec& spec) {
  if (is_database_uri(spec.location))
    throw UsageError(redact_location(spec.location) + ": a database needs the full library (sources/open.hpp)");
  return std::make_unique<CsvFileSink>(spec);
}

}  // namespace shipml
