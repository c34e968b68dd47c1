#pragma once
/// NumPy .npz archives: a zip of `name.npy` members (NPY format 1.0), as
/// written by numpy.savez and read by numpy.load.
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <xgrad/core/tensor.hpp>

namespace xgrad {

/// A problem reading or writing an .npz file; the message names the path.
class NpzError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One array of an archive, in one of the supported dtypes:
/// float32 ('<f4'), float64 ('<f8'), int64 ('<i8') and uint8 ('|u1').
using NpzArray = std::variant<Tensor<float>, Tensor<double>, Tensor<std::int64_t>, Tensor<std::uint8_t>>;

/// The arrays of an archive by name (the member name without ".npy").
using NpzArchive = std::map<std::string, NpzArray>;

/// Writes `arrays` to `path` as an .npz (uncompressed, like numpy.savez).
/// Atomic: the archive is written to a temporary file in the same directory
/// and renamed over `path`, so a failure leaves an existing file untouched.
/// Names must be non-empty and unique (std::invalid_argument otherwise);
/// I/O failures throw NpzError naming the path.
void save_npz(const std::string& path, const std::vector<std::pair<std::string, NpzArray>>& arrays);

/// Reads every array of the .npz at `path`. Throws NpzError naming the path
/// (and the member) for a missing or unreadable file, a file that is not a zip
/// archive, a truncated or corrupt archive, a member that is not valid NPY,
/// and an unsupported dtype.
NpzArchive load_npz(const std::string& path);

/// Parses .npz bytes already in memory; `source` names them in messages.
/// load_npz is this on a file's contents (and a fuzzer's entry point).
NpzArchive parse_npz(std::string_view bytes, const std::string& source);

/// The NumPy name of an array's dtype: "float32", "float64", "int64" or "uint8".
std::string npz_dtype(const NpzArray& array);

/// Stores a text (such as JSON) as a 1-D uint8 array.
NpzArray text_to_npz_array(std::string_view text);

/// Reads back a text stored by text_to_npz_array; throws NpzError if the array
/// is not 1-D uint8.
std::string npz_array_to_text(const NpzArray& array);

/// The array `name` of `archive` as a Tensor<T>; throws NpzError if it is
/// missing or has another dtype.
template <class T>
const Tensor<T>& npz_get(const NpzArchive& archive, const std::string& name) {
  const auto it = archive.find(name);
  if (it == archive.end()) throw NpzError("the archive has no array '" + name + "'");
  const auto* tensor = std::get_if<Tensor<T>>(&it->second);
  if (tensor == nullptr)
    throw NpzError("array '" + name + "' has dtype " + npz_dtype(it->second) + ", expected " +
                   npz_dtype(NpzArray(Tensor<T>())));
  return *tensor;
}

namespace testing {
/// Makes the next save_npz fail after writing its temporary file and before
/// renaming it over the target (to test that the old file survives).
void fail_next_save_before_rename();
}  // namespace testing

}  // namespace xgrad
