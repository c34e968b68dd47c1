#pragma once
/// Whole-file reading and atomic writing with error messages that name the
/// path (private to xgrad_train).
#include <functional>
#include <string>
#include <string_view>

namespace xgrad::detail {

/// Cuts text taken from a file (a cell, a name) to `limit` characters before it
/// goes into a message: a 100 MB cell must not become a 100 MB message.
std::string shorten(std::string_view text, std::size_t limit = 40);

/// Reads the whole regular file at `path` into `contents`. On failure returns
/// false and sets `error` to a sentence naming the path and the reason
/// ("cannot open 'x.csv': no such file", "... is a directory, not a file").
bool read_whole_file(const std::string& path, std::string& contents, std::string& error);

/// Replaces `path` with `bytes` atomically: writes a temporary file in the same
/// directory, fsyncs and closes it, calls `before_rename` (a test hook; it may
/// throw), then renames it over `path`. On any failure the temporary file is
/// removed, an existing `path` is left untouched, and std::runtime_error is
/// thrown naming `path`.
void write_file_atomically(const std::string& path, std::string_view bytes,
                           const std::function<void()>& before_rename = {});

}  // namespace xgrad::detail
