#pragma once
/// GELU, elementwise on any shape, exact or with the tanh approximation.
///
///   gelu(x)       = x Phi(x) = x/2 erfc(-x/sqrt 2)
///   gelu'(x)      = Phi(x) + x phi(x),  phi(x) = e^(-x^2/2) / sqrt(2 pi)
///   gelu_tanh(x)  = x/2 (1 + tanh(u)) = x sigmoid(2u),  u = sqrt(2/pi) (x + 0.044715 x^3)
///   gelu_tanh'(x) = s + 2 x u' s (1 - s),  s = sigmoid(2u),  u' = sqrt(2/pi) (1 + 3 * 0.044715 x^2)
///
/// In the negative tail 1 + erf and 1 + tanh cancel; erfc and the sigmoid form
/// do not. Both still amplify the rounding of their argument by about x^2, so
/// the scalar float64 functions form the argument in long double (the float64
/// lane kernels: core/src/kernels/float64_gelu.inc, float64_pair_kernels.inc).
///
/// Each f' has one root (x0 = -0.75179 exact, -0.75246 tanh), where f' is the
/// difference of two terms near 0.2: the direct form's absolute error (~1e-20
/// in long double) exceeds 4 ulp of f' within ~1e-4 of x0 in float64 (4e4 ulp
/// at 1e-8, 1e13 ulp at the double nearest x0). There the float64 kernels use
/// the Taylor series of f' about x0
/// instead (RootSeries below), which is relatively exact. float32 needs no
/// such care: its double evaluation is good to 1e-16 absolute, and the nearest
/// float32 to x0 is ~1e-8 away.
#include <array>
#include <cmath>

#include "xgrad/core/activations/param.hpp"

#include "xgrad/core/activations/common.hpp"
#include "xgrad/core/activations/definition_helpers.hpp"
#include "xgrad/core/activations/sigmoid.hpp"

namespace xgrad::math {

template <class R>
inline R gelu_of(R x, R sqrt_half) { return R(0.5) * x * std::erfc(-x * sqrt_half); }

template <class R>
inline R gelu_derivative_of(R x, R sqrt_half, R inv_sqrt_2pi) {
  return R(0.5) * std::erfc(-x * sqrt_half) + x * std::exp(R(-0.5) * x * x) * inv_sqrt_2pi;
}

template <class R>
inline R gelu_tanh_of(R x, R sqrt_2_over_pi, R cubic) {
  const R u = sqrt_2_over_pi * (x + cubic * x * x * x);
  return x * sigmoid_of(R(2) * u);
}

template <class R>
inline R gelu_tanh_derivative_of(R x, R sqrt_2_over_pi, R cubic) {
  const R u = sqrt_2_over_pi * (x + cubic * x * x * x);
  const R s = sigmoid_of(R(2) * u);
  const R ds = sigmoid_derivative_of(R(2) * u);
  if (ds == R(0)) return s;  // saturated: avoids 0 * inf when x^2 overflows
  const R du = sqrt_2_over_pi * (R(1) + R(3) * cubic * x * x);
  return s + R(2) * x * du * ds;
}

/// f'(x) = sum_{k=1..8} c_k h^k, h = x - x0, about a root x0 = hi + lo of f'
/// (coefficients c_k = f^(k+1)(x0) / k! from mpmath at 300 bits). x - hi is
/// exact (Sterbenz), so h has the relative error 2^-64 of one subtraction. For
/// |h| < 2^-9 the first omitted term is below 1e-21 of the sum.
struct RootSeries {
  long double hi, lo;
  long double c[8];
};

inline constexpr RootSeries kGeluDerivativeRoot = {
    -0x1.80ead197f00b3dd8p-1L, -0x1.8b3a735257d3456ap-68L,
    {0.4314939923140469197865072L, 0.3882849829905519978580804L, -0.01819967639867108710056929L,
     -0.114008233297221708552437L, -0.01477152214824433771783813L, 0.01942167983818906588903428L,
     0.004539228379125415573634314L, -0.002239538068073497151278949L}};

inline constexpr RootSeries kGeluTanhDerivativeRoot = {
    -0x1.81429f9e97e4cac2p-1L, -0x1.6e0944121234c940p-66L,
    {0.4304000910248585090799274L, 0.3875184461357889264213778L, -0.0157828535218480283419059L,
     -0.1139444830809589871106425L, -0.01661932834305256269227603L, 0.01968230945983311748701955L,
     0.005261059254921911879379609L, -0.002422731845875097299239679L}};

/// The series within 2^-9 of the root, `direct()` elsewhere (and for NaN).
template <class Direct>
inline double near_root_or(double x, const RootSeries& r, Direct direct) {
  const long double h = (static_cast<long double>(x) - r.hi) - r.lo;
  if (!(std::fabs(h) < 0x1p-9L)) return static_cast<double>(direct());
  long double p = r.c[7];
  for (int k = 6; k >= 0; --k) p = p * h + r.c[k];
  return static_cast<double>(p * h);
}

inline double gelu(double x) { return static_cast<double>(gelu_of<long double>(x, kSqrtHalfL)); }
inline float gelu(float x) { return static_cast<float>(gelu_of<double>(x, kSqrtHalf)); }
inline double gelu_derivative(double x) {
  return near_root_or(x, kGeluDerivativeRoot,
                      [x] { return gelu_derivative_of<long double>(x, kSqrtHalfL, kInvSqrt2PiL); });
}
inline float gelu_derivative(float x) {
  return static_cast<float>(gelu_derivative_of<double>(x, kSqrtHalf, kInvSqrt2Pi));
}
inline double gelu_tanh(double x) {
  return static_cast<double>(gelu_tanh_of<long double>(x, kSqrt2OverPiL, kGeluTanhCubicL));
}
inline float gelu_tanh(float x) {
  return static_cast<float>(gelu_tanh_of<double>(x, kSqrt2OverPi, kGeluTanhCubic));
}
inline double gelu_tanh_derivative(double x) {
  return near_root_or(x, kGeluTanhDerivativeRoot,
                      [x] { return gelu_tanh_derivative_of<long double>(x, kSqrt2OverPiL, kGeluTanhCubicL); });
}
inline float gelu_tanh_derivative(float x) {
  return static_cast<float>(gelu_tanh_derivative_of<double>(x, kSqrt2OverPi, kGeluTanhCubic));
}

/// The catalogue's entries (activations/catalogue.hpp); float32 arrays: hand-written kernels.
struct Gelu {
  static constexpr const char* name = "gelu";
  static constexpr bool rectifier = true;
  static constexpr const char* torch = "torch.nn.functional.gelu(x)";
  static constexpr std::array<ParamSpec, 0> params{};
  static constexpr std::array<double, 0> kinks{};
  static constexpr bool tuned_kernel = true;
  template <class T> static T f(T x, const double*) { return gelu(x); }
  template <class T> static T df(T x, const double*) { return gelu_derivative(x); }

