#pragma once
/// Threshold, torch.nn.functional.threshold(x, threshold, value): both required.
///   f(x)  = x if x > threshold else value
///   f'(x) = 1 if x > threshold else 0    kink x = threshold: f = value, f' = 0 (PyTorch)
#include <array>

#include "xgrad/core/activations/definition_helpers.hpp"
#include "xgrad/core/activations/param.hpp"
#include "xgrad/core/activations/policy.hpp"

namespace xgrad::math {

struct Threshold : PiecewiseLinear {
  static constexpr const char* name = "threshold";
  static constexpr const char* torch = "torch.nn.functional.threshold(x, threshold, value)";
  static constexpr std::array<ParamSpec, 2> params{{
      {"threshold", kRequired, Domain::finite, "inputs at or below it are replaced"},
      {"value", kRequired, Domain::finite, "what replaces them"},
  }};
  static constexpr std::array<double, 0> kinks{};  // x = threshold (no default)
  using Float64Math = ScalarMath<double>;  // exact: no arithmetic

  template <class M>
  static typename M::V f(typename M::V x, const double* p) {
    return keep_nan<M>(x, M::select(x > M::c(p[0]), x, M::c(p[1])));
  }
  template <class M>
  static typename M::V df(typename M::V x, const double* p) {
    return keep_nan<M>(x, M::select(x > M::c(p[0]), M::c(1), M::c(0)));
  }
};

}  // namespace xgrad::math
