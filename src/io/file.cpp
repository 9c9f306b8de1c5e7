#include "shipml/io/file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "io/temporaries.hpp"
#include "shipml/core/error.hpp"
#include "shipml/io/byte_stream.hpp"

namespace shipml {

std::string read_file(const std::string& path) {
  // One fstat and one read into a string of the right size: no stream buffers,
  // no second copy (a training file can be gigabytes).
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw FileError(path + ": cannot open: " + std::strerror(errno), errno);
  struct stat info {};
  std::string out;
  if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode)) out.resize(static_cast<std::size_t>(info.st_size));
  std::size_t size = 0;
  for (;;) {
    if (size == out.size()) out.resize(std::max<std::size_t>(out.size() * 2, 1 << 16));  // grew, or a pipe
    const ssize_t n = ::read(fd, out.data() + size, out.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      throw FileError(path + ": read error: " + std::strerror(error), error);
    }
    if (n == 0) break;
    size += static_cast<std::size_t>(n);
  }
  ::close(fd);
  out.resize(size);
  return out;
}

namespace detail {

std::string temporary_for(const std::string& path) { return path + ".tmp." + std::to_string(::getpid()); }

void remove_stale_temporaries(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const std::string prefix = target.filename().string() + ".tmp.";
  const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const std::string pid = name.substr(std::min(name.size(), prefix.size()));
    if (!name.starts_with(prefix) || pid.empty() || pid.size() > 9 ||
        pid.find_first_not_of("0123456789") != std::string::npos)
      continue;
    const auto owner = static_cast<pid_t>(std::stol(pid));
    if (owner != ::getpid() && ::kill(owner, 0) != 0 && errno == ESRCH) {
      std::error_code ignored;  // another writer may have removed it first
      fs::remove(it->path(), ignored);
    }
  }
}

}  // namespace detail

void write_file_atomic(const std::string& path, const std::string& contents) {
  AtomicFileWriter out(path);
  out.write(contents);
  out.commit();
}

void copy_file_atomic(const std::string& from, const std::string& to) {
  namespace fs = std::filesystem;
  detail::remove_stale_temporaries(to);
  const std::string tmp = detail::temporary_for(to);
  std::error_code ec;
  fs::copy_file(from, tmp, fs::copy_options::overwrite_existing, ec);
  if (!ec) fs::rename(tmp, to, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw FileError(to + ": cannot copy " + from + " into place: " + ec.message(), ec.value());
  }
}

bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {
  }, sb{};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

bool file_starts_with(const std::string& path, std::string_view prefix) {
  std::ifstream in(path, std::ios::binary);
  std::string start(prefix.size(), '\0');
  return in && in.read(start.data(), static_cast<std::streamsize>(start.size())) && start == prefix;
}

}  // namespace shipml
