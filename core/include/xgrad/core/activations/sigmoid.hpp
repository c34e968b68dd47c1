#pragma once
/// Sigmoid (logistic) function, elementwise on any shape.
///
///   f(x)  = 1 / (1 + e^-x)                                   range (0, 1)
///   f'(x) = f(x) (1 - f(x)) = e^-|x| / (1 + e^-|x|)^2
///
/// Sign split: e^-|x| never overflows. The derivative is computed from x, not
/// from y = f(x): once x > 37 (float64) 1 - y rounds to 0 although f'(x) is a
/// normal number down to x = -708. The float64 derivative forms e / (1 + e)^2
/// in long double (see sigmoid_derivative(double)).
#include <array>
#include <cmath>

#include "xgrad/core/activations/param.hpp"

namespace xgrad::math {

template <class R>
inline R sigmoid_of(R x) {
  if (x >= 0) return R(1) / (R(1) + std::exp(-x));
  const R e = std::exp(x);  // NaN lands here and stays NaN
  return e / (R(1) + e);
}

template <class R>
inline R sigmoid_derivative_of(R x) {
  const R e = std::exp(-std::fabs(x));
  const R d = R(1) + e;
  return e / (d * d);
}

inline double sigmoid(double x) { return sigmoid_of(x); }
inline float sigmoid(float x) { return static_cast<float>(sigmoid_of(static_cast<double>(x))); }
// After exp (0.5 ulp), e / (1 + e)^2 rounds four more times: in double the
// errors add up to ~5 ulp at worst (3.4 ulp measured). The same arithmetic in
// long double leaves exp's error and the final rounding: below 1.6 ulp. Only
// the rational part is long double; exp stays double (cheap x87 mul/div).
inline double sigmoid_derivative(double x) {
  const long double e = std::exp(-std::fabs(x));  // NaN stays NaN
  const long double d = 1 + e;
  return static_cast<double>(e / (d * d));
}
inline float sigmoid_derivative(float x) {
  return static_cast<float>(sigmoid_derivative_of(static_cast<double>(x)));
}

/// The catalogue's entry (activations/catalogue.hpp). float32 arrays go
/// through a hand-written kernel (core/src/kernels/float32_kernels.inc).
struct Sigmoid {
  static constexpr const char* name = "sigmoid";
  static constexpr const char* torch = "torch.sigmoid(x)";
  static constexpr std::array<ParamSpec, 0> params{};
  static constexpr std::array<double, 0> kinks{};
  static constexpr bool tuned_kernel = true;
  template <class T> static T f(T x, const double*) { return sigmoid(x); }
  template <class T> static T df(T x, const double*) { return sigmoid_derivative(x); }
  /// f''(x) = s (1 - s)(1 - 2s) = -sign(x) e (1 - e) / (1 + e)^3,  e = e^-|x|,
  /// with 1 - e = -expm1(-|x|): no cancellation near the root x = 0.
  template <class M>
  static typename M::V d2f(typename M::V x, const double*) {
    const typename M::V a = M::abs(x);
    const typename M::V e = M::exp(-a);
    const typename M::V d = 1.0 + e;
    const typename M::V r = e * M::expm1(-a) / (d * d * d);  // <= 0
    return M::select(x > 0.0, r, -r);
  }
};

}  // namespace xgrad::math
