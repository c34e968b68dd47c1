#pragma once
/// Small pieces shared by the activation definitions, written only in terms of
/// the policy M (so the vector policy needs no twin of them).
#include <cstddef>

namespace xgrad::math {

/// sum_k c[k] h^k by Horner's rule; the coefficients go through M::c.
template <class M, std::size_t N>
typename M::V horner(typename M::V h, const long double (&c)[N]) {
  typename M::V p = M::c(c[N - 1]);
  for (std::size_t k = N - 1; k-- > 0;) p = p * h + M::c(c[k]);
  return p;
}

/// r, except NaN where x is NaN: for the piecewise definitions, whose
/// comparisons would send a NaN input to a constant branch.
template <class M>
typename M::V keep_nan(typename M::V x, typename M::V r) {
  return M::select(M::isnan(x), x, r);
}

/// The base of a piecewise-linear definition: f'' = 0 (PyTorch's double
/// backward: 0 at the kinks too), NaN for NaN.
struct PiecewiseLinear {
  template <class M>
  static typename M::V d2f(typename M::V x, const double*) {
    return keep_nan<M>(x, M::c(0));
  }
};

/// f' about a root x0 = D::root_hi + D::root_lo of f', where the direct form
/// is a cancelling difference: f'(x0 + h) = h sum_k D::root_series[k] h^k.
/// x - root_hi is exact (Sterbenz: same sign, within a factor 2), so h carries
/// one rounding. Used where |h| < D::root_radius, `direct` elsewhere (and for NaN).
template <class D, class M>
typename M::V near_root_or(typename M::V x, typename M::V direct) {
  const typename M::V h = (x - M::c(D::root_hi)) - M::c(D::root_lo);
  return M::select(M::abs(h) < M::c(D::root_radius), h * horner<M>(h, D::root_series), direct);
}

}  // namespace xgrad::math
