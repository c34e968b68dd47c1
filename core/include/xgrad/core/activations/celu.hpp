#pragma once
/// CELU, torch.nn.functional.celu(x, alpha=1.0) (Barron 2017); alpha != 0.
///   f(x)  = max(0, x) + min(0, alpha (e^(x/alpha) - 1)) = x if x > 0 else alpha expm1(x/alpha)
///   f'(x) = 1 if x > 0 else e^(x/alpha)              kink x = 0: f'(0) = 1 (PyTorch; continuous)
/// The two forms agree for a negative alpha too. x/alpha is divided, not
/// multiplied by a rounded 1/alpha.
#include <array>

#include "xgrad/core/activations/definition_helpers.hpp"
#include "xgrad/core/activations/param.hpp"
#include "xgrad/core/activations/policy.hpp"

namespace xgrad::math {

struct Celu {
  static constexpr const char* name = "celu";
  static constexpr bool rectifier = true;
  static constexpr const char* torch = "torch.nn.functional.celu(x, alpha)";
  static constexpr std::array<ParamSpec, 1> params{
      {{"alpha", 1.0, Domain::nonzero, "the negative saturation value is -alpha"}}};
  static constexpr std::array<double, 1> kinks{{0.0}};
  using Float64Math = ScalarMath<long double>;

  template <class M>
  static typename M::V f(typename M::V x, const double* p) {
    const typename M::V alpha = M::c(p[0]);
    return M::select(x > 0.0, x, alpha * M::expm1(x / alpha));
  }
  template <class M>
  static typename M::V df(typename M::V x, const double* p) {
    return M::select(x > 0.0, M::c(1), M::exp(x / M::c(p[0])));
  }
  /// f''(x) = e^(x/alpha) / alpha if x < 0 else 0 (PyTorch's double backward: 0 at the kink).
  template <class M>
  static typename M::V d2f(typename M::V x, const double* p) {
    const typename M::V alpha = M::c(p[0]);
    return keep_nan<M>(x, M::select(x < 0.0, M::exp(x / alpha) / alpha, M::c(0)));
  }
};

}  // namespace xgrad::math
