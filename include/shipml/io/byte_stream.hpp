#pragma once
/// \file
/// Bytes in and out of files, compressed or not. Readers recognise gzip and
/// zstd by the file's first bytes (whatever its name); writers compress as the
/// caller asks (by the target's extension, for data files) and make the file
/// visible only when it is complete.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "shipml/core/export.hpp"

namespace shipml {

/// How a file's bytes are stored.
enum class Compression { none, gzip, zstd };
/// "none", "gzip" or "zstd".
SHIPML_API std::string_view to_string(Compression compression);
/// What the file's first bytes say it is (1f 8b: gzip, 28 b5 2f fd: zstd); a
/// FileError naming the file when it cannot be opened.
SHIPML_API Compression detect_compression(const std::string& path);
/// What a file to be written should be, by its name: .gz gzip, .zst zstd.
SHIPML_API Compression compression_for(const std::string& path);

/// A file's bytes, decompressed, read front to back.
class SHIPML_API ByteReader {
 public:
  virtual ~ByteReader();
  /// Reads up to `n` bytes into `into`; 0 only at the end of the data. A
  /// truncated or corrupt archive is a DataError naming the file.
  virtual std::size_t read(char* into, std::size_t n) = 0;
  /// How the file is stored.
  virtual Compression compression() const = 0;
};

/// Opens `path` for reading, decompressing gzip (several members, as `cat a.gz
/// b.gz` makes) and zstd (several frames) as its first bytes say.
SHIPML_API std::unique_ptr<ByteReader> open_byte_reader(const std::string& path);

/// The whole file, decompressed when it is compressed.
SHIPML_API std::string read_text(const std::string& path);

/// Writes a file so that it appears complete or not at all: bytes go to a
/// temporary beside the target (PATH.tmp.PID), optionally through gzip or
/// zstd; commit() finishes the compressor, flushes to disk and renames the
/// temporary over the target. Destroyed without commit(), the temporary is
/// removed. A failed write (disk full, I/O error) is a FileError naming the
/// target ("PATH: write failed: No space left on device"), and the temporary
/// is removed then too.
class SHIPML_API AtomicFileWriter {
 public:
  /// Starts writing `path` (through `compression`) under a temporary name beside it.
  explicit AtomicFileWriter(std::string path, Compression compression = Compression::none);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  /// Appends bytes (compressed when asked for).
  void write(std::string_view bytes);
  /// Makes the file visible at its path, complete. Nothing may be written after.
  void commit();
  /// The target's path.
  const std::string& path() const { return path_; }
  /// The temporary written until commit().
  const std::string& temporary() const { return temporary_; }

  class Encoder;  // a compressor between write() and the file

 private:
  void write_out(const char* data, std::size_t size);
  [[noreturn]] void fail(const std::string& what, int error);
  void abort() noexcept;

  std::string path_, temporary_;
  int fd_ = -1;
  std::unique_ptr<Encoder> encoder_;
};

}  // namespace shipml
