// CSV and JSON-lines files as sinks. Rows are formatted into one reused
// buffer and written in large pieces through an AtomicFileWriter (compressed
// by the file's extension), so batch scoring's millions of rows cost little
// and the file appears only when committed.
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "io/csv_format.hpp"
#include "io/csv_source.hpp"
#include "shipml/core/error.hpp"
#include "shipml/io/byte_stream.hpp"

namespace shipml::csv {
namespace {

constexpr std::size_t kWriteFrom = 1 << 20;  // bytes buffered before a write

class TextFileSink : public DataSink {
 public:
  TextFileSink(SinkSpec spec, std::string kind) : spec_(std::move(spec)), kind_(std::move(kind)) {
    if (spec_.location != "-")
      file_ = std::make_unique<AtomicFileWriter>(spec_.location, compression_for(spec_.location));
  }

  void write(const Frame& rows) override {
    if (committed_) throw UsageError(spec_.location + ": rows written after commit");
    if (!started_) {
      names_ = rows.names();
      start(buffer_, rows);
      started_ = true;
    } else if (rows.names() != names_) {
      throw DataError(spec_.location + ": rows with other columns than those written before");
    }
    // Pieces of rows, so a large frame does not make a buffer as large.
    for (std::size_t begin = 0; begin < rows.rows();) {
      const std::size_t end = std::min(rows.rows(), begin + 4096);
      append(buffer_, rows, begin, end);
      begin = end;
      if (buffer_.size() >= kWriteFrom) flush();
    }
    rows_ += rows.rows();
    if (!file_) flush();  // standard output: rows go out as they come
  }

  void commit() override {
    if (committed_) return;
    flush();
    if (file_) file_->commit();
    committed_ = true;
  }

  std::string describe() const override { return spec_.location; }
  nlohmann::json record() const override { return {{"kind", kind_}, {"location", spec_.location}, {"rows", rows_}}; }

 protected:
  virtual void start(std::string& out, const Frame& rows) = 0;
  virtual void append(std::string& out, const Frame& rows, std::size_t begin, std::size_t end) = 0;

 private:
  void flush() {
    if (buffer_.empty()) return;
    if (file_) file_->write(buffer_);
    else write_standard_output();
    buffer_.clear();
  }

  void write_standard_output() {
    for (std::size_t done = 0; done < buffer_.size();) {
      const ssize_t n = ::write(STDOUT_FILENO, buffer_.data() + done, buffer_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw FileError("standard output: write failed: " + std::string(std::strerror(errno)), errno);
      done += static_cast<std::size_t>(n);
    }
  }

  SinkSpec spec_;
  std::string kind_;
  std::unique_ptr<AtomicFileWriter> file_;  // null for standard output
  std::string buffer_;
  std::vector<std::string> names_;
  std::size_t rows_ = 0;
  bool started_ = false, committed_ = false;
};

class CsvFileSink : public TextFileSink {
 public:
  explicit CsvFileSink(SinkSpec spec) : TextFileSink(std::move(spec), "csv") {}

 protected:
  void start(std::string& out, const Frame& rows) override { append_header(out, rows); }
  void append(std::string& out, const Frame& rows, std::size_t begin, std::size_t end) override {
    append_rows(out, rows, begin, end);
  }
};

class JsonLinesSink : public TextFileSink {
 public:
  explicit JsonLinesSink(SinkSpec spec) : TextFileSink(std::move(spec), "jsonl") {}

 protected:
  void start(std::string&, const Frame&) override {}
  void append(std::string& out, const Frame& rows, std::size_t begin, std::size_t end) override {
    append_json_lines(out, rows, begin, end);
  }
};

}  // namespace

std::unique_ptr<DataSink> open_csv_sink(const SinkSpec& spec) { return std::make_unique<CsvFileSink>(spec); }
std::unique_ptr<DataSink> open_json_lines_sink(const SinkSpec& spec) { return std::make_unique<JsonLinesSink>(spec); }

}  // namespace shipml::csv
