#pragma once
/// Squareplus, keras.activations.squareplus(x, b=4) (Barron 2021; PyTorch has none); b >= 0.
///   f(x)  = (x + r) / 2,        r = sqrt(x^2 + b)
///   f'(x) = (1 + x / r) / 2
/// For x < 0 both cancel; the forms used there are exact rearrangements:
///   f(x)  = b / (2 (r - x)),    f'(x) = (b / r) / (2 (r - x))
/// x^2 cannot overflow: float32 inputs are evaluated in double (x^2 <= 1.2e77)
/// and float64 inputs in long double (whose exponent holds the square of any
/// double), and no product of two large terms is formed (b / r first).
/// b = 0 is relu with f'(0) = 1/2 (the limit b -> 0 of f'(0)), not 0/0.
/// Beyond x = 1e300 f' = 1 (1 - f' < 1e-292), which gives f'(inf) = 1.
#include <array>

#include "xgrad/core/activations/definition_helpers.hpp"
#include "xgrad/core/activations/param.hpp"
#include "xgrad/core/activations/policy.hpp"

namespace xgrad::math {

struct Squareplus {
  static constexpr const char* name = "squareplus";
  static constexpr bool rectifier = true;
  static constexpr const char* torch = "(x + torch.sqrt(x * x + b)) / 2";  // PyTorch has none: what a user writes
  static constexpr const char* keras = "keras.activations.squareplus(x, b=4)";
  static constexpr std::array<ParamSpec, 1> params{
      {{"b", 4.0, Domain::nonnegative, "the curvature near 0 (b = 0 is relu)"}}};
  static constexpr std::array<double, 0> kinks{};  // none for b > 0; 0 when b = 0
  using Float64Math = ScalarMath<long double>;

  template <class M>
  static typename M::V f(typename M::V x, const double* p) {
    const typename M::V b = M::c(p[0]);
    const typename M::V r = M::sqrt(x * x + b);
    return M::select(x >= 0.0, (x + r) * 0.5, b / (2.0 * (r - x)));
  }
  template <class M>
  static typename M::V df(typename M::V x, const double* p) {
    const typename M::V b = M::c(p[0]);
    const typename M::V r = M::sqrt(x * x + b);
    const typename M::V ratio = M::select(r > 0.0, x / r, M::c(0));  // x = r = 0 when b = 0
    const typename M::V d = M::select(x >= 0.0, (1.0 + ratio) * 0.5, (b / r) / (2.0 * (r - x)));
    return keep_nan<M>(x, M::select(x > 1e300, M::c(1), d));  // f'(inf) = 1, not from inf / inf
  }
  /// f''(x) = b / (2 r^3), r = sqrt(x^2 + b) (no cancellation); 0 when b = 0 (relu).
  template <class M>
  static typename M::V d2f(typename M::V x, const double* p) {
    const typename M::V b = M::c(p[0]);
    const typename M::V r = M::sqrt(x * x + b);
    return keep_nan<M>(x, M::select(b > 0.0, b / (2.0 * (r * r * r)), M::c(0)));
  }
};

}  // namespace xgrad::math
