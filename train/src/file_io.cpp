#include "file_io.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace xgrad::detail {

std::string shorten(std::string_view text, std::size_t limit) {
  return std::string(text.substr(0, limit)) + (text.size() > limit ? "..." : "");
}

namespace {

std::string quoted(const std::string& path) { return "'" + path + "'"; }

/// Closes a file descriptor when it goes out of scope (unless released).
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

/// Writes all of `bytes` to `fd`, retrying short writes; false on error (errno set).
bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

/// Makes a rename in `dir` durable; best effort (some file systems refuse).
void fsync_directory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

bool read_whole_file(const std::string& path, std::string& contents, std::string& error) {
  contents.clear();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = "cannot open " + quoted(path) + ": " +
            (errno == ENOENT ? std::string("no such file") : std::strerror(errno));
    return false;
  }
  FdCloser closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) == 0) {
    if (S_ISDIR(info.st_mode)) {
      error = "cannot read " + quoted(path) + ": it is a directory, not a file";
      return false;
    }
    if (S_ISREG(info.st_mode)) contents.reserve(static_cast<std::size_t>(info.st_size));
  }
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      error = "cannot read " + quoted(path) + ": " + std::strerror(errno);
      return false;
    }
    contents.append(buffer, static_cast<std::size_t>(n));
  }
}

void write_file_atomically(const std::string& path, std::string_view bytes,
                           const std::function<void()>& before_rename) {
  namespace fs = std::filesystem;
  const auto fail = [&](const std::string& reason) {
    throw std::runtime_error("cannot save " + quoted(path) + ": " + reason);
  };
  const fs::path target(path);
  if (target.filename().empty()) fail("not a file name");
  std::error_code ec;
  if (fs::is_directory(target, ec)) fail("it is a directory");
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");

  // A unique name beside the target, so that the final rename stays on one file system.
  static std::atomic<unsigned> counter{0};
  std::string temporary;
  int fd = -1;
  for (int attempt = 0; fd < 0 && attempt < 100; ++attempt) {
    temporary = (dir / ("." + target.filename().string() + ".tmp." + std::to_string(::getpid()) +
                        "." + std::to_string(counter++)))
                    .string();
    fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0)
    fail("cannot create a temporary file in " + quoted(dir.string()) + ": " + std::strerror(errno));

  const auto fail_and_remove = [&](const std::string& reason) {
    if (fd >= 0) ::close(fd);
    ::unlink(temporary.c_str());
    fail(reason);
  };
  if (!write_all(fd, bytes)) fail_and_remove(std::string("write failed: ") + std::strerror(errno));
  if (::fsync(fd) != 0) fail_and_remove(std::string("fsync failed: ") + std::strerror(errno));
  const int closed = ::close(fd);
  fd = -1;
  if (closed != 0) fail_and_remove(std::string("close failed: ") + std::strerror(errno));
  if (before_rename) {
    try {
      before_rename();
    } catch (const std::exception& e) {
      fail_and_remove(e.what());
    }
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0)
    fail_and_remove(std::string("rename failed: ") + std::strerror(errno));
  fsync_directory(dir.string());
}

}  // namespace xgrad::detail
