// Streaming a file into place: a temporary beside the target, optionally
// compressed, renamed over it once complete.
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "io/temporaries.hpp"
#include "shipml/core/error.hpp"
#include "shipml/io/byte_stream.hpp"

namespace shipml {

// Compresses what write() is given into a buffer, which it hands to the file
// whenever it fills.
class AtomicFileWriter::Encoder {
 public:
  virtual ~Encoder() = default;
  virtual void feed(std::string_view bytes, AtomicFileWriter& out) = 0;
  virtual void finish(AtomicFileWriter& out) = 0;

 protected:
  // Hands the first `size` bytes of the buffer to the file.
  void emit(AtomicFileWriter& out, std::size_t size) { out.write_out(buffer_.data(), size); }
  std::vector<char> buffer_ = std::vector<char>(1 << 18);
};

namespace {

class GzipEncoder : public AtomicFileWriter::Encoder {
 public:
  explicit GzipEncoder(const std::string& path) {
    // 15 + 16: the largest window, written as gzip (not zlib) format.
    if (deflateInit2(&stream_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      throw DataError(path + ": cannot start gzip compression");
  }
  ~GzipEncoder() override { deflateEnd(&stream_); }
  void feed(std::string_view bytes, AtomicFileWriter& out) override {
    while (!bytes.empty()) {  // deflate counts in 32 bits
      const std::size_t piece = std::min<std::size_t>(bytes.size(), 1u << 30);
      run(bytes.substr(0, piece), Z_NO_FLUSH, out);
      bytes.remove_prefix(piece);
    }
  }
  void finish(AtomicFileWriter& out) override { run({}, Z_FINISH, out); }

 private:
  void run(std::string_view bytes, int flush, AtomicFileWriter& out);
  z_stream stream_{};
};

class ZstdEncoder : public AtomicFileWriter::Encoder {
 public:
  explicit ZstdEncoder(const std::string& path) : stream_(ZSTD_createCCtx()) {
    if (!stream_) throw DataError(path + ": cannot start zstd compression");
    ZSTD_CCtx_setParameter(stream_, ZSTD_c_checksumFlag, 1);  // as the zstd tool writes: damage is caught
  }
  ~ZstdEncoder() override { ZSTD_freeCCtx(stream_); }
  void feed(std::string_view bytes, AtomicFileWriter& out) override { run(bytes, ZSTD_e_continue, out); }
  void finish(AtomicFileWriter& out) override { run({}, ZSTD_e_end, out); }

 private:
  void run(std::string_view bytes, ZSTD_EndDirective mode, AtomicFileWriter& out);
  ZSTD_CCtx* stream_;
};

}  // namespace

AtomicFileWriter::AtomicFileWriter(std::string path, Compression compression)
    : path_(std::move(path)), temporary_(detail::temporary_for(path_)) {
  detail::remove_stale_temporaries(path_);
  fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw FileError(path_ + ": cannot write: " + std::strerror(errno), errno);
  try {
    if (compression == Compression::gzip) encoder_ = std::make_unique<GzipEncoder>(path_);
    if (compression == Compression::zstd) encoder_ = std::make_unique<ZstdEncoder>(path_);
  } catch (...) {
    abort();
    throw;
  }
}

AtomicFileWriter::~AtomicFileWriter() { abort(); }

void AtomicFileWriter::abort() noexcept {
  if (fd_ < 0) return;
  ::close(fd_);
  ::unlink(temporary_.c_str());
  fd_ = -1;
}

void AtomicFileWriter::fail(const std::string& what, int error) {
  abort();
  throw FileError(path_ + ": " + what + ": " + std::strerror(error), error);
}

void AtomicFileWriter::write(std::string_view bytes) {
  if (fd_ < 0) throw FileError(path_ + ": write after the file was committed or abandoned", EBADF);
  if (encoder_) encoder_->feed(bytes, *this);
  else write_out(bytes.data(), bytes.size());
}

void AtomicFileWriter::write_out(const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd_, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("write failed", n < 0 ? errno : ENOSPC);
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

void AtomicFileWriter::commit() {
  if (fd_ < 0) throw FileError(path_ + ": commit after the file was committed or abandoned", EBADF);
  if (encoder_) encoder_->finish(*this);
  if (::fsync(fd_) != 0) fail("write failed", errno);
  const int closed = ::close(fd_);
  fd_ = -1;
  if (closed != 0) {
    const int error = errno;
    ::unlink(temporary_.c_str());
    throw FileError(path_ + ": write failed: " + std::strerror(error), error);
  }
  if (::rename(temporary_.c_str(), path_.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary_.c_str());
    throw FileError(path_ + ": cannot rename into place: " + std::strerror(error), error);
  }
}

// The encoders' loops: compress until the input is taken (and, finishing,
// until the compressor says the stream is complete), writing each full buffer.
void GzipEncoder::run(std::string_view bytes, int flush, AtomicFileWriter& out) {
  stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream_.avail_in = static_cast<uInt>(bytes.size());
  for (;;) {
    stream_.next_out = reinterpret_cast<Bytef*>(buffer_.data());
    stream_.avail_out = static_cast<uInt>(buffer_.size());
    const int status = deflate(&stream_, flush);
    if (status == Z_STREAM_ERROR) throw DataError(out.path() + ": gzip compression failed");
    emit(out, buffer_.size() - stream_.avail_out);
    if (flush == Z_FINISH ? status == Z_STREAM_END : stream_.avail_in == 0 && stream_.avail_out > 0) return;
  }
}

void ZstdEncoder::run(std::string_view bytes, ZSTD_EndDirective mode, AtomicFileWriter& out) {
  ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
  for (;;) {
    ZSTD_outBuffer piece{buffer_.data(), buffer_.size(), 0};
    const std::size_t left = ZSTD_compressStream2(stream_, &piece, &in, mode);
    if (ZSTD_isError(left)) throw DataError(out.path() + ": zstd compression failed: " + ZSTD_getErrorName(left));
    emit(out, piece.pos);
    if (mode == ZSTD_e_end ? left == 0 : in.pos == in.size) return;
  }
}

}  // namespace shipml
