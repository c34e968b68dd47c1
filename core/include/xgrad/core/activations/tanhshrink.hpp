#pragma once
/// Tanhshrink, torch.nn.functional.tanhshrink(x).
///   f(x)  = x - tanh(x)
///   f'(x) = 1 - sech^2(x) = tanh^2(x)     (no cancellation in this form)
/// x - tanh(x) cancels near 0 (f ~ x^3/3): for |x| < 1/8 f is its odd series
/// x^3 (1/3 - 2x^2/15 + ...) (10 terms, tools/catalogue_series.py), which is
/// relatively exact; from 1/8 on the direct form loses at most log2(x/f) ~ 8
/// bits, absorbed by double (float32) and long double (float64), and the
/// vector tanh's 1e-11 error stays below 1e-8 of f.
#include <array>

#include "xgrad/core/activations/definition_helpers.hpp"
#include "xgrad/core/activations/param.hpp"
#include "xgrad/core/activations/policy.hpp"
#include "xgrad/core/activations/tanh.hpp"

namespace xgrad::math {

struct Tanhshrink {
  static constexpr const char* name = "tanhshrink";
  static constexpr const char* torch = "torch.nn.functional.tanhshrink(x)";
  static constexpr std::array<ParamSpec, 0> params{};
  static constexpr std::array<double, 0> kinks{};
  using Float64Math = ScalarMath<long double>;

  // x - tanh(x) = x^3 sum_k series[k] x^(2k), |x| < 1/8 (first omitted term < 2^-70 of the sum)
  static constexpr long double series_radius = 0.125L;
  static constexpr long double series[10] = {
      3.333333333333333333333333e-1L,  -1.333333333333333333333333e-1L, 5.396825396825396825396825e-2L,
      -2.186948853615520282186949e-2L, 8.863235529902196568863236e-3L,  -3.592128036572481016925461e-3L,
      1.455834387051318268249485e-3L,  -5.90027440945585981378076e-4L,  2.391291142435524814857315e-4L,
      -9.691537956929450325595875e-5L,
  };

  template <class M>
  static typename M::V f(typename M::V x, const double*) {
    const typename M::V x2 = x * x;
    return M::select(M::abs(x) < M::c(series_radius), x * x2 * horner<M>(x2, series), x - M::tanh(x));
  }
  template <class M>
  static typename M::V df(typename M::V x, const double*) {
    const typename M::V t = M::tanh(x);
    return t * t;
  }
  /// f''(x) = 2 tanh(x) sech^2(x) = -tanh''(x) (tanh.hpp's form: no cancellation).
  template <class M>
  static typename M::V d2f(typename M::V x, const double* p) {
    return -Tanh::d2f<M>(x, p);
  }
};

}  // namespace xgrad::math
