#include "xgrad/train/npz.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <set>

#include <zip.h>

#include <xtensor/xnpy.hpp>

#include "file_io.hpp"
#include "npy.hpp"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "xgrad's .npz code reads and writes little-endian data only"
#endif

namespace xgrad {
namespace {

std::atomic<bool> fail_next_save{false};


// ---------------------------------------------------------------- zip handling

/// Frees a zip archive opened for reading when it goes out of scope.
struct ZipReader {
  zip_t* archive;
  ~ZipReader() { zip_discard(archive); }
};

/// The bytes of member `index`, checked against its size and CRC by libzip.
std::string read_member(zip_t* archive, zip_uint64_t index, const zip_stat_t& stat) {
  zip_file_t* file = zip_fopen_index(archive, index, 0);
  if (file == nullptr) throw std::runtime_error(std::string("cannot open it: ") + zip_strerror(archive));
  std::string bytes;
  if (stat.valid & ZIP_STAT_SIZE) bytes.reserve(std::min<zip_uint64_t>(stat.size, 1u << 24));
  char chunk[1 << 16];
  for (;;) {
    const zip_int64_t n = zip_fread(file, chunk, sizeof chunk);
    if (n < 0) {
      const std::string reason = zip_file_strerror(file);
      zip_fclose(file);
      throw std::runtime_error("the archive is corrupt: " + reason);
    }
    if (n == 0) break;
    bytes.append(chunk, static_cast<std::size_t>(n));
  }
  zip_fclose(file);
  if ((stat.valid & ZIP_STAT_SIZE) && bytes.size() != stat.size)
    throw std::runtime_error("the archive is corrupt: the member has " + std::to_string(bytes.size()) +
                             " bytes instead of " + std::to_string(stat.size));
  return bytes;
}

/// The bytes of a zip archive holding `members` (name, contents), stored uncompressed.
std::string build_zip(const std::vector<std::pair<std::string, std::string>>& members) {
  if (members.empty()) return std::string("PK\x05\x06", 4) + std::string(18, '\0');  // an empty zip
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (buffer == nullptr) throw std::runtime_error(zip_error_strerror(&error));
  zip_source_keep(buffer);  // keep it past zip_close, to read the result
  zip_t* archive = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  if (archive == nullptr) {
    zip_source_free(buffer);
    zip_source_free(buffer);
    throw std::runtime_error(zip_error_strerror(&error));
  }
  const auto fail = [&](const std::string& what) {
    const std::string reason = what + ": " + zip_strerror(archive);
    zip_discard(archive);
    zip_source_free(buffer);
    throw std::runtime_error(reason);
  };
  for (const auto& [name, bytes] : members) {
    zip_source_t* source = zip_source_buffer(archive, bytes.data(), bytes.size(), 0);
    if (source == nullptr) fail("cannot add '" + name + "'");
    const zip_int64_t index = zip_file_add(archive, name.c_str(), source, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      zip_source_free(source);
      fail("cannot add '" + name + "'");
    }
    // Stored like numpy.savez; a fixed time stamp makes equal arrays give equal files.
    if (zip_set_file_compression(archive, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0) != 0 ||
        zip_file_set_mtime(archive, static_cast<zip_uint64_t>(index), 315532800 + 86400, 0) != 0)
      fail("cannot add '" + name + "'");
  }
  if (zip_close(archive) != 0) fail("cannot write the archive");

  std::string result;
  zip_stat_t stat;
  if (zip_source_open(buffer) != 0 || zip_source_stat(buffer, &stat) != 0) {
    zip_source_free(buffer);
    throw std::runtime_error("cannot read back the archive");
  }
  result.resize(static_cast<std::size_t>(stat.size));
  const zip_int64_t n = zip_source_read(buffer, result.data(), stat.size);
  zip_source_close(buffer);
  zip_source_free(buffer);
  if (n != static_cast<zip_int64_t>(stat.size)) throw std::runtime_error("cannot read back the archive");
  return result;
}

}  // namespace

void save_npz(const std::string& path, const std::vector<std::pair<std::string, NpzArray>>& arrays) {
  std::vector<std::pair<std::string, std::string>> members;
  std::set<std::string> names;
  for (const auto& [name, array] : arrays) {
    if (name.empty() || name.find('\0') != std::string::npos)
      throw std::invalid_argument("save_npz('" + path + "'): array names must be non-empty text");
    if (!names.insert(name).second)
      throw std::invalid_argument("save_npz('" + path + "'): the array name '" + name + "' is used twice");
    members.emplace_back(name + ".npy", std::visit([](const auto& t) { return xt::dump_npy(t); }, array));
  }
  std::string bytes;
  try {
    bytes = build_zip(members);
  } catch (const std::exception& e) {
    throw NpzError("cannot save '" + path + "': " + e.what());
  }
  try {
    detail::write_file_atomically(path, bytes, [] {
      if (fail_next_save.exchange(false)) throw std::runtime_error("simulated failure before rename (test hook)");
    });
  } catch (const std::runtime_error& e) {  // its message names the path
    throw NpzError(e.what());
  }
}

NpzArchive parse_npz(std::string_view bytes, const std::string& source) {
  const std::string prefix = "cannot load '" + source + "': ";
  if (bytes.empty()) throw NpzError(prefix + "not an .npz archive (the file is empty)");
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (buffer == nullptr) throw NpzError(prefix + zip_error_strerror(&error));
  zip_t* archive = zip_open_from_source(buffer, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  if (archive == nullptr) {
    zip_source_free(buffer);
    const int code = zip_error_code_zip(&error);
    const bool looks_like_zip = bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4);
    std::string reason;
    if (code == ZIP_ER_NOZIP && !looks_like_zip) reason = "not an .npz archive (not a zip file)";
    else if (code == ZIP_ER_NOZIP) reason = "the .npz archive is truncated or corrupt (no zip directory found)";
    else if (code == ZIP_ER_INCONS) reason = "the .npz archive is corrupt (inconsistent zip structure)";
    else reason = std::string("cannot read the .npz archive: ") + zip_error_strerror(&error);
    zip_error_fini(&error);
    throw NpzError(prefix + reason);
  }
  ZipReader reader{archive};

  NpzArchive arrays;
  const zip_int64_t count = zip_get_num_entries(archive, 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    const auto index = static_cast<zip_uint64_t>(i);
    zip_stat_t stat;
    if (zip_stat_index(archive, index, 0, &stat) != 0 || !(stat.valid & ZIP_STAT_NAME))
      throw NpzError(prefix + "the .npz archive is corrupt (unreadable member " + std::to_string(i) + ")");
    const std::string member = stat.name;
    const std::string member_label = prefix + "member '" + detail::shorten(member, 100) + "': ";
    NpzArray array;
    try {
      array = detail::parse_npy(read_member(archive, index, stat));
    } catch (const std::bad_alloc&) {
      throw NpzError(member_label + "out of memory");
    } catch (const std::exception& e) {
      throw NpzError(member_label + e.what());
    }
    const bool has_suffix = member.size() > 4 && member.compare(member.size() - 4, 4, ".npy") == 0;
    const std::string name = has_suffix ? member.substr(0, member.size() - 4) : member;
    if (!arrays.emplace(name, std::move(array)).second)
      throw NpzError(member_label + "the array name '" + detail::shorten(name, 100) + "' appears twice");
  }
  return arrays;
}

NpzArchive load_npz(const std::string& path) {
  std::string bytes, error;
  if (!detail::read_whole_file(path, bytes, error)) throw NpzError(error);
  return parse_npz(bytes, path);
}

std::string npz_dtype(const NpzArray& array) {
  static const char* const names[] = {"float32", "float64", "int64", "uint8"};
  return names[array.index()];
}

NpzArray text_to_npz_array(std::string_view text) {
  Tensor<std::uint8_t> bytes = Tensor<std::uint8_t>::from_shape({text.size()});
  if (!text.empty()) std::memcpy(bytes.data(), text.data(), text.size());
  return bytes;
}

std::string npz_array_to_text(const NpzArray& array) {
  const auto* bytes = std::get_if<Tensor<std::uint8_t>>(&array);
  if (bytes == nullptr || bytes->dimension() != 1)
    throw NpzError("expected a text stored as a 1-D uint8 array, got a " + npz_dtype(array) + " array" +
                   (bytes ? " of shape " + shape_of(*bytes) : std::string()));
  return std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size());
}

namespace testing {
void fail_next_save_before_rename() { fail_next_save = true; }
}  // namespace testing

}  // namespace xgrad
