#include "shipml/io/file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "shipml/core/error.hpp"

namespace shipml {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileError(path + ": cannot open: " + std::strerror(errno), errno);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw FileError(path + ": read error", EIO);
  return std::move(buffer).str();
}

namespace {

// Temporaries a killed writer left beside `path` (PATH.tmp.PID, of a process
// that no longer exists) are removed at the next write of the same file, so
// kill -9 costs disk space only until then.
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

}  // namespace

void write_file_atomic(const std::string& path, const std::string& contents) {
  remove_stale_temporaries(path);
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw FileError(path + ": cannot write: " + std::strerror(errno), errno);
  std::size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : ENOSPC;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw FileError(path + ": write failed: " + std::strerror(error), error);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const int error = errno;
    ::unlink(tmp.c_str());
    throw FileError(path + ": write failed: " + std::strerror(error), error);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(tmp.c_str());
    throw FileError(path + ": cannot rename into place: " + std::strerror(error), error);
  }
}

void copy_file_atomic(const std::string& from, const std::string& to) {
  namespace fs = std::filesystem;
  remove_stale_temporaries(to);
  const std::string tmp = to + ".tmp." + std::to_string(::getpid());
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
