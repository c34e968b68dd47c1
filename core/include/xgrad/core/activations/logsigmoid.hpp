#pragma once
/// LogSigmoid, torch.nn.functional.logsigmoid(x).
///   f(x)  = log(sigmoid(x)) = -softplus(-x) = min(x, 0) - log1p(e^-|x|)
///   f'(x) = sigmoid(-x) = e/(1 + e) if x >= 0 else 1/(1 + e),  e = e^-|x|
/// No overflow and no cancellation at any x (both terms of f have one sign):
/// f(-300) = -300, not -inf (PyTorch issue 1835); f(-inf) = -inf, f'(-inf) = 1.
#include <array>

#include "xgrad/core/activations/param.hpp"
#include "xgrad/core/activations/policy.hpp"

namespace xgrad::math {

struct Logsigmoid {
  static constexpr const char* name = "logsigmoid";
  static constexpr const char* torch = "torch.nn.functional.logsigmoid(x)";
  static constexpr std::array<ParamSpec, 0> params{};
  static constexpr std::array<double, 0> kinks{};
  using Float64Math = ScalarMath<long double>;

  template <class M>
  static typename M::V f(typename M::V x, const double*) {
    return M::min(x, M::c(0)) - M::log1p(M::exp(-M::abs(x)));
  }
  template <class M>
  static typename M::V df(typename M::V x, const double*) {
    const typename M::V e = M::exp(-M::abs(x));
    return M::select(x >= 0.0, e / (1.0 + e), 1.0 / (1.0 + e));
  }
  /// f''(x) = -sigmoid(x) sigmoid(-x) = -e / (1 + e)^2,  e = e^-|x|.
  template <class M>
  static typename M::V d2f(typename M::V x, const double*) {
    const typename M::V e = M::exp(-M::abs(x));
    const typename M::V d = 1.0 + e;
    return -e / (d * d);
  }
};

}  // namespace xgrad::math
