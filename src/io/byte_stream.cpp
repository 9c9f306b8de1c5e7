// Reading files' bytes, plain, gzip or zstd, recognised by their first bytes.
#include "shipml/io/byte_stream.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "shipml/core/error.hpp"
#include "shipml/io/file.hpp"

namespace shipml {

std::string_view to_string(Compression compression) {
  switch (compression) {
    case Compression::gzip: return "gzip";
    case Compression::zstd: return "zstd";
    case Compression::none: break;
  }
  return "none";
}

Compression compression_for(const std::string& path) {
  if (path.ends_with(".gz")) return Compression::gzip;
  if (path.ends_with(".zst")) return Compression::zstd;
  return Compression::none;
}

namespace {

constexpr std::size_t kInputBuffer = 1 << 18;

// An open descriptor, closed with the object.
class File {
 public:
  explicit File(const std::string& path) : path_(path), fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) throw FileError(path + ": cannot open: " + std::strerror(errno), errno);
  }
  ~File() { ::close(fd_); }
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  std::size_t read(char* into, std::size_t n) {
    for (;;) {
      const ssize_t got = ::read(fd_, into, n);
      if (got >= 0) return static_cast<std::size_t>(got);
      if (errno != EINTR) throw FileError(path_ + ": read error: " + std::strerror(errno), errno);
    }
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_;
};

Compression compression_of(std::string_view start) {
  if (start.starts_with("\x1f\x8b")) return Compression::gzip;
  if (start.starts_with("\x28\xb5\x2f\xfd")) return Compression::zstd;
  return Compression::none;
}

class PlainReader : public ByteReader {
 public:
  explicit PlainReader(const std::string& path) : file_(path) {}
  std::size_t read(char* into, std::size_t n) override { return file_.read(into, n); }
  Compression compression() const override { return Compression::none; }

 private:
  File file_;
};

// Compressed input: refills a buffer from the file, which the decoder drains.
class CompressedInput {
 public:
  explicit CompressedInput(const std::string& path) : file_(path), buffer_(kInputBuffer) {}
  // True when unread input remains (after a refill if needed).
  bool available() {
    if (begin_ < end_) return true;
    if (eof_) return false;
    begin_ = 0;
    end_ = file_.read(buffer_.data(), buffer_.size());
    eof_ = end_ == 0;
    return end_ > 0;
  }
  const char* data() const { return buffer_.data() + begin_; }
  std::size_t size() const { return end_ - begin_; }
  void consume(std::size_t n) { begin_ += n; }
  const std::string& path() const { return file_.path(); }

 private:
  File file_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
};

class GzipReader : public ByteReader {
 public:
  explicit GzipReader(const std::string& path) : in_(path) {
    // 15 + 32: the largest window, and a gzip or zlib header detected.
    if (inflateInit2(&stream_, 15 + 32) != Z_OK) throw DataError(path + ": cannot start gzip decompression");
  }
  ~GzipReader() override { inflateEnd(&stream_); }

  std::size_t read(char* into, std::size_t n) override {
    const auto want = static_cast<uInt>(std::min<std::size_t>(n, 1u << 30));
    stream_.next_out = reinterpret_cast<Bytef*>(into);
    stream_.avail_out = want;
    while (stream_.avail_out == want && want > 0) {
      const bool input = in_.available();
      if (ended_) {
        // `cat a.gz b.gz` is one gzip file of two members: go on while input remains.
        if (!input) break;
        inflateReset(&stream_);
        ended_ = false;
      }
      // With no input left, inflate may still hold output; if it has none, the data was cut short.
      stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input ? in_.data() : nullptr));
      stream_.avail_in = static_cast<uInt>(input ? in_.size() : 0);
      const int status = inflate(&stream_, Z_NO_FLUSH);
      if (input) in_.consume(in_.size() - stream_.avail_in);
      if (status == Z_STREAM_END) ended_ = true;
      else if (status == Z_NEED_DICT || status == Z_DATA_ERROR || status == Z_MEM_ERROR)
        throw DataError(in_.path() + ": corrupt gzip data" +
                        (stream_.msg ? std::string(" (") + stream_.msg + ")" : ""));
      else if (!input && stream_.avail_out == want) throw DataError(in_.path() + ": truncated gzip data");
    }
    return want - stream_.avail_out;
  }
  Compression compression() const override { return Compression::gzip; }

 private:
  CompressedInput in_;
  z_stream stream_{};
  bool ended_ = false;
};

class ZstdReader : public ByteReader {
 public:
  explicit ZstdReader(const std::string& path) : in_(path), stream_(ZSTD_createDStream()) {
    if (!stream_) throw DataError(path + ": cannot start zstd decompression");
  }
  ~ZstdReader() override { ZSTD_freeDStream(stream_); }

  std::size_t read(char* into, std::size_t n) override {
    ZSTD_outBuffer out{into, n, 0};
    while (out.pos == 0 && n > 0) {
      // Frames follow each other; the data may end only where a frame does. With
      // no input left, the decoder may still hold output of the current frame.
      const bool input = in_.available();
      if (!input && !in_frame_) return 0;
      ZSTD_inBuffer in{input ? in_.data() : nullptr, input ? in_.size() : 0, 0};
      const std::size_t hint = ZSTD_decompressStream(stream_, &out, &in);
      if (input) in_.consume(in.pos);
      if (ZSTD_isError(hint)) throw DataError(in_.path() + ": corrupt zstd data (" + ZSTD_getErrorName(hint) + ")");
      in_frame_ = hint != 0;
      if (!input && out.pos == 0 && in_frame_) throw DataError(in_.path() + ": truncated zstd data");
    }
    return out.pos;
  }
  Compression compression() const override { return Compression::zstd; }

 private:
  CompressedInput in_;
  ZSTD_DStream* stream_;
  bool in_frame_ = false;
};

}  // namespace

ByteReader::~ByteReader() = default;

Compression detect_compression(const std::string& path) {
  File file(path);
  char start[4];
  std::size_t got = 0;
  while (got < sizeof start) {
    const std::size_t n = file.read(start + got, sizeof start - got);
    if (n == 0) break;
    got += n;
  }
  return compression_of(std::string_view(start, got));
}

std::unique_ptr<ByteReader> open_byte_reader(const std::string& path) {
  switch (detect_compression(path)) {
    case Compression::gzip: return std::make_unique<GzipReader>(path);
    case Compression::zstd: return std::make_unique<ZstdReader>(path);
    case Compression::none: break;
  }
  return std::make_unique<PlainReader>(path);
}

std::string read_text(const std::string& path) {
  const Compression compression = detect_compression(path);
  if (compression == Compression::none) return read_file(path);
  struct stat info {};
  const std::size_t stored = ::stat(path.c_str(), &info) == 0 ? static_cast<std::size_t>(info.st_size) : 0;
  auto reader = open_byte_reader(path);
  std::string out(std::max<std::size_t>(stored * 4, 1 << 16), '\0');  // CSV compresses about 4 to 10 times
  std::size_t size = 0;
  for (;;) {
    if (size == out.size()) out.resize(out.size() * 2);
    const std::size_t n = reader->read(out.data() + size, out.size() - size);
    if (n == 0) break;
    size += n;
  }
  out.resize(size);
  return out;
}

}  // namespace shipml