  static constexpr long double sqrt2_hi = 0x1.6a09e667f3bcdp+0L;  // sqrt 2 rounded to double
  static constexpr long double sqrt2_lo = -9.667293313452913037187169e-17L;
  /// f''(x) = phi(x) (2 - x^2) = phi(x) (sqrt2 - |x|)(sqrt2 + |x|): sqrt2 - |x|
  /// = (hi - |x|) + lo, the first difference exact near the roots +-sqrt 2
  /// (Sterbenz), so f'' is relatively exact there too. Beyond |x| = 64: 0
  /// (phi underflows long before; also no inf * 0).
  template <class M>
  static typename M::V d2f(typename M::V x, const double*) {
    const typename M::V a = M::abs(x);
    const typename M::V phi = M::c(kInvSqrt2PiL) * M::exp(-0.5 * (x * x));
    const typename M::V r = phi * (((M::c(sqrt2_hi) - a) + M::c(sqrt2_lo)) * (a + M::c(sqrt2_hi)));
    return M::select(a > 64.0, M::c(0), r);
  }
};

struct GeluTanh {
  static constexpr const char* name = "gelu_tanh";
  static constexpr bool rectifier = true;
  static constexpr const char* torch = "torch.nn.functional.gelu(x, approximate='tanh')";
  static constexpr std::array<ParamSpec, 0> params{};
  static constexpr std::array<double, 0> kinks{};
  static constexpr bool tuned_kernel = true;
  template <class T> static T f(T x, const double*) { return gelu_tanh(x); }
  template <class T> static T df(T x, const double*) { return gelu_tanh_derivative(x); }

  // tools/catalogue_series.py: f''(x0 + h) = h sum_k root_series[k] h^k about the
  // positive root of f'' (f'' is even), |h| < 2^-6
  struct D2Root {
    static constexpr long double root_hi = 0x1.6b23142700629p+0L;  // 1.4185040087908283
    static constexpr long double root_lo = 8.089265124388304308449604e-17L;
    static constexpr long double root_radius = 0x1p-6L;
    static constexpr long double root_series[10] = {
        -4.095488174124190961987914e-1L, 4.320811115938480131961488e-1L,  -8.168951883944803612941404e-3L,
        -1.610948169321348257521297e-1L, 5.675054097516172261491463e-2L,  2.003536116270127411087811e-2L,
        -1.671150756085391900704871e-2L, 7.632001136916162188523483e-4L,  2.643461146696661922925334e-3L,
        -7.514200775098502931828419e-4L,
    };
  };
  /// The bracket cancels near the roots: expm1 in long double (double's would cost 29 ulp).
  using Float64SecondMath = ScalarMath<long double>;
  /// f'' = s'(z) (2 z' + x z'' + x z'^2 (1 - 2s)),  z = 2u = 2c (x + k x^3),
  /// z' = 2c (1 + 3k x^2), z'' = 12 c k x,  s = sigmoid(z),  s' = e / (1 + e)^2,
  /// e = e^-|z|,  x (1 - 2s) = |x| expm1(-|z|) / (1 + e)  (f'' is even).
  /// Roots +-1.41850...: the series there. Beyond |x| = 30 s' underflows: 0.
  template <class M>
  static typename M::V d2f(typename M::V x, const double*) {
    const typename M::V a = M::abs(x);
    const typename M::V c = M::c(kSqrt2OverPiL), k = M::c(kGeluTanhCubicL);
    const typename M::V z = 2.0 * c * (a + k * (a * a * a));
    const typename M::V dz = 2.0 * c * (1.0 + 3.0 * k * (a * a));
    const typename M::V e = M::exp(-z);
    const typename M::V d = 1.0 + e;
    const typename M::V bracket = 2.0 * dz + 12.0 * c * k * (a * a) + a * (dz * dz) * M::expm1(-z) / d;
    const typename M::V direct = e / (d * d) * bracket;
    return M::select(a > 30.0, M::c(0), near_root_or<D2Root, M>(a, direct));
  }
};

}  // namespace xgrad::math
