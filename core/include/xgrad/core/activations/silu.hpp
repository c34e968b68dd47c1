#pragma once
/// SiLU (swish), torch.nn.functional.silu(x) (Elfwing et al. 2017, Ramachandran et al. 2017).
///   f(x)  = x sigmoid(x)
///   f'(x) = s (1 + x (1 - s)),  s = sigmoid(x)
/// s and 1 - s both from e = e^-|x| (no overflow, no 1 - s cancellation).
/// f' has one root, x0 = -1.27846454276107..., where 1 + x (1 - s) cancels:
/// within 2^-6 of it f' is its Taylor series about x0 (tools/catalogue_series.py),
/// relatively exact, also under the vector policy's 1e-11 exp. Below x = -1e4
/// f and f' underflow (|f| < 1e-4000): they return +-s, which also makes
/// f(-inf) = f'(-inf) = 0 rather than -inf * 0; above 1e4 f' = 1.
/// Long double in float64: 1 + x (1 - s) loses bits to cancellation up to
/// |x - x0| ~ 1, which long double absorbs.
#include <array>

#include "xgrad/core/activations/definition_helpers.hpp"
#include "xgrad/core/activations/param.hpp"
#include "xgrad/core/activations/policy.hpp"

namespace xgrad::math {

struct Silu {
  static constexpr const char* name = "silu";
  static constexpr const char* alias = "swish";
  static constexpr bool rectifier = true;
  static constexpr const char* torch = "torch.nn.functional.silu(x)";
  static constexpr std::array<ParamSpec, 0> params{};
  static constexpr std::array<double, 0> kinks{};
  using Float64Math = ScalarMath<long double>;

  // tools/catalogue_series.py: f'(x0 + h) = h sum_k root_series[k] h^k, |h| < 2^-6
  static constexpr long double root_hi = -0x1.474973c84120bp+0L;  // x0 rounded to double
  static constexpr long double root_lo = -1.094699418309343743045045e-16L;
  static constexpr long double root_radius = 0x1p-6L;
  static constexpr long double root_series[10] = {
      2.178117057198000987797029e-1L,  1.466487969969469001794081e-1L,  1.887481422378231340716336e-2L,
      -1.522265522318803168878182e-2L, -6.606589138356696436301172e-3L, 1.266274100811219972716417e-4L,
      7.985218818397997761221495e-4L,  1.857072436118649565274327e-4L,  -4.090534237428611680515426e-5L,
      -2.97335422132639158387753e-5L,
  };

  template <class M>
  static typename M::V f(typename M::V x, const double*) {
    const typename M::V e = M::exp(-M::abs(x));
    const typename M::V s = M::select(x >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e));
    return M::select(x > -1e4, x * s, -s);
  }
  template <class M>
  static typename M::V df(typename M::V x, const double*) {
    const typename M::V e = M::exp(-M::abs(x));
    const typename M::V d = 1.0 + e;
    const typename M::V s = M::select(x >= 0.0, 1.0 / d, e / d);
    const typename M::V t = M::select(x >= 0.0, e / d, 1.0 / d);  // 1 - s
    const typename M::V direct = near_root_or<Silu, M>(x, s * (1.0 + x * t));
    return M::select(x > -1e4, M::select(x > 1e4, M::c(1), direct), -s);
  }

  // tools/catalogue_series.py: f''(x0 + h) = h sum_k root_series[k] h^k about the
  // positive root of f'' (f'' is even), |h| < 2^-6
  struct D2Root {
    static constexpr long double root_hi = 0x1.331e23ad9de11p+1L;  // 2.3993572805154675
    static constexpr long double root_lo = 1.846487285535336354238432e-16L;
    static constexpr long double root_radius = 0x1p-6L;
    static constexpr long double root_series[10] = {
        -9.153052016419228387005209e-2L, 7.629586548655084660525064e-2L,  -2.248725923422532726736641e-2L,
        -1.836670144762843865437098e-3L, 3.862816776830254069654947e-3L,  -1.366369691236774449171557e-3L,
        1.151307019584521922018979e-4L,  9.644059294156356774500569e-5L,  -4.745074279280719346788857e-5L,
        8.432377564571458893824668e-6L,
    };
  };
  /// 2 + |x| expm1(-|x|) / (1 + e) cancels up to ~1000-fold outside the series
  /// window: exp and expm1 in long double (double's would cost 30 ulp).
  using Float64SecondMath = ScalarMath<long double>;
  /// f''(x) = s (1 - s) (2 + x (1 - 2s)) = e / (1 + e)^2 (2 + |x| expm1(-|x|) / (1 + e)),
  /// e = e^-|x| (even in x). Roots +-2.39935728...: the series there. Beyond
  /// |x| = 1e4 f'' underflows: 0 (also for the infinities, not 0 * inf).
  template <class M>
  static typename M::V d2f(typename M::V x, const double*) {
    const typename M::V a = M::abs(x);
    const typename M::V e = M::exp(-a);
    const typename M::V d = 1.0 + e;
    const typename M::V direct = e / (d * d) * (2.0 + a * M::expm1(-a) / d);
    return M::select(a > 1e4, M::c(0), near_root_or<D2Root, M>(a, direct));
  }
};

}  // namespace xgrad::math
