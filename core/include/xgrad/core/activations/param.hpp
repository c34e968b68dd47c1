#pragma once
/// An activation's parameter: its name (PyTorch's), default, and valid domain.
#include <cmath>
#include <limits>
#include <string>

#include "xgrad/core/format.hpp"

namespace xgrad::math {

enum class Domain {
  finite,       ///< any finite number
  positive,     ///< finite and > 0
  nonnegative,  ///< finite and >= 0
  nonzero,      ///< finite and != 0
  not_nan,      ///< anything but NaN (a threshold may be infinite)
};

struct ParamSpec {
  const char* name;
  double default_value;  ///< NaN: required, no default
  Domain domain;
  const char* doc;
  bool required() const { return std::isnan(default_value); }
};

inline constexpr double kRequired = std::numeric_limits<double>::quiet_NaN();

/// "" when `value` lies in the parameter's domain, else the message
/// ("softshrink: lambd must be a finite number >= 0, got -1").
inline std::string check_param(const char* activation, const ParamSpec& p, double value) {
  const char* want = nullptr;
  switch (p.domain) {
    case Domain::finite: if (!std::isfinite(value)) want = "a finite number"; break;
    case Domain::positive: if (!std::isfinite(value) || value <= 0) want = "a finite number > 0"; break;
    case Domain::nonnegative: if (!std::isfinite(value) || value < 0) want = "a finite number >= 0"; break;
    case Domain::nonzero: if (!std::isfinite(value) || value == 0) want = "a finite number other than 0"; break;
    case Domain::not_nan: if (std::isnan(value)) want = "a number (not NaN)"; break;
  }
  if (!want) return "";
  return std::string(activation) + ": " + p.name + " must be " + want + ", got " + number_to_string(value);
}

}  // namespace xgrad::math
