#pragma once
/// The parameters of an activation definition: name, default, domain, doc,
/// and the one check that gives the message for a value outside the domain.
///
/// A definition lists its parameters as `static constexpr std::array<ParamSpec, N> params`;
/// f and f' receive their values as `const double* p` in that order. A default of
/// NaN means the parameter is required (threshold's threshold and value).
#include <cmath>
#include <limits>
#include <string>

#include "xgrad/core/format.hpp"

namespace xgrad::math {

enum class Domain {
  finite,         // any finite number
  positive,       // finite, > 0
  nonnegative,    // finite, >= 0
  nonzero,        // finite, != 0 (celu's alpha: PyTorch divides by it)
  finite_or_inf,  // any number but NaN
};

struct ParamSpec {
  const char* name;
  double default_value;  // NaN: required, no default
  Domain domain;
  const char* doc;
  constexpr bool required() const { return default_value != default_value; }
};

inline constexpr double kRequired = std::numeric_limits<double>::quiet_NaN();

/// True when the parameter has no default and must be given.
constexpr bool is_required(const ParamSpec& spec) { return spec.default_value != spec.default_value; }

/// What the domain asks for, as it reads after "must be".
constexpr const char* domain_text(Domain d) {
  switch (d) {
    case Domain::finite: return "a finite number";
    case Domain::positive: return "a finite number > 0";
    case Domain::nonnegative: return "a finite number >= 0";
    case Domain::nonzero: return "a finite nonzero number";
    case Domain::finite_or_inf: return "a number (not NaN)";
  }
  return "a number";
}

constexpr bool in_domain(Domain d, double v) {
  const bool finite = v == v && v - v == 0;  // constexpr-friendly std::isfinite
  switch (d) {
    case Domain::finite: return finite;
    case Domain::positive: return finite && v > 0;
    case Domain::nonnegative: return finite && v >= 0;
    case Domain::nonzero: return finite && v != 0;
    case Domain::finite_or_inf: return v == v;
  }
  return false;
}

/// "" when `value` is in the parameter's domain, else e.g.
/// "softshrink: lambd must be a finite number >= 0, got -1".
inline std::string check_param(const char* activation, const ParamSpec& spec, double value) {
  if (in_domain(spec.domain, value)) return "";
  return std::string(activation) + ": " + spec.name + " must be " + domain_text(spec.domain) + ", got " +
         number_to_string(value);
}

}  // namespace xgrad::math
