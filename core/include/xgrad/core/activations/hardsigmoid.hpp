#pragma once
/// Hardsigmoid, torch.nn.functional.hardsigmoid(x).
///   f(x)  = min(max(x + 3, 0), 6) / 6 = clip(x/6 + 1/2, 0, 1)
///   f'(x) = 1/6 if -3 < x < 3 else 0     kinks: f'(-3) = f'(3) = 0 (PyTorch)
/// 1/6 is rounded once to the dtype (PyTorch 1.13 returns 1/6 rounded to
/// float32 in float64: 1.3e8 ulp off). Long double in float64: (x + 3) / 6
/// then rounds once to double (in double, twice).
#include <array>

#include "xgrad/core/activations/definition_helpers.hpp"
#include "xgrad/core/activations/param.hpp"
#include "xgrad/core/activations/policy.hpp"

namespace xgrad::math {

struct Hardsigmoid : PiecewiseLinear {
  static constexpr const char* name = "hardsigmoid";
  static constexpr const char* torch = "torch.nn.functional.hardsigmoid(x)";
  static constexpr std::array<ParamSpec, 0> params{};
  static constexpr std::array<double, 2> kinks{{-3.0, 3.0}};
  using Float64Math = ScalarMath<long double>;

  template <class M>
  static typename M::V f(typename M::V x, const double*) {
    return M::min(M::max(x + 3.0, M::c(0)), M::c(6)) / 6.0;
  }
  template <class M>
  static typename M::V df(typename M::V x, const double*) {
    return keep_nan<M>(x, M::select(M::land(x > -3.0, x < 3.0), M::c(1.0L / 6), M::c(0)));
  }
};

}  // namespace xgrad::math
