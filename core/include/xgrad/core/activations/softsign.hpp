#pragma once
/// Softsign, torch.nn.functional.softsign(x).
///   f(x)  = x / (1 + |x|)
///   f'(x) = 1 / (1 + |x|)^2                kink x = 0 (f'' jumps): f'(0) = 1
/// Beyond |x| = 2^200, 1/(1 + |x|) is far below half an ulp of 1, so f = +-1
/// there, which also gives f(+-inf) = +-1 rather than inf/inf. (1 + |x|)^2
/// cannot overflow: float32 inputs are evaluated in double, float64 inputs in
/// long double.
#include <array>

#include "xgrad/core/activations/definition_helpers.hpp"
#include "xgrad/core/activations/param.hpp"
#include "xgrad/core/activations/policy.hpp"

namespace xgrad::math {

struct Softsign {
  static constexpr const char* name = "softsign";
  static constexpr const char* torch = "torch.nn.functional.softsign(x)";
  static constexpr std::array<ParamSpec, 0> params{};
  static constexpr std::array<double, 1> kinks{{0.0}};
  using Float64Math = ScalarMath<long double>;

  template <class M>
  static typename M::V f(typename M::V x, const double*) {
    const typename M::V a = M::abs(x);
    return M::select(a > M::c(0x1p200L), M::copysign(M::c(1), x), x / (1.0 + a));
  }
  template <class M>
  static typename M::V df(typename M::V x, const double*) {
    const typename M::V d = 1.0 + M::abs(x);
    return 1.0 / (d * d);
  }
  /// f''(x) = -2 sign(x) / (1 + |x|)^3; f''(0) = 0 (PyTorch's double backward of
  /// x / (1 + |x|), with sign(0) = 0).
  template <class M>
  static typename M::V d2f(typename M::V x, const double*) {
    const typename M::V d = 1.0 + M::abs(x);
    const typename M::V r = 2.0 / (d * d * d);
    return keep_nan<M>(x, M::select(x > 0.0, -r, M::select(x < 0.0, r, M::c(0))));
  }
};

}  // namespace xgrad::math
