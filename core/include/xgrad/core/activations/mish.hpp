#pragma once
/// Mish, torch.nn.functional.mish(x) (Misra 2019).
///   f(x)  = x tanh(softplus(x)) = x t
///   f'(x) = t + x sech^2(softplus(x)) sigmoid(x)
/// Rational in e = e^-|x| (no overflow at any x: darknet issue 3994), with
/// 1 - t^2 = (1 - t)(1 + t) formed exactly instead of cancelling:
///   x > 0:  t = (1 + 2e) / D,  D = 1 + 2e + 2e^2,  x sech^2 sigmoid = x 4e^2 (1 + e) / D^2
///   x <= 0: t = n / (n + 2),  n = e (e + 2),      x sech^2 sigmoid = x 4e (1 + e) / (n + 2)^2
/// f' has one root, x0 = -1.19243121451549..., where t + x (...) cancels:
/// within 2^-6 of it f' is its Taylor series about x0 (tools/catalogue_series.py).
/// Below x = -1e4 f and f' underflow and return -+t (f(-inf) = 0, not -inf * 0);
/// above 1e4 f' = 1. Long double in float64 for the cancellation near x0.
#include <array>

#include "xgrad/core/activations/definition_helpers.hpp"
#include "xgrad/core/activations/param.hpp"
#include "xgrad/core/activations/policy.hpp"

namespace xgrad::math {

struct Mish {
  static constexpr const char* name = "mish";
  static constexpr bool rectifier = true;
  static constexpr const char* torch = "torch.nn.functional.mish(x)";
  static constexpr std::array<ParamSpec, 0> params{};
  static constexpr std::array<double, 0> kinks{};
  using Float64Math = ScalarMath<long double>;

  // tools/catalogue_series.py: f'(x0 + h) = h sum_k root_series[k] h^k, |h| < 2^-6
  static constexpr long double root_hi = -0x1.31432c0d12d84p+0L;  // x0 rounded to double
  static constexpr long double root_lo = -4.848482984803104554936137e-17L;
  static constexpr long double root_radius = 0x1p-6L;
  static constexpr long double root_series[10] = {
      2.669479140495345113166231e-1L,  2.047312640801058663477057e-1L,  4.190782104360987308085516e-2L,
      -2.027182271668424612810112e-2L, -1.582112656173338098207242e-2L, -3.360684927023268668301642e-3L,
      1.092405540944585493052099e-3L,  9.898181021289196696076389e-4L,  2.541293638619107318682572e-4L,
      -4.196149603169612879119022e-5L,
  };

  /// t = tanh(softplus(x)); g = sech^2(softplus(x)) sigmoid(x).
  template <class M>
  static void parts(typename M::V x, typename M::V& t, typename M::V* g) {
    const typename M::V e = M::exp(-M::abs(x));
    const typename M::V dp = 1.0 + 2.0 * e * (1.0 + e);  // x > 0
    const typename M::V n = e * (e + 2.0);
    const typename M::V dn = n + 2.0;                     // x <= 0
    const auto pos = x > 0.0;
    t = M::select(pos, (1.0 + 2.0 * e) / dp, n / dn);
    if (g) *g = M::select(pos, 4.0 * e * e * (1.0 + e) / (dp * dp), 4.0 * e * (1.0 + e) / (dn * dn));
  }

  template <class M>
  static typename M::V f(typename M::V x, const double*) {
    typename M::V t;
    parts<M>(x, t, nullptr);
    return M::select(x > -1e4, x * t, -t);
  }
  template <class M>
  static typename M::V df(typename M::V x, const double*) {
    typename M::V t, g;
    parts<M>(x, t, &g);
    const typename M::V direct = near_root_or<Mish, M>(x, t + x * g);
    return M::select(x > -1e4, M::select(x > 1e4, M::c(1), direct), t);
  }

  // tools/catalogue_series.py: f''(x0 + h) = h sum_k root_series[k] h^k about the roots of f'', |h| < 2^-6
  struct D2RootNeg {
    static constexpr long double root_hi = -0x1.20d0f116eb001p+1L;  // -2.256376396360793
    static constexpr long double root_lo = -1.070317487501924793774364e-16L;
    static constexpr long double root_radius = 0x1p-6L;
    static constexpr long double root_series[10] = {
        1.087544107316426941189486e-1L,  9.898193805255844279341319e-2L,  3.736189561023729272618293e-2L,
        3.354052659335865503624455e-3L,  -3.860493935188505868977924e-3L, -2.480068109334892903052878e-3L,
        -7.927886724150866555667439e-4L, -1.053838191945474637168401e-4L, 3.978333053066291911525439e-5L,
        3.223849683011536561733604e-5L,
    };
  };
  struct D2RootPos {
    static constexpr long double root_hi = 0x1.7d9612a440040p+0L;  // 1.4905711794854284
    static constexpr long double root_lo = 7.126036715834262989864248e-17L;
    static constexpr long double root_radius = 0x1p-6L;
    static constexpr long double root_series[11] = {
        -2.306945115974605355895027e-1L, 2.812727780303430747829161e-1L,  -7.97073551654253063762661e-2L,
        -6.665173991852782350108321e-2L, 5.998888116276497139949519e-2L,  -8.93224429208287213000273e-3L,
        -1.153524888449004698479544e-2L, 7.002748870303273115820877e-3L,  -2.685218367731347728154574e-4L,
        -1.40130966716228372562736e-3L,  6.082701059370483631893482e-4L,
    };
  };
  /// 2 + x B cancels near the roots: exp in long double (double's would cost 12 ulp).
  using Float64SecondMath = ScalarMath<long double>;
  /// f''(x) = g (2 + x B),  g = sech^2(softplus(x)) sigmoid(x) (as in f'),
  /// B = 1 - sigmoid(x) - 2 t sigmoid(x), rational in e = e^-|x| like f':
  ///   x > 0:  B = (2e^3 + 2e^2 - 3e - 2) / (D (1 + e)),        D = 1 + 2e + 2e^2
  ///   x <= 0: B = (2 + 2e - 3e^2 - 2e^3) / ((n + 2) (1 + e)),  n = e (e + 2)
  /// Roots -2.25637... and 1.49057...: the series there. Beyond |x| = 1e4: 0.
  template <class M>
  static typename M::V d2f(typename M::V x, const double*) {
    typename M::V t, g;
    parts<M>(x, t, &g);
    const typename M::V e = M::exp(-M::abs(x));
    const typename M::V ep = 1.0 + e;
    const typename M::V bp = (((2.0 * e + 2.0) * e - 3.0) * e - 2.0) / ((1.0 + 2.0 * e * ep) * ep);
    const typename M::V bn = (((-2.0 * e - 3.0) * e + 2.0) * e + 2.0) / ((e * (e + 2.0) + 2.0) * ep);
    const typename M::V direct = g * (2.0 + x * M::select(x > 0.0, bp, bn));
    const typename M::V near = near_root_or<D2RootPos, M>(x, near_root_or<D2RootNeg, M>(x, direct));
    return M::select(M::abs(x) > 1e4, M::c(0), near);
  }
};

}  // namespace xgrad::math
