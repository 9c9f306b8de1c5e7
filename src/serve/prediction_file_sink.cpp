// The prediction log as a JSON-lines file, rotated by size: FILE grows to
// max_bytes, then becomes FILE.1 (FILE.1 becomes FILE.2, ... up to keep_files)
// and a new FILE starts. A batch is one write() of whole lines, and rotation
// happens only between lines, so no record is ever split across two files.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "prediction_sinks.hpp"
#include "shipml/core/error.hpp"

namespace shipml::serve {
namespace {

class FileSink : public PredictionSink {
 public:
  FileSink(std::string path, std::size_t max_bytes, int keep)
      : path_(std::move(path)), max_bytes_(max_bytes), keep_(keep) {
    open();
  }
  ~FileSink() override {
    if (fd_ >= 0) ::close(fd_);
  }

  void write(const std::deque<PredictionRecord>& batch) override {
    std::string chunk;
    for (const auto& record : batch) {
      std::string line = record_json(record) + "\n";
      // A FIFO or a character device has no size to rotate by.
      if (regular_ && size_ + chunk.size() > 0 && size_ + chunk.size() + line.size() > max_bytes_) {
        append(chunk);
        chunk.clear();
        rotate();
      }
      chunk += line;
    }
    append(chunk);
  }

 private:
  void open() {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) throw FileError("cannot open the prediction log " + path_ + ": " + std::strerror(errno), errno);
    struct stat st {};
    ::fstat(fd_, &st);
    regular_ = S_ISREG(st.st_mode);
    size_ = regular_ ? static_cast<std::size_t>(st.st_size) : 0;
  }
  void append(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw FileError("cannot write the prediction log " + path_ + ": " + std::strerror(errno), errno);
      done += static_cast<std::size_t>(n);
    }
    size_ += bytes.size();
  }
  void rotate() {
    ::close(fd_);
    fd_ = -1;
    const auto numbered = [&](int i) { return path_ + "." + std::to_string(i); };
    ::unlink(numbered(keep_).c_str());
    for (int i = keep_ - 1; i >= 1; --i) ::rename(numbered(i).c_str(), numbered(i + 1).c_str());
    if (keep_ >= 1) ::rename(path_.c_str(), numbered(1).c_str());
    else ::unlink(path_.c_str());
    open();
  }

  std::string path_;
  std::size_t max_bytes_;
  int keep_;
  int fd_ = -1;
  bool regular_ = true;
  std::size_t size_ = 0;
};

}  // namespace

std::unique_ptr<PredictionSink> open_file_prediction_sink(const PredictionLogOptions& options) {
  return std::make_unique<FileSink>(options.target, options.max_bytes, options.keep_files);
}

}  // namespace shipml::serve
