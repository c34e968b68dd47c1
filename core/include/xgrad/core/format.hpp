#pragma once
/// Numbers in messages: the shortest text that reads back to the same double
/// ("0.5", "1e-30", "NaN"), where std::to_string would print "0.000000".
#include <charconv>
#include <cmath>
#include <string>

namespace xgrad {

inline std::string number_to_string(double value) {
  if (std::isnan(value)) return "NaN";
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

}  // namespace xgrad
