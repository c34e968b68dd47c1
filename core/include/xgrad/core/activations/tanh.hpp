#pragma once
/// Hyperbolic tangent, elementwise on any shape.
///
///   f(x)  = (e^x - e^-x) / (e^x + e^-x)                      range (-1, 1)
///   f'(x) = 1 - f(x)^2 = 4 e^-2|x| / (1 + e^-2|x|)^2
///
/// The derivative is computed from x: 1 - y^2 rounds to 0 once |x| > 19
/// (float64) while f'(x) stays a normal number up to |x| = 354. Past |x| = 20,
/// (1 + e^-2|x|)^2 is 1 in float64 and f'(x) = (2 e^-|x|)^2, which keeps the
/// square normal where e^-2|x| itself would be subnormal.
///
/// W is the type of the rational part after exp (exp itself is double): double
/// for the float32 kernel; long double for the float64 kernel, because in
/// double 4e / (1 + e)^2 rounds four times after exp and can reach ~5 ulp
/// (3.2 ulp measured); in long double only exp's 0.5 ulp and the final
/// rounding remain (below 1.6 ulp; 2.6 for (2 e^-|x|)^2, where exp's error
/// doubles), and the square is rounded once, also where it is subnormal.
#include <array>
#include <cmath>

#include "xgrad/core/activations/param.hpp"

namespace xgrad::math {

template <class W = double>
inline W tanh_derivative_of(double x) {
  const double a = std::fabs(x);
  if (a < 20.0) {
    const W e = std::exp(-2.0 * a);
    const W d = 1 + e;
    return 4 * e / (d * d);
  }
  const W t = 2.0 * std::exp(-a);  // NaN lands here and stays NaN
  return t * t;
}

inline double tanh(double x) { return std::tanh(x); }
inline float tanh(float x) { return static_cast<float>(std::tanh(static_cast<double>(x))); }
inline double tanh_derivative(double x) { return static_cast<double>(tanh_derivative_of<long double>(x)); }
inline float tanh_derivative(float x) {
  return static_cast<float>(tanh_derivative_of<double>(static_cast<double>(x)));
}

/// The catalogue's entry (activations/catalogue.hpp); float32 arrays: a hand-written kernel.
struct Tanh {
  static constexpr const char* name = "tanh";
  static constexpr const char* torch = "torch.tanh(x)";
  static constexpr std::array<ParamSpec, 0> params{};
  static constexpr std::array<double, 0> kinks{};
  static constexpr bool tuned_kernel = true;
  template <class T> static T f(T x, const double*) { return tanh(x); }
  template <class T> static T df(T x, const double*) { return tanh_derivative(x); }
  /// f''(x) = -2 tanh(x) sech^2(x) = -sign(x) 8 e (1 - e) / (1 + e)^3,  e = e^-2|x|,
  /// with 1 - e = -expm1(-2|x|): no 1 - t^2 cancellation, none near the root x = 0.
  template <class M>
  static typename M::V d2f(typename M::V x, const double*) {
    const typename M::V a2 = -2.0 * M::abs(x);
    const typename M::V e = M::exp(a2);
    const typename M::V d = 1.0 + e;
    const typename M::V r = 8.0 * e * M::expm1(a2) / (d * d * d);  // <= 0
    return M::select(x > 0.0, r, -r);
  }
};

}  // namespace xgrad::math
