#include "xgrad/train/npz.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>
#include <set>

#include <zip.h>

#include <xtensor/xmanipulation.hpp>
#include <xtensor/xnpy.hpp>

#include "file_io.hpp"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "xgrad's .npz code reads and writes little-endian data only"
#endif

namespace xgrad {
namespace {

std::atomic<bool> fail_next_save{false};

/// Cuts text taken from a file before it goes into a message.
std::string shorten(std::string_view text, std::size_t limit = 40) {
  return std::string(text.substr(0, limit)) + (text.size() > limit ? "..." : "");
}

// ---------------------------------------------------------------- NPY parsing
// Written by hand rather than with xt::load_npy, which trusts its input (no
// bounds checks on the header, no check that the data is all there).

/// The header dictionary of an NPY array.
struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  Shape shape;
};

/// A bounds-checked parser of the Python literal in an NPY header, e.g.
/// {'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }
class NpyHeaderParser {
 public:
  explicit NpyHeaderParser(std::string_view text) : text_(text) {}

  NpyHeader parse() {
    NpyHeader header;
    std::set<std::string> keys;
    expect('{');
    for (;;) {
      skip_spaces();
      if (accept('}')) break;
      const std::string key = string_literal();
      if (!keys.insert(key).second) fail("key '" + shorten(key) + "' appears twice");
      skip_spaces();
      expect(':');
      skip_spaces();
      if (key == "descr") {
        if (peek() != '\'' && peek() != '"')
          throw std::runtime_error("unsupported dtype (structured or non-string descr)");
        header.descr = string_literal();
      } else if (key == "fortran_order") {
        header.fortran_order = boolean();
      } else if (key == "shape") {
        header.shape = tuple();
      } else {
        fail("unexpected key '" + shorten(key) + "'");
      }
      skip_spaces();
      if (accept(',')) continue;
      expect('}');
      break;
    }
    skip_spaces();
    if (pos_ != text_.size()) fail("unexpected text after the dictionary");
    if (keys.size() != 3) fail("the keys 'descr', 'fortran_order' and 'shape' are required");
    return header;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("invalid NPY header: " + what);
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  bool accept(char c) {
    if (peek() != c || pos_ >= text_.size()) return false;
    ++pos_;
    return true;
  }
  void expect(char c) {
    if (!accept(c)) fail(std::string("expected '") + c + "' at offset " + std::to_string(pos_));
  }
  void skip_spaces() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\r' || text_[pos_] == '\n'))
      ++pos_;
  }
  /// 'text' or "text", without escapes.
  std::string string_literal() {
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail("expected a string at offset " + std::to_string(pos_));
    const std::size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) fail("unterminated string");
    std::string value(text_.substr(pos_ + 1, end - pos_ - 1));
    if (value.find('\\') != std::string::npos) fail("escapes in strings are not supported");
    pos_ = end + 1;
    return value;
  }
  bool boolean() {
    for (const auto& [word, value] : {std::pair<std::string_view, bool>{"True", true}, {"False", false}}) {
      if (text_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        return value;
      }
    }
    fail("fortran_order must be True or False");
  }
  /// (d0, d1, ...) of non-negative integers; a trailing comma is allowed.
  Shape tuple() {
    Shape shape;
    expect('(');
    for (;;) {
      skip_spaces();
      if (accept(')')) break;
      shape.push_back(integer());
      if (shape.size() > 64) fail("more than 64 dimensions");
      skip_spaces();
      if (accept(',')) continue;
      expect(')');
      break;
    }
    return shape;
  }
  std::size_t integer() {
    const std::size_t start = pos_;
    std::size_t value = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      const auto digit = static_cast<std::size_t>(text_[pos_++] - '0');
      if (value > (std::numeric_limits<std::size_t>::max() - digit) / 10) fail("dimension too large");
      value = value * 10 + digit;
    }
    if (pos_ == start) fail("expected a dimension at offset " + std::to_string(start));
    accept('L');  // written by Python 2
    return value;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

/// Element count × item size, or throws if it overflows.
std::size_t byte_count(const Shape& shape, std::size_t item_size) {
  std::size_t bytes = item_size;
  for (const auto d : shape) {
    if (d != 0 && bytes > std::numeric_limits<std::size_t>::max() / d)
      throw std::runtime_error("the shape " + shape_to_string(shape) + " is too large");
    bytes *= d;
  }
  return bytes;
}

/// A tensor of `shape` holding `data` (C or Fortran order).
template <class T>
NpzArray tensor_from_bytes(const Shape& shape, bool fortran_order, std::string_view data) {
  const bool reversed = fortran_order && shape.size() > 1;
  Tensor<T> tensor = Tensor<T>::from_shape(reversed ? Shape(shape.rbegin(), shape.rend()) : shape);
  if (!data.empty()) std::memcpy(tensor.data(), data.data(), data.size());
  if (reversed) return Tensor<T>(xt::transpose(tensor));
  return tensor;
}

/// The little-endian unsigned integer of `width` bytes at `offset` (the caller checks the bounds).
std::size_t read_le(std::string_view bytes, std::size_t offset, std::size_t width) {
  std::size_t value = 0;
  for (std::size_t i = 0; i < width; ++i)
    value |= static_cast<std::size_t>(static_cast<unsigned char>(bytes[offset + i])) << (8 * i);
  return value;
}

/// Decodes one NPY file (versions 1.0, 2.0 and 3.0); throws std::runtime_error
/// saying what is wrong.
NpzArray parse_npy(std::string_view bytes) {
  const std::string_view magic("\x93NUMPY", 6);
  if (bytes.size() < 10 || bytes.substr(0, 6) != magic) throw std::runtime_error("not an NPY array (bad magic)");
  const int major = static_cast<unsigned char>(bytes[6]), minor = static_cast<unsigned char>(bytes[7]);
  if (major < 1 || major > 3 || minor != 0)
    throw std::runtime_error("unsupported NPY version " + std::to_string(major) + "." + std::to_string(minor));
  const std::size_t length_width = major == 1 ? 2 : 4;
  const std::size_t header_start = 8 + length_width;
  if (bytes.size() < header_start) throw std::runtime_error("truncated NPY header");
  const std::size_t header_length = read_le(bytes, 8, length_width);
  if (header_length > bytes.size() - header_start) throw std::runtime_error("truncated NPY header");
  const NpyHeader header = NpyHeaderParser(bytes.substr(header_start, header_length)).parse();
  const std::string_view data = bytes.substr(header_start + header_length);

  struct DType {
    const char* descr;
    std::size_t size;
    NpzArray (*decode)(const Shape&, bool, std::string_view);
  };
  static const DType dtypes[] = {
      {"<f4", 4, tensor_from_bytes<float>},        {"<f8", 8, tensor_from_bytes<double>},
      {"<i8", 8, tensor_from_bytes<std::int64_t>}, {"|u1", 1, tensor_from_bytes<std::uint8_t>},
      {"<u1", 1, tensor_from_bytes<std::uint8_t>},
  };
  for (const auto& dtype : dtypes) {
    if (header.descr != dtype.descr) continue;
    const std::size_t expected = byte_count(header.shape, dtype.size);
    if (data.size() != expected)
      throw std::runtime_error("the data of shape " + shape_to_string(header.shape) + " and dtype '" +
                               header.descr + "' takes " + std::to_string(expected) + " bytes, but " +
                               std::to_string(data.size()) + " are present");
    return dtype.decode(header.shape, header.fortran_order, data);
  }
  throw std::runtime_error("unsupported dtype '" + shorten(header.descr) +
                           "' (supported: float32 '<f4', float64 '<f8', int64 '<i8', uint8 '|u1')");
}

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
    const std::string member_label = prefix + "member '" + shorten(member, 100) + "': ";
    NpzArray array;
    try {
      array = parse_npy(read_member(archive, index, stat));
    } catch (const std::bad_alloc&) {
      throw NpzError(member_label + "out of memory");
    } catch (const std::exception& e) {
      throw NpzError(member_label + e.what());
    }
    const bool has_suffix = member.size() > 4 && member.compare(member.size() - 4, 4, ".npy") == 0;
    const std::string name = has_suffix ? member.substr(0, member.size() - 4) : member;
    if (!arrays.emplace(name, std::move(array)).second)
      throw NpzError(member_label + "the array name '" + shorten(name, 100) + "' appears twice");
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
