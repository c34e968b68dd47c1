// The float32 kernels, written once for GCC's vector extensions and compiled
// per instruction set (XGRAD_KERNEL_ISA names the namespace and the table
// function; the including file sets the target flags). Included by
// kernels_avx512.cpp, kernels_avx2.cpp and kernels_baseline.cpp only.
//
// The exactness contract is xgrad::math's (docs/exactness.md): every float32
// result is a float64 evaluation rounded once. Here that evaluation uses short
// polynomials instead of libm; each is accurate to better than 3e-10 relative
// (most to ~1e-11), so the rounded result is within 0.5 ulp + 5e-3 ulp of the
// exact value (float32's ulp is at least 6e-8 relative). Where f' has a root
// (gelu, gelu_tanh) the vector code would lose its relative accuracy to
// cancellation: f' = 0.43 (x - x0) there, and an error of 1e-11 in the terms
// near 0.2 leaves 0.7e-11 / |x - x0| relative, so lanes within 1e-3 of the
// root (below 0.12 ulp outside) go to the scalar kernel, as do NaN,
// infinities and magnitudes beyond the gelu table's range; sigmoid, tanh,
// elu and softplus need no scalar lanes (see has_scalar_lanes).
// tests/test_kernels.cpp checks every build against the mpmath references and
// against the scalar kernels on a dense sweep of float32 inputs.
//
// Nothing here has external linkage but the table function: inline helpers
// compiled for AVX-512 must not be merged with anyone else's.
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include <cstddef>
#include <cstdint>

#include "kernels_internal.hpp"

#if !defined(XGRAD_KERNEL_ISA) || !defined(XGRAD_KERNEL_TABLE)
#error "define XGRAD_KERNEL_ISA and XGRAD_KERNEL_TABLE before including kernels_impl.hpp"
#endif

