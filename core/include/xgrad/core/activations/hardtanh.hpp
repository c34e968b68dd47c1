#pragma once
/// Hardtanh, torch.nn.functional.hardtanh(x, min_val=-1.0, max_val=1.0); min_val < max_val.
///   f(x)  = min(max(x, min_val), max_val)
///   f'(x) = 1 if min_val < x < max_val else 0   kinks: f'(min_val) = f'(max_val) = 0 (PyTorch)
/// NaN in gives NaN for f' too (PyTorch's backward gives 1 there).
#include <array>
#include <string>

#include "xgrad/core/activations/definition_helpers.hpp"
#include "xgrad/core/activations/param.hpp"
#include "xgrad/core/activations/policy.hpp"

namespace xgrad::math {

struct Hardtanh : PiecewiseLinear {
  static constexpr const char* name = "hardtanh";
  static constexpr const char* torch = "torch.nn.functional.hardtanh(x, min_val, max_val)";
  static constexpr std::array<ParamSpec, 2> params{{
      {"min_val", -1.0, Domain::finite, "the lower bound of the output"},
      {"max_val", 1.0, Domain::finite, "the upper bound of the output"},
  }};
  static constexpr std::array<double, 2> kinks{{-1.0, 1.0}};  // at the default parameters
  using Float64Math = ScalarMath<double>;  // exact: no arithmetic

  static std::string invalid(const double* p) {
    if (p[0] < p[1]) return "";
    return std::string(name) + ": min_val (" + number_to_string(p[0]) + ") must be less than max_val (" +
           number_to_string(p[1]) + ")";
  }

  template <class M>
  static typename M::V f(typename M::V x, const double* p) {
    return M::min(M::max(x, M::c(p[0])), M::c(p[1]));
  }
  template <class M>
  static typename M::V df(typename M::V x, const double* p) {
    const auto inside = M::land(x > M::c(p[0]), x < M::c(p[1]));
    return keep_nan<M>(x, M::select(inside, M::c(1), M::c(0)));
  }
};

}  // namespace xgrad::math
