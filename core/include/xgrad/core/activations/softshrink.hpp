#pragma once
/// Softshrink, torch.nn.functional.softshrink(x, lambd=0.5); lambd >= 0.
///   f(x)  = x - lambd if x > lambd, x + lambd if x < -lambd, else 0 = x - clip(x, -lambd, lambd)
///   f'(x) = 1 if |x| > lambd else 0      kinks: f'(+-lambd) = 0 (PyTorch)
/// The clip form gives exactly 0 inside and keeps NaN (PyTorch 1.13 gives
/// softshrink(NaN) = 0).
#include <array>

#include "xgrad/core/activations/definition_helpers.hpp"
#include "xgrad/core/activations/param.hpp"
#include "xgrad/core/activations/policy.hpp"

namespace xgrad::math {

struct Softshrink : PiecewiseLinear {
  static constexpr const char* name = "softshrink";
  static constexpr const char* torch = "torch.nn.functional.softshrink(x, lambd)";
  static constexpr std::array<ParamSpec, 1> params{
      {{"lambd", 0.5, Domain::nonnegative, "inputs within [-lambd, lambd] give 0"}}};
  static constexpr std::array<double, 2> kinks{{-0.5, 0.5}};  // at the default parameter
  using Float64Math = ScalarMath<double>;  // one subtraction, rounded once

  template <class M>
  static typename M::V f(typename M::V x, const double* p) {
    const typename M::V l = M::c(p[0]);
    return x - M::min(M::max(x, 0.0 - l), l);
  }
  template <class M>
  static typename M::V df(typename M::V x, const double* p) {
    return keep_nan<M>(x, M::select(M::abs(x) > M::c(p[0]), M::c(1), M::c(0)));
  }
};

}  // namespace xgrad::math
