#pragma once
// Running helper programs (gnuplot, Graphviz's dot) and writing pictures atomically.
#include <filesystem>
#include <string>
#include <vector>

namespace xgrad::cli {

/// The full path of `program` on $PATH, or "" when it is not there.
std::string find_on_path(const std::string& program);

/// Runs argv[0] (a full path) with stdin from /dev/null and stdout+stderr into
/// `log`; throws std::runtime_error "WHAT failed: <its last message>" unless it exits 0.
void run_program(const std::vector<std::string>& argv, const std::filesystem::path& log, const std::string& what);

/// A private directory under $TMPDIR, removed with everything inside on destruction.
class TemporaryDirectory {
 public:
  TemporaryDirectory();
  ~TemporaryDirectory();
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// "svg", "png" or "dot"-like: the lower-case extension of `path` without the dot.
std::string extension_of(const std::string& path);

/// Checks that `path` can be written (not a directory, its directory exists); throws UsageError naming `option`.
void check_output_path(const std::string& option, const std::string& path);

/// Calls write(partial) to produce a file next to `path`, then renames it into
/// place: a failure never leaves a partial file behind.
template <class Write>
void write_atomically(const std::filesystem::path& path, Write&& write);

}  // namespace xgrad::cli

#include <unistd.h>

namespace xgrad::cli {

template <class Write>
void write_atomically(const std::filesystem::path& path, Write&& write) {
  namespace fs = std::filesystem;
  const fs::path partial = path.parent_path() / ("." + path.filename().string() + ".partial-" + std::to_string(::getpid()));
  std::error_code error;
  try {
    write(partial);
    if (fs::file_size(partial, error) == 0 || error) throw std::runtime_error("nothing was written to " + path.string());
    fs::rename(partial, path);
  } catch (...) {
    fs::remove(partial, error);
    throw;
  }
}

}  // namespace xgrad::cli
