#include "npy.hpp"

#include <cstring>
#include <limits>
#include <set>
#include <stdexcept>

#include <xtensor/xmanipulation.hpp>

#include "file_io.hpp"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "xgrad's .npy code reads little-endian data only"
#endif

namespace xgrad::detail {

namespace {

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

}  // namespace

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

}  // namespace xgrad::detail
