#pragma once
/// The arithmetic an activation's definition is written in.
///
/// An activation defines f and f' once, as templates over an arithmetic
/// policy M (`template <class M> static typename M::V f(typename M::V x, const double* p)`),
/// and that one text is compiled three ways:
///   - ScalarMath<long double> or ScalarMath<double>: the float64 results
///     (the definition names which in `using Float64Math`),
///   - ScalarMath<double>: the float32 scalar results, rounded once,
///   - the vector policy of core/src/kernels (float64 lanes whose exp, expm1
///     and log1p are polynomials good to ~1e-11 relative, log1p to ~4e-9):
///     the float32 array kernels, rounded once.
/// Rules for a definition: constants that are not exact in double go through
/// M::c(long double literal); branches through M::select (both sides are
/// evaluated, so each must be harmless, never trap, for every input); no
/// std:: calls on V, only M's.
#include <cmath>

namespace xgrad::math {

template <class R>
struct ScalarMath {
  using V = R;
  using Mask = bool;
  static constexpr bool is_vector = false;
  static V c(long double v) { return static_cast<V>(v); }
  static V exp(V x) { return std::exp(x); }
  static V expm1(V x) { return std::expm1(x); }
  static V log1p(V x) { return std::log1p(x); }
  static V log(V x) { return std::log(x); }
  static V sqrt(V x) { return std::sqrt(x); }
  static V tanh(V x) { return std::tanh(x); }
  static V abs(V x) { return std::fabs(x); }
  static V min(V a, V b) { return b < a ? b : a; }  // NaN in a stays
  static V max(V a, V b) { return b > a ? b : a; }  // NaN in a stays
  static V copysign(V magnitude, V sign) { return std::copysign(magnitude, sign); }
  static V select(Mask m, V a, V b) { return m ? a : b; }
  static Mask isnan(V x) { return x != x; }
  static Mask land(Mask a, Mask b) { return a && b; }
  static Mask lor(Mask a, Mask b) { return a || b; }
};

/// long double arithmetic whose exp and expm1 call double's libm (x87's expl
/// costs ~10 times more) and correct for the argument's low part l = x - h,
/// h = x rounded to double: e^(h + l) = e^h (1 + l) and
/// expm1(h + l) = expm1(h) + e^h l, exact to far below a double ulp (|l| is at
/// most 2^-54 |x|). Outside |h| < 700 (results near or below the smallest normal
/// double, overflow, NaN) the long double functions. The float64 path of f''.
struct FastExpLongDoubleMath : ScalarMath<long double> {
  static V exp(V x) {
    const double h = static_cast<double>(x);
    if (!(h > -700.0 && h < 700.0)) return std::exp(x);
    return std::exp(h) * (1 + (x - h));
  }
  static V expm1(V x) {
    const double h = static_cast<double>(x);
    if (!(h > -700.0 && h < 700.0)) return std::expm1(x);
    return std::expm1(h) + std::exp(h) * (x - h);
  }
};

}  // namespace xgrad::math
