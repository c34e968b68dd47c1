// The number parser of `xgrad eval` on arbitrary text: numbers, or a
// runtime_error naming line and column; a parsed value prints back to itself.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "numbers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    for (float v : xgrad::cli::parse_number_list<float>(text, "stdin")) {
      const auto back = xgrad::cli::parse_number<float>(xgrad::cli::format_number(v));
      if (!back || (!std::isnan(v) && *back != v)) __builtin_trap();  // must round-trip
    }
  } catch (const std::runtime_error&) {
  }
  try {
    for (double v : xgrad::cli::parse_number_list<double>(text, "stdin")) {
      const auto back = xgrad::cli::parse_number<double>(xgrad::cli::format_number(v));
      if (!back || (!std::isnan(v) && *back != v)) __builtin_trap();
    }
  } catch (const std::runtime_error&) {
  }
  return 0;
}
