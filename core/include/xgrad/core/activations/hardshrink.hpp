#pragma once
/// Hardshrink, torch.nn.functional.hardshrink(x, lambd=0.5); lambd >= 0.
///   f(x)  = x if |x| > lambd else 0
///   f'(x) = 1 if |x| > lambd else 0      kinks: f(+-lambd) = 0, f'(+-lambd) = 0 (PyTorch)
#include <array>

#include "xgrad/core/activations/definition_helpers.hpp"
#include "xgrad/core/activations/param.hpp"
#include "xgrad/core/activations/policy.hpp"

namespace xgrad::math {

struct Hardshrink : PiecewiseLinear {
  static constexpr const char* name = "hardshrink";
  static constexpr const char* torch = "torch.nn.functional.hardshrink(x, lambd)";
  static constexpr std::array<ParamSpec, 1> params{
      {{"lambd", 0.5, Domain::nonnegative, "inputs within [-lambd, lambd] give 0"}}};
  static constexpr std::array<double, 2> kinks{{-0.5, 0.5}};  // at the default parameter
  using Float64Math = ScalarMath<double>;  // exact: no arithmetic

  template <class M>
  static typename M::V f(typename M::V x, const double* p) {
    return keep_nan<M>(x, M::select(M::abs(x) > M::c(p[0]), x, M::c(0)));
  }
  template <class M>
  static typename M::V df(typename M::V x, const double* p) {
    return keep_nan<M>(x, M::select(M::abs(x) > M::c(p[0]), M::c(1), M::c(0)));
  }
};

}  // namespace xgrad::math