namespace xgrad::kernels::XGRAD_KERNEL_ISA {
namespace {

#if defined(__AVX512F__)
constexpr int kLanes = 8;
#else
constexpr int kLanes = 4;
#endif

typedef double vd __attribute__((vector_size(kLanes * 8)));
typedef long long vl __attribute__((vector_size(kLanes * 8)));
typedef float vf __attribute__((vector_size(kLanes * 4)));
typedef int vi __attribute__((vector_size(kLanes * 4)));

using detail::Op;
using detail::Params;

inline vd splat(double v) { return vd{} + v; }

inline vd load(const float* p) {
#if defined(__AVX512F__)
  return (vd)_mm512_cvtps_pd(_mm256_loadu_ps(p));
#else
  vf f;
  __builtin_memcpy(&f, p, sizeof f);
  return __builtin_convertvector(f, vd);
#endif
}
inline vf loadf(const float* p) {
  vf f;
  __builtin_memcpy(&f, p, sizeof f);
  return f;
}
inline void store(float* p, vd v) {
  const vf f = __builtin_convertvector(v, vf);  // round to nearest, once
  __builtin_memcpy(p, &f, sizeof f);
}
inline void storef(float* p, vf f) { __builtin_memcpy(p, &f, sizeof f); }

inline vd fma(vd a, vd b, vd c) {  // a * b + c
#if defined(__AVX512F__)
  return (vd)_mm512_fmadd_pd((__m512d)a, (__m512d)b, (__m512d)c);
#elif defined(__FMA__)
  return (vd)_mm256_fmadd_pd((__m256d)a, (__m256d)b, (__m256d)c);
#else
  return a * b + c;
#endif
}
inline vd fnma(vd a, vd b, vd c) {  // c - a * b
#if defined(__AVX512F__)
  return (vd)_mm512_fnmadd_pd((__m512d)a, (__m512d)b, (__m512d)c);
#elif defined(__FMA__)
  return (vd)_mm256_fnmadd_pd((__m256d)a, (__m256d)b, (__m256d)c);
#else
  return c - a * b;
#endif
}

/// 1 / d to about 1 ulp: AVX-512's 14-bit estimate and two Newton steps
/// (2^-28, then ~2^-53), elsewhere a division.
inline vd recip(vd d) {
#if defined(__AVX512F__)
  vd r = (vd)_mm512_maskz_rcp14_pd(0xFF, (__m512d)d);
  vd e = fnma(d, r, splat(1.0));
  r = fma(r, e, r);
  e = fnma(d, r, splat(1.0));
  return fma(r, e, r);
#else
  return 1.0 / d;
#endif
}

/// 1 / d to 2^-28 (one Newton step on AVX-512): enough where the result only
/// has to be good to float32 and no cancellation follows (sigmoid, tanh, softplus).
inline vd recip_fast(vd d) {
#if defined(__AVX512F__)
  const vd r = (vd)_mm512_maskz_rcp14_pd(0xFF, (__m512d)d);
  return fma(r, fnma(d, r, splat(1.0)), r);
#else
  return 1.0 / d;
#endif
}

inline vd select(vl mask, vd a, vd b) { return mask ? a : b; }
inline vd vabs(vd x) { return (vd)((vl)x & 0x7FFFFFFFFFFFFFFFLL); }
// NaN in `a` stays NaN.
inline vd vmin(vd a, vd b) { return select(a > b, b, a); }
inline vd vmax(vd a, vd b) { return select(a < b, b, a); }
inline bool any(vl m) {
#if defined(__AVX512F__)
  return _mm512_test_epi64_mask((__m512i)m, (__m512i)m) != 0;
#elif defined(__AVX2__)
  return _mm256_movemask_pd((__m256d)m) != 0;
#else
  for (int i = 0; i < kLanes; ++i)
    if (m[i]) return true;
  return false;
#endif
}
inline double hsum(vd v) {
  double s = 0;
  for (int i = 0; i < kLanes; ++i) s += v[i];
  return s;
}

/// table[idx] per lane, for a table of 16 doubles.
inline vd lookup16(const double* table, vl idx) {
#if defined(__AVX512F__)
  return (vd)_mm512_permutex2var_pd(_mm512_loadu_pd(table), (__m512i)idx, _mm512_loadu_pd(table + 8));
#else
  vd r;  // the low four bits, as vpermt2pd reads them (NaN and out-of-range lanes are recomputed by the caller)
  for (int i = 0; i < kLanes; ++i) r[i] = table[idx[i] & 15];
  return r;
#endif
}

// ---------------------------------------------------------------- exp, expm1, log1p
constexpr double kLog2e = 0x1.71547652b82fep+0;
constexpr double kLn2Hi = 0x1.62e42fee00000p-1;  // k * kLn2Hi is exact for |k| < 2^20
constexpr double kLn2Lo = 0x1.a39ef35793c76p-33;
constexpr double kMagic = 0x1.8p52;               // x + kMagic - kMagic rounds x to an integer
constexpr long long kMagicBits = 0x4338000000000000LL;

/// exp(z) = s (1 + p) with s = 2^k and p = expm1(r), r = z - k ln2, |r| <= ln2/2 + 1e-9,
/// for z in [-708, 708]. p = r + r^2 Q(r), Q the degree-6 Chebyshev
/// interpolant of (e^r - 1 - r)/r^2 (tools/exp_poly.py): p is within 1.1e-11
/// of expm1(r), relatively; the reduction is exact to 2^-60 (Cody and Waite's
/// split of ln 2).
struct ExpParts {
  vd p, s;
};
inline ExpParts exp_parts(vd z) {
  const vd t = z * kLog2e + kMagic;
  const vd k = t - kMagic;
  const vl ki = (vl)t - kMagicBits;
  vd r = fnma(k, splat(kLn2Hi), z);
  r = fnma(k, splat(kLn2Lo), r);
  vd q = splat(0x1.a1131371eeeefp-16);
  q = fma(q, r, splat(0x1.a1516a0975b2dp-13));
  q = fma(q, r, splat(0x1.6c1685918d82cp-10));
  q = fma(q, r, splat(0x1.1110c63a3b4a3p-7));
  q = fma(q, r, splat(0x1.5555555c85fc6p-5));
  q = fma(q, r, splat(0x1.55555567506e3p-3));
  q = fma(q, r, splat(0.5));
  const vd p = fma(r * r, q, r);
  const vd s = (vd)((ki + 1023) << 52);
  return {p, s};
}
inline vd clamp_exp_arg(vd z) { return vmax(vmin(z, splat(708.0)), splat(-708.0)); }
/// e^z for z in [-708, 708] (AVX-512: any z <= 708; below -745 the result is 0).
inline vd vexp(vd z) {
#if defined(__AVX512F__)
  // The same reduction and polynomial; k by roundscale, 2^k (1 + p) by scalef
  // (exact, and graceful below the normal range).
  const __m512d zz = _mm512_max_pd(_mm512_set1_pd(-746.0), (__m512d)z);  // NaN in z stays NaN
  const vd k = (vd)_mm512_roundscale_pd(_mm512_mul_pd(zz, _mm512_set1_pd(kLog2e)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  vd r = fnma(k, splat(kLn2Hi), (vd)zz);
  r = fnma(k, splat(kLn2Lo), r);
  vd q = splat(0x1.a1131371eeeefp-16);
  q = fma(q, r, splat(0x1.a1516a0975b2dp-13));
  q = fma(q, r, splat(0x1.6c1685918d82cp-10));
  q = fma(q, r, splat(0x1.1110c63a3b4a3p-7));
  q = fma(q, r, splat(0x1.5555555c85fc6p-5));
  q = fma(q, r, splat(0x1.55555567506e3p-3));
  q = fma(q, r, splat(0.5));
  const vd p = fma(r * r, q, r);
  return (vd)_mm512_scalef_pd((__m512d)(p + 1.0), (__m512d)k);
#else
  const ExpParts e = exp_parts(z);
  return fma(e.s, e.p, e.s);
#endif
}
/// e^z - 1 for z in [-708, 708], relatively exact near 0: s p + (s - 1), where
/// s - 1 is exact and is 0 for |z| < ln2/2.
inline vd vexpm1(vd z) {
  const ExpParts e = exp_parts(z);
  return fma(e.s, e.p, e.s - 1.0);
}

/// log(1 + e) for e >= 0 (up to 2^52): u = 1 + e rounded, corrected by
/// (e - (u - 1)) / u, both exact differences; log u = k ln2 + 2 atanh(s),
/// s = (f - 1)/(f + 1), f in [sqrt(1/2), sqrt(2)), |s| <= 0.1716, series to s^11
/// (remainder below s^12/13 = 5e-11 relative); with the reciprocal's 2^-28,
/// within 4e-9 relative: for float32 results (softplus, log_softmax) only.
inline vd vlog1p(vd e) {
  const vd u = 1.0 + e;
  const vd c = e - (u - 1.0);
  const vl bits = (vl)u;
  const vl k = (bits - 0x3FE6A09E667F3BCDLL) >> 52;  // sqrt(1/2)'s bits: f lands in [sqrt(1/2), sqrt(2))
  const vd f = (vd)(bits - (k << 52));
  const vd kd = __builtin_convertvector(k, vd);
  const vd s = (f - 1.0) * recip_fast(f + 1.0);  // to 2^-28 relative: 0.06 ulp of a float32 result
  const vd s2 = s * s;
  vd q = splat(2.0 / 11);
  q = fma(q, s2, splat(2.0 / 9));
  q = fma(q, s2, splat(2.0 / 7));
  q = fma(q, s2, splat(2.0 / 5));
  q = fma(q, s2, splat(2.0 / 3));
  const vd log_f = fma(s * s2, q, s + s);
  const vd log_u = fma(kd, splat(kLn2Hi), fma(kd, splat(kLn2Lo), log_f));
  return fma(c, recip_fast(u), log_u);  // c is below an ulp of u: its quotient needs few bits
}

// ---------------------------------------------------------------- the functions
/// e^z for z <= 0 (AVX-512's vexp takes any such z; elsewhere clamp to -708 first).
inline vd vexp_nonpositive(vd z) {
#if defined(__AVX512F__)
  return vexp(z);
#else
  return vexp(vmax(z, splat(-708.0)));
#endif
}

/// e^z for z <= 708 (softplus below a threshold that may be large).
inline vd vexp_nonpositive_or_small(vd z) {
#if defined(__AVX512F__)
  return vexp(vmin(z, splat(708.0)));
#else
  return vexp(clamp_exp_arg(z));
#endif
}

/// sigmoid(x) and sigmoid'(x) from e = e^-|x| (as xgrad::math: sign split, f' from x).
inline vd sigmoid_f(vd x) {
  const vd e = vexp_nonpositive(-vabs(x));
  const vd inv = recip_fast(1.0 + e);
  return select(x >= 0.0, inv, e * inv);
}
inline vd sigmoid_df(vd x) {
  const vd e = vexp_nonpositive(-vabs(x));
  const vd inv = recip_fast(1.0 + e);
  return e * inv * inv;
}

/// tanh|x| = -expm1(-2|x|) / (2 + expm1(-2|x|)), |x| clamped to 20 (tanh(20) rounds to 1).
inline vd tanh_f(vd x) {
  const vd m = vexpm1(-2.0 * vmin(vabs(x), splat(20.0)));
  const vd t = vabs(-m * recip_fast(2.0 + m));
  return (vd)((vl)t | ((vl)x & (long long)0x8000000000000000ULL));
}
/// tanh'(x) = 4e / (1 + e)^2, e = e^-2|x| (|x| clamped to 354: f' underflows float32 long before).
inline vd tanh_df(vd x) {
  const vd e = vexp_nonpositive(-2.0 * vabs(x));
  const vd inv = recip_fast(1.0 + e);
  return 4.0 * e * inv * inv;
}

inline vd elu_f(vd x, double alpha) {
  // expm1(-0) = -0: the zero lanes keep their sign
  return select(x > 0.0 || x == 0.0, x, alpha * vexpm1(vmax(x, splat(-708.0))));
}
inline vd elu_df(vd x, double alpha) {
  return select(x > 0.0, splat(1.0), alpha * vexp(vmax(x, splat(-708.0))));
}

inline vd softplus_f(vd x, const Params& p, double inv_beta) {
  const vd z = p.beta * x;
  vd l = vlog1p(vexp_nonpositive_or_small(z));
  if (p.beta != 1.0) l = l * inv_beta;
  return select(z > p.threshold, x, l);
}
inline vd softplus_df(vd x, const Params& p) {
  const vd z = p.beta * x;
  return select(z > p.threshold, splat(1.0), sigmoid_f(z));
}

// gelu: Phi(x) = q or 1 - q with q = Phi(-|x|) = e^(-x^2/2) R(|x|), where R is
// the Mills-ratio-like R(a) = Phi(-a) e^(a^2/2), tabulated as 16 degree-7
// polynomials in a - mid on [0,.25), [.25,.5), ..., [13, 15) (the interval is
// read from the bits of a + 1: four per octave). Chebyshev interpolants of
// mpmath values (tools/gelu_table.py), within 2.7e-10 relative everywhere and
// 3.4e-13 on [0, 1]. x^2/2 is exact for float32 x.
constexpr double kGeluMid[16] = {
#include "gelu_mid.inc"
};
constexpr double kGeluR[8][16] = {
#include "gelu_r.inc"
};
constexpr double kInvSqrt2Pi = 0x1.9884533d43651p-2;
constexpr double kSqrt2OverPi = 0x1.9884533d43651p-1;
constexpr double kGeluRange = 15.0;  // |x| beyond: scalar
constexpr double kGeluRoot = -0.751791524693564457;
constexpr double kGeluTanhRoot = -0.752461422071016258;
constexpr double kRootWindow = 1e-3;

struct GeluParts {
  vd q, e;  // Phi(-|x|) and e^(-x^2/2)
  vd r;     // R(|x|)
};
inline GeluParts gelu_parts(vd x) {
  const vd a = vmin(vabs(x), splat(kGeluRange));
  const vl idx = (((vl)(a + 1.0)) >> 50) - 1023LL * 4;
  const vd t = a - lookup16(kGeluMid, idx);
  vd r = lookup16(kGeluR[7], idx);
  for (int j = 6; j >= 0; --j) r = fma(r, t, lookup16(kGeluR[j], idx));
  const vd e = vexp(-0.5 * (a * a));
  return {e * r, e, r};
}
inline vd gelu_f(vd x) {
  const GeluParts g = gelu_parts(x);
  return x * select(x < 0.0, g.q, 1.0 - g.q);
}
/// Phi(x) + x phi(x): for x < 0, e (R(a) - a / sqrt(2 pi)) keeps the
/// cancellation inside the polynomial's absolute error.
inline vd gelu_df(vd x) {
  const GeluParts g = gelu_parts(x);
  const vd a = vabs(x);
  return select(x < 0.0, g.e * fnma(a, splat(kInvSqrt2Pi), g.r), fma(a * g.e, splat(kInvSqrt2Pi), 1.0 - g.q));
}

// gelu_tanh(x) = x sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3).
inline vd gelu_tanh_z(vd x) { return 2.0 * (kSqrt2OverPi * (x + 0.044715 * x * x * x)); }
inline vd gelu_tanh_f(vd x) { return x * sigmoid_f(gelu_tanh_z(x)); }
inline vd gelu_tanh_df(vd x) {
  const vd z = gelu_tanh_z(x);
  const vd e = vexp(vmax(-vabs(z), splat(-708.0)));
  const vd inv = recip(1.0 + e);
  const vd s = select(z >= 0.0, inv, e * inv);
  const vd ds = e * inv * inv;
  const vd du = kSqrt2OverPi * (1.0 + 3.0 * 0.044715 * (x * x));
  return select(ds == 0.0, s, s + 2.0 * x * du * ds);
}

/// Lanes the vector code leaves to the scalar kernel. sigmoid, tanh, elu and
/// softplus need none: NaN propagates through their arithmetic and the
/// clamps give the limits at the infinities (0, +-1, -alpha, x), exactly as
/// the scalar kernels do (tests/test_kernels.cpp sweeps NaN, +-inf and
/// +-FLT_MAX through every build).
inline constexpr bool has_scalar_lanes(Op op) { return op == Op::gelu || op == Op::gelu_tanh; }

inline vl scalar_lanes(Op op, bool derivative, vd x) {
  const vd a = vabs(x);
  switch (op) {
    case Op::gelu:
      if (derivative) return ~(a < kGeluRange) | (vabs(x - kGeluRoot) < kRootWindow);
      return ~(a < kGeluRange);
    case Op::gelu_tanh:
      if (derivative) return ~(a <= 1e5) | (vabs(x - kGeluTanhRoot) < kRootWindow);
      return ~(a <= 1e5);
    default:
      return vl{};
  }
}

/// The same choice for one lane (the rare path recomputes it instead of keeping the mask).
inline bool scalar_lane(Op op, bool derivative, float xf) {
  const double x = xf, a = __builtin_fabs(x);
  switch (op) {
    case Op::gelu:
      return !(a < kGeluRange) || (derivative && __builtin_fabs(x - kGeluRoot) < kRootWindow);
    case Op::gelu_tanh:
      return !(a <= 1e5) || (derivative && __builtin_fabs(x - kGeluTanhRoot) < kRootWindow);
    default:
      return !(a <= 3.4028234663852886e38);
  }
}

template <Op op, bool derivative>
inline vd evaluate(vd x, const Params& p, double inv_beta) {
  if constexpr (op == Op::sigmoid) return derivative ? sigmoid_df(x) : sigmoid_f(x);
  if constexpr (op == Op::tanh) return derivative ? tanh_df(x) : tanh_f(x);
  if constexpr (op == Op::elu) return derivative ? elu_df(x, p.alpha) : elu_f(x, p.alpha);
  if constexpr (op == Op::softplus) return derivative ? softplus_df(x, p) : softplus_f(x, p, inv_beta);
  if constexpr (op == Op::gelu) return derivative ? gelu_df(x) : gelu_f(x);
  if constexpr (op == Op::gelu_tanh) return derivative ? gelu_tanh_df(x) : gelu_tanh_f(x);
  return x;
}

/// y = f(x) (derivative: dx (+)= g * f'(x), f' rounded to float first, as the scalar path does).
template <Op op, bool derivative>
inline void unary_block(const float* xs, const float* gs, float* os, bool accumulate, const Params& p, double inv_beta,
                        detail::ScalarFn scalar) {
  const vd xv = load(xs);
  vd fv = evaluate<op, derivative>(xv, p, inv_beta);
  if constexpr (!has_scalar_lanes(op) && !derivative) fv = select(xv != xv, xv, fv);  // f(NaN) is that NaN, sign and all
  bool slow = false;
  if constexpr (has_scalar_lanes(op)) slow = any(scalar_lanes(op, derivative, xv));
  if (derivative) {
    const vf r = __builtin_convertvector(fv, vf) * loadf(gs);
    if (__builtin_expect(slow, 0)) {
      const vf old = accumulate ? loadf(os) : vf{};
      vf out = accumulate ? old + r : r;
      for (int l = 0; l < kLanes; ++l)
        if (scalar_lane(op, true, xs[l])) {
          const float c = gs[l] * scalar(op, true, xs[l], p);
          out[l] = accumulate ? old[l] + c : c;
        }
      storef(os, out);
    } else {
      storef(os, accumulate ? loadf(os) + r : r);
    }
  } else {
    store(os, fv);
    if (__builtin_expect(slow, 0))
      for (int l = 0; l < kLanes; ++l)
        if (scalar_lane(op, false, xs[l])) os[l] = scalar(op, false, xs[l], p);
  }
}

template <Op op, bool derivative>
void unary_loop(const float* x, const float* g, float* out, std::size_t n, bool accumulate, const Params& p,
                detail::ScalarFn scalar) {
  const double inv_beta = 1.0 / p.beta;
  std::size_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    unary_block<op, derivative>(x + i, derivative ? g + i : nullptr, out + i, accumulate, p, inv_beta, scalar);
  if (i < n) {  // the tail through a padded block
    float xb[kLanes] = {}, gb[kLanes] = {}, ob[kLanes] = {};
    const std::size_t m = n - i;
    for (std::size_t l = 0; l < m; ++l) {
      xb[l] = x[i + l];
      if (derivative) gb[l] = g[i + l];
      ob[l] = out[i + l];
    }
    unary_block<op, derivative>(xb, gb, ob, accumulate, p, inv_beta, scalar);
    for (std::size_t l = 0; l < m; ++l) out[i + l] = ob[l];
  }
}

template <bool derivative>
void unary_dispatch(Op op, const float* x, const float* g, float* out, std::size_t n, bool accumulate,
                    const Params& p, detail::ScalarFn scalar) {
  switch (op) {
    case Op::sigmoid: return unary_loop<Op::sigmoid, derivative>(x, g, out, n, accumulate, p, scalar);
    case Op::tanh: return unary_loop<Op::tanh, derivative>(x, g, out, n, accumulate, p, scalar);
    case Op::elu: return unary_loop<Op::elu, derivative>(x, g, out, n, accumulate, p, scalar);
    case Op::softplus: return unary_loop<Op::softplus, derivative>(x, g, out, n, accumulate, p, scalar);
    case Op::gelu: return unary_loop<Op::gelu, derivative>(x, g, out, n, accumulate, p, scalar);
    case Op::gelu_tanh: return unary_loop<Op::gelu_tanh, derivative>(x, g, out, n, accumulate, p, scalar);
  }
}

void unary_forward(Op op, const float* x, float* y, std::size_t n, const Params& p, detail::ScalarFn scalar) {
  unary_dispatch<false>(op, x, nullptr, y, n, false, p, scalar);
}
void unary_backward(Op op, const float* x, const float* g, float* dx, std::size_t n, bool accumulate,
                    const Params& p, detail::ScalarFn scalar) {
  unary_dispatch<true>(op, x, g, dx, n, accumulate, p, scalar);
}

// ---------------------------------------------------------------- relu, leaky_relu, prelu
// Memory-bound: float lanes, the slope product formed in double and rounded once (as xgrad::math).
constexpr int kFloatLanes = kLanes;

void relu_forward(const float* x, float* y, std::size_t n) {
  std::size_t i = 0;
  for (; i + kFloatLanes <= n; i += kFloatLanes) {
    const vf v = loadf(x + i);
    storef(y + i, v < 0.f ? vf{} : v);
  }
  for (; i < n; ++i) y[i] = x[i] < 0.f ? 0.f : x[i];
}

// dx (+)= x > 0 ? g : (x <= 0 ? 0 : x)   (NaN stays NaN)
void relu_backward(const float* x, const float* g, float* dx, std::size_t n, bool accumulate) {
  std::size_t i = 0;
  for (; i + kFloatLanes <= n; i += kFloatLanes) {
    const vf v = loadf(x + i), gv = loadf(g + i);
    const vf c = v > 0.f ? gv : (v <= 0.f ? vf{} : v);
    storef(dx + i, accumulate ? loadf(dx + i) + c : c);
  }
  for (; i < n; ++i) {
    const float c = x[i] > 0.f ? g[i] : (x[i] <= 0.f ? 0.f : x[i]);
    dx[i] = accumulate ? dx[i] + c : c;
  }
}

void leaky_forward(const float* x, float* y, std::size_t n, double slope) {
  std::size_t i = 0;
  for (; i + kFloatLanes <= n; i += kFloatLanes) {
    const vf v = loadf(x + i);
    const vf s = __builtin_convertvector(__builtin_convertvector(v, vd) * slope, vf);
    storef(y + i, v > 0.f ? v : s);
  }
  for (; i < n; ++i) y[i] = x[i] > 0.f ? x[i] : static_cast<float>(static_cast<double>(x[i]) * slope);
}

// dx (+)= g * (x > 0 ? 1 : (x <= 0 ? slope : x))
void leaky_backward(const float* x, const float* g, float* dx, std::size_t n, float slope, bool accumulate) {
  std::size_t i = 0;
  for (; i + kFloatLanes <= n; i += kFloatLanes) {
    const vf v = loadf(x + i), gv = loadf(g + i);
    const vf d = v > 0.f ? vf{} + 1.f : (v <= 0.f ? vf{} + slope : v);
    const vf c = gv * d;
    storef(dx + i, accumulate ? loadf(dx + i) + c : c);
  }
  for (; i < n; ++i) {
    const float c = g[i] * (x[i] > 0.f ? 1.f : (x[i] <= 0.f ? slope : x[i]));
    dx[i] = accumulate ? dx[i] + c : c;
  }
}

/// prelu with one alpha: dx (+)= g * prelu'(x) when dx is given, and returns
/// sum g * (x > 0 ? 0 : x) in double (d/d alpha), in one pass over x and g.
double prelu_backward(const float* x, const float* g, float* dx, std::size_t n, float alpha, bool accumulate) {
  vd total{};
  std::size_t i = 0;
  for (; i + kFloatLanes <= n; i += kFloatLanes) {
    const vf v = loadf(x + i), gv = loadf(g + i);
    if (dx) {
      const vf d = v > 0.f ? vf{} + 1.f : (v <= 0.f ? vf{} + alpha : v);
      const vf c = gv * d;
      storef(dx + i, accumulate ? loadf(dx + i) + c : c);
    }
    const vf neg = v > 0.f ? vf{} : v;
    total = fma(__builtin_convertvector(gv, vd), __builtin_convertvector(neg, vd), total);
  }
  double sum = hsum(total);
  for (; i < n; ++i) {
    if (dx) {
      const float c = g[i] * (x[i] > 0.f ? 1.f : (x[i] <= 0.f ? alpha : x[i]));
      dx[i] = accumulate ? dx[i] + c : c;
    }
    sum += static_cast<double>(g[i]) * static_cast<double>(x[i] > 0.f ? 0.f : x[i]);
  }
  return sum;
}

// ---------------------------------------------------------------- softmax, log_softmax (rows)
/// Loads lanes [0, m) of p, `pad` elsewhere.
inline vf load_partial(const float* p, std::size_t m, float pad) {
  vf v = vf{} + pad;
  for (std::size_t l = 0; l < m; ++l) v[l] = p[l];
  return v;
}
inline void store_partial(float* p, vf v, std::size_t m) {
  for (std::size_t l = 0; l < m; ++l) p[l] = v[l];
}

/// Narrow rows (cols <= kNarrow, e.g. a classifier's logits): the lanes run
/// across kLanes rows at a time, one column after the other. The same
/// definitions as below; rows with NaN or an infinite maximum go to the scalar code.
constexpr std::size_t kNarrow = 32;

void softmax_narrow(bool log, const float* x, float* y, std::size_t rows, std::size_t cols,
                    detail::ScalarRowFn scalar_row) {
  vd v[kNarrow];
  const double inf = __builtin_inf();
  for (std::size_t r0 = 0; r0 < rows; r0 += kLanes) {
    const std::size_t lanes = rows - r0 < std::size_t(kLanes) ? rows - r0 : std::size_t(kLanes);
    for (std::size_t j = 0; j < cols; ++j) {
      vd c = splat(0.0);
      for (std::size_t l = 0; l < lanes; ++l) c[l] = x[(r0 + l) * cols + j];
      v[j] = c;
    }
    vd m = splat(-inf);
    vl nan{};
    for (std::size_t j = 0; j < cols; ++j) {
      nan |= (v[j] != v[j]);
      m = select(v[j] > m, v[j], m);
    }
    vl bad = nan | (m == inf) | (m == -inf);
    vd sum{};
    vl found{};
    for (std::size_t j = 0; j < cols; ++j) {
      const vd d = v[j] - m;
      vd e = vexp(vmax(d, splat(-708.0)));
      if (log) {
        const vl first = (v[j] == m) & ~found;  // the first maximum's own term, 1, is log1p's
        found |= first;
        e = select(first, splat(0.0), e);
        v[j] = d;
      } else {
        v[j] = e;
      }
      sum += e;
    }
    if (log) {
      const vd log_sum = vlog1p(sum);
      for (std::size_t j = 0; j < cols; ++j) {
        const vf out = __builtin_convertvector(v[j] - log_sum, vf);
        for (std::size_t l = 0; l < lanes; ++l) y[(r0 + l) * cols + j] = out[l];
      }
    } else {
      const vd inv = recip(sum);
      for (std::size_t j = 0; j < cols; ++j) {
        const vf out = __builtin_convertvector(v[j] * inv, vf);
        for (std::size_t l = 0; l < lanes; ++l) y[(r0 + l) * cols + j] = out[l];
      }
    }
    if (any(bad))
      for (std::size_t l = 0; l < lanes; ++l)
        if (bad[l]) scalar_row(log, x + (r0 + l) * cols, y + (r0 + l) * cols, cols);
  }
}

/// softmax(x)_j = e^(x_j - m) / sum e^(x - m); log_softmax(x)_j = (x_j - m) - log1p(sum_{j != k} e^(x_j - m)),
/// k the first maximum (xgrad::math's definitions), all in double. Rows
/// holding NaN or an infinite maximum go to the scalar lane code.
void softmax_rows(bool log, const float* x, float* y, std::size_t rows, std::size_t cols, detail::ScalarRowFn scalar_row) {
  if (cols > 0 && cols <= kNarrow) return softmax_narrow(log, x, y, rows, cols, scalar_row);
  const float inf = __builtin_inff();
  double* scratch = log ? nullptr : static_cast<double*>(__builtin_malloc((cols + kLanes) * sizeof(double)));
  for (std::size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    // The maximum, and for log_softmax where it first occurs: each lane keeps
    // its first maximum (strict >) and its index; the first overall is the
    // smallest index among the lanes holding the maximum.
    vf mv = vf{} - inf;
    vi nan{}, at{}, lane{};
    for (int l = 0; l < kLanes; ++l) lane[l] = l;
    for (std::size_t j = 0; j < cols; j += kLanes) {
      const std::size_t m = cols - j < std::size_t(kLanes) ? cols - j : std::size_t(kLanes);
      const vf v = m == std::size_t(kLanes) ? loadf(xr + j) : load_partial(xr + j, m, -inf);
      nan |= (v != v);
      const vi up = v > mv;
      mv = up ? v : mv;
      if (log) at = up ? lane + static_cast<int>(j) : at;
    }
    float mf = -inf;
    bool bad = false;
    for (int l = 0; l < kLanes; ++l) {
      mf = mv[l] > mf ? mv[l] : mf;
      bad = bad || nan[l];
    }
    std::size_t k = cols;
    if (log)
      for (int l = 0; l < kLanes; ++l)
        if (mv[l] == mf && static_cast<std::size_t>(at[l]) < k) k = static_cast<std::size_t>(at[l]);
    if (bad || mf == inf || mf == -inf || cols == 0) {
      scalar_row(log, xr, yr, cols);
      continue;
    }
    const double mx = mf;
    if (!log) {
      vd sum{};
      for (std::size_t j = 0; j < cols; j += kLanes) {
        const std::size_t m = cols - j < std::size_t(kLanes) ? cols - j : std::size_t(kLanes);
        const vd xd = m == std::size_t(kLanes) ? load(xr + j) : __builtin_convertvector(load_partial(xr + j, m, -inf), vd);
        vd e = vexp_nonpositive(xd - mx);
        if (m < std::size_t(kLanes))
          for (int l = int(m); l < kLanes; ++l) e[l] = 0;
        __builtin_memcpy(scratch + j, &e, sizeof e);
        sum += e;
      }
      const double inv = 1.0 / hsum(sum);
      for (std::size_t j = 0; j < cols; j += kLanes) {
        const std::size_t m = cols - j < std::size_t(kLanes) ? cols - j : std::size_t(kLanes);
        vd e;
        __builtin_memcpy(&e, scratch + j, sizeof e);
        const vf out = __builtin_convertvector(e * inv, vf);
        if (m == std::size_t(kLanes)) storef(yr + j, out);
        else store_partial(yr + j, out, m);
      }
    } else {
      vd sum{};
      for (std::size_t j = 0; j < cols; j += kLanes) {
        const std::size_t m = cols - j < std::size_t(kLanes) ? cols - j : std::size_t(kLanes);
        const vd xd = m == std::size_t(kLanes) ? load(xr + j) : __builtin_convertvector(load_partial(xr + j, m, -inf), vd);
        vd e = vexp_nonpositive(xd - mx);
        if (m < std::size_t(kLanes))
          for (int l = int(m); l < kLanes; ++l) e[l] = 0;
        if (k >= j && k < j + kLanes) e[k - j] = 0;  // the maximum's own term, 1, is log1p's
        sum += e;
      }
      const double log_sum = __builtin_log1p(hsum(sum));
      for (std::size_t j = 0; j < cols; j += kLanes) {
        const std::size_t m = cols - j < std::size_t(kLanes) ? cols - j : std::size_t(kLanes);
        const vd xd = m == std::size_t(kLanes) ? load(xr + j) : __builtin_convertvector(load_partial(xr + j, m, 0.f), vd);
        const vf out = __builtin_convertvector((xd - mx) - log_sum, vf);
        if (m == std::size_t(kLanes)) storef(yr + j, out);
        else store_partial(yr + j, out, m);
      }
    }
  }
  __builtin_free(scratch);
}

/// softmax: dx (+)= y (g - sum g y / sum y); log_softmax: dx (+)= g - e^y sum g; in double, rounded once per element.
void softmax_backward_rows(bool log, const float* y, const float* g, float* dx, std::size_t rows, std::size_t cols,
                           bool accumulate) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* yr = y + r * cols;
    const float* gr = g + r * cols;
    float* dr = dx + r * cols;
    vd acc{}, ysum{};
    for (std::size_t j = 0; j < cols; j += kLanes) {
      const std::size_t m = cols - j < std::size_t(kLanes) ? cols - j : std::size_t(kLanes);
      const bool full = m == std::size_t(kLanes);
      const vd gv = full ? load(gr + j) : __builtin_convertvector(load_partial(gr + j, m, 0.f), vd);
      if (log) {
        acc += gv;
      } else {
        const vd yv = full ? load(yr + j) : __builtin_convertvector(load_partial(yr + j, m, 0.f), vd);
        acc = fma(gv, yv, acc);
        ysum += yv;
      }
    }
    // softmax: sum(g y) / sum(y), as xgrad::math (a uniform upstream gives exactly 0)
    const double s = log ? hsum(acc) : hsum(acc) / hsum(ysum);
    for (std::size_t j = 0; j < cols; j += kLanes) {
      const std::size_t m = cols - j < std::size_t(kLanes) ? cols - j : std::size_t(kLanes);
      const bool full = m == std::size_t(kLanes);
      const vd gv = full ? load(gr + j) : __builtin_convertvector(load_partial(gr + j, m, 0.f), vd);
      const vd yv = full ? load(yr + j) : __builtin_convertvector(load_partial(yr + j, m, 0.f), vd);
      const vd c = log ? gv - vexp(vmax(yv, splat(-708.0))) * s : yv * (gv - s);
      const vf old = accumulate ? (full ? loadf(dr + j) : load_partial(dr + j, m, 0.f)) : vf{};
      const vf out = old + __builtin_convertvector(c, vf);
      if (full) storef(dr + j, out);
      else store_partial(dr + j, out, m);
    }
  }
}

// ---------------------------------------------------------------- small and medium matrix products
/// C = alpha op(A) op(B) + beta C. op(B) is packed into a zero-padded
/// [k, 16 ceil(n/16)] buffer on the stack; blocks of up to 8 rows x 32 columns
/// of C accumulate in 16 vector registers (fused multiply-adds where the CPU
/// has them: a matrix product has no exactness contract, and BLAS fuses too).
/// The caller keeps k * 16 ceil(n/16) <= kGemmScratch.
constexpr std::size_t kGemmScratch = 16384;
typedef float v16 __attribute__((vector_size(64)));

inline v16 fma16(float a, v16 b, v16 c) {
#if defined(__AVX512F__)
  return (v16)_mm512_fmadd_ps(_mm512_set1_ps(a), (__m512)b, (__m512)c);
#elif defined(__FMA__)
  __m256 bh[2], ch[2];
  __builtin_memcpy(bh, &b, sizeof b);
  __builtin_memcpy(ch, &c, sizeof c);
  const __m256 av = _mm256_set1_ps(a);
  ch[0] = _mm256_fmadd_ps(av, bh[0], ch[0]);
  ch[1] = _mm256_fmadd_ps(av, bh[1], ch[1]);
  __builtin_memcpy(&c, ch, sizeof c);
  return c;
#else
  return a * b + c;
#endif
}

struct GemmArgs {
  bool ta;
  std::size_t n, k;
  float alpha, beta;
  const float* a;
  std::size_t lda;
  const float* bp;  // packed op(B)
  std::size_t np;
  float* c;
  std::size_t ldc;
};

template <int MR, int NV>
inline void gemm_block(const GemmArgs& g, std::size_t i, std::size_t j0) {
  v16 acc[MR][NV];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) acc[r][v] = v16{};
  const float* arow[MR];
  for (int r = 0; r < MR; ++r) arow[r] = g.ta ? g.a + (i + r) : g.a + (i + r) * g.lda;
  const std::size_t astep = g.ta ? g.lda : 1;
  for (std::size_t p = 0; p < g.k; ++p) {
    v16 bv[NV];
    for (int v = 0; v < NV; ++v) __builtin_memcpy(&bv[v], g.bp + p * g.np + j0 + 16 * v, sizeof(v16));
    for (int r = 0; r < MR; ++r) {
      const float av = arow[r][p * astep];
      for (int v = 0; v < NV; ++v) acc[r][v] = fma16(av, bv[v], acc[r][v]);
    }
  }
  for (int r = 0; r < MR; ++r) {
    float* cr = g.c + (i + r) * g.ldc + j0;
    for (int v = 0; v < NV; ++v) {
      const std::size_t j = j0 + 16 * v;
      if (j >= g.n) break;
      const std::size_t w = g.n - j < 16 ? g.n - j : 16;
      float* cv = cr + 16 * v;
      if (g.beta == 0.f) for (std::size_t l = 0; l < w; ++l) cv[l] = g.alpha * acc[r][v][l];
      else for (std::size_t l = 0; l < w; ++l) cv[l] = g.alpha * acc[r][v][l] + g.beta * cv[l];
    }
  }
}

template <int NV>
inline void gemm_rows(const GemmArgs& g, std::size_t m, std::size_t j0) {
  std::size_t i = 0;
  for (; i + 8 <= m; i += 8) gemm_block<8, NV>(g, i, j0);
  switch (m - i) {
    case 7: return gemm_block<7, NV>(g, i, j0);
    case 6: return gemm_block<6, NV>(g, i, j0);
    case 5: return gemm_block<5, NV>(g, i, j0);
    case 4: return gemm_block<4, NV>(g, i, j0);
    case 3: return gemm_block<3, NV>(g, i, j0);
    case 2: return gemm_block<2, NV>(g, i, j0);
    case 1: return gemm_block<1, NV>(g, i, j0);
    default: return;
  }
}

void gemm_small(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a,
                std::size_t lda, const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc) {
  alignas(64) float bp[kGemmScratch];
  std::size_t np = (n + 15) / 16 * 16;
  const float* packed = bp;
  if (!tb && n % 16 == 0) {  // B's rows already are whole vectors: read them in place
    packed = b;
    np = ldb;
  } else if (tb) {  // B is [n, k]: transpose it in 16 x 16 tiles (both sides stay in cache lines)
    for (std::size_t j0 = 0; j0 < np; j0 += 16)
      for (std::size_t p0 = 0; p0 < k; p0 += 16) {
        const std::size_t pe = p0 + 16 < k ? p0 + 16 : k;
        for (std::size_t j = j0; j < j0 + 16; ++j)
          for (std::size_t p = p0; p < pe; ++p) bp[p * np + j] = j < n ? b[j * ldb + p] : 0.f;
      }
  } else {
    for (std::size_t p = 0; p < k; ++p) {
      float* dst = bp + p * np;
      for (std::size_t j = 0; j < n; ++j) dst[j] = b[p * ldb + j];
      for (std::size_t j = n; j < np; ++j) dst[j] = 0.f;
    }
  }
  const GemmArgs g{ta, n, k, alpha, beta, a, lda, packed, np, c, ldc};
  const std::size_t nc = (n + 15) / 16 * 16;  // the columns computed (np is the packed row stride)
  std::size_t j0 = 0;
  for (; j0 + 32 <= nc; j0 += 32) gemm_rows<2>(g, m, j0);
  if (j0 < nc) gemm_rows<1>(g, m, j0);
}

// ---------------------------------------------------------------- Adam
inline v16 sqrt16(v16 v) {
#if defined(__AVX512F__)
  return (v16)_mm512_sqrt_ps((__m512)v);
#elif defined(__AVX__)
  __m256 h[2];
  __builtin_memcpy(h, &v, sizeof v);
  h[0] = _mm256_sqrt_ps(h[0]);
  h[1] = _mm256_sqrt_ps(h[1]);
  __builtin_memcpy(&v, h, sizeof v);
  return v;
#elif defined(__SSE__)
  __m128 q[4];
  __builtin_memcpy(q, &v, sizeof v);
  for (int i = 0; i < 4; ++i) q[i] = _mm_sqrt_ps(q[i]);
  __builtin_memcpy(&v, q, sizeof v);
  return v;
#else
  for (int i = 0; i < 16; ++i) v[i] = __builtin_sqrtf(v[i]);
  return v;
#endif
}

/// Adam's update in float, operation for operation as xgrad::Adam::step (each
/// op correctly rounded: the same bits at any vector width).
void adam_update(float* w, const float* g, float* m, float* v, std::size_t n, float b1, float b2, float eps, float wd,
                 float step_size, float bias2_sqrt) {
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    v16 wv, gv, mv, vv;
    __builtin_memcpy(&wv, w + i, sizeof wv);
    __builtin_memcpy(&gv, g + i, sizeof gv);
    __builtin_memcpy(&mv, m + i, sizeof mv);
    __builtin_memcpy(&vv, v + i, sizeof vv);
    const v16 d = gv + wd * wv;
    mv = b1 * mv + (1.f - b1) * d;
    vv = b2 * vv + (1.f - b2) * d * d;
    wv -= step_size * mv / (sqrt16(vv) / bias2_sqrt + eps);
    __builtin_memcpy(w + i, &wv, sizeof wv);
    __builtin_memcpy(m + i, &mv, sizeof mv);
    __builtin_memcpy(v + i, &vv, sizeof vv);
  }
  for (; i < n; ++i) {
    const float d = g[i] + wd * w[i];
    m[i] = b1 * m[i] + (1.f - b1) * d;
    v[i] = b2 * v[i] + (1.f - b2) * d * d;
    w[i] -= step_size * m[i] / (__builtin_sqrtf(v[i]) / bias2_sqrt + eps);
  }
}

}  // namespace
}  // namespace xgrad::kernels::XGRAD_KERNEL_ISA

namespace xgrad::kernels::detail {

Table XGRAD_KERNEL_TABLE() {
  namespace k = xgrad::kernels::XGRAD_KERNEL_ISA;
  return {XGRAD_KERNEL_NAME,  k::unary_forward,  k::unary_backward, k::relu_forward,         k::relu_backward,
          k::leaky_forward,   k::leaky_backward, k::prelu_backward, k::softmax_rows,         k::softmax_backward_rows,
          k::gemm_small,      k::adam_update};
}

}  // namespace xgrad::kernels::detail
