#pragma once
/// SELU, torch.nn.functional.selu(x) (Klambauer et al. 2017).
///   f(x)  = scale (x if x > 0 else alpha (e^x - 1))
///   f'(x) = scale (1 if x > 0 else alpha e^x)        kink x = 0: f'(0) = scale alpha (PyTorch)
/// e^x - 1 is expm1 (exact near 0); scale alpha is one constant, so the
/// negative branch rounds once after expm1. Long double in float64: in double
/// the constant, expm1 and the product could add up to 4 ulp.
#include <array>

#include "xgrad/core/activations/definition_helpers.hpp"
#include "xgrad/core/activations/param.hpp"
#include "xgrad/core/activations/policy.hpp"

namespace xgrad::math {

struct Selu {
  static constexpr const char* name = "selu";
  static constexpr bool rectifier = true;
  static constexpr const char* torch = "torch.nn.functional.selu(x)";
  static constexpr std::array<ParamSpec, 0> params{};
  static constexpr std::array<double, 1> kinks{{0.0}};
  using Float64Math = ScalarMath<long double>;

  static constexpr long double alpha = 1.6732632423543772848170429916717L;
  static constexpr long double scale = 1.0507009873554804934193349852946L;
  static constexpr long double scale_alpha = 1.7580993408473768599402175208123L;  // to 32 digits

  template <class M>
  static typename M::V f(typename M::V x, const double*) {
    return M::select(x > 0.0, M::c(scale) * x, M::c(scale_alpha) * M::expm1(x));
  }
  template <class M>
  static typename M::V df(typename M::V x, const double*) {
    return M::select(x > 0.0, M::c(scale), M::c(scale_alpha) * M::exp(x));
  }
  /// f''(x) = scale alpha e^x if x < 0 else 0 (PyTorch's double backward: 0 at the kink).
  template <class M>
  static typename M::V d2f(typename M::V x, const double*) {
    return keep_nan<M>(x, M::select(x < 0.0, M::c(scale_alpha) * M::exp(x), M::c(0)));
  }
};

}  // namespace xgrad::math
