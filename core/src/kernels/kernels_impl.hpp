// The float32 kernels, written once for GCC's vector extensions and compiled
// per instruction set (XGRAD_KERNEL_ISA names the namespace and the table
// function; the including file sets the target flags). Included by
// kernels_avx512.cpp, kernels_avx2.cpp and kernels_baseline.cpp only.
//
// The exactness contract is xgrad::math's (docs/exactness.md): 4 ulp. Here
// every float32 result but sigmoid's and gelu's is a float64 evaluation
// rounded once, with short polynomials instead of libm; each is accurate to
// better than 3e-10 relative (most to ~1e-11), so the rounded result is
// within 0.5 ulp + 5e-3 ulp of the exact value (float32's ulp is at least
// 6e-8 relative); the softmax rows' forward on AVX2 and baseline takes a
// degree-5 exp (softmax_rows.inc): 1.1e-9, within 0.5 + 0.02 ulp. sigmoid and gelu compute in float32 on full-width vectors
// (float32_kernels.inc): sigmoid within 1 ulp of xgrad::math, gelu within 2
// (gelu' 3), on every float32 input. Where gelu_tanh' has a root the vector
// code would lose its relative accuracy to cancellation: f' = 0.43 (x - x0)
// there, and an error of 1e-11 in the terms near 0.2 leaves 0.7e-11 / |x - x0|
// relative, so lanes within 1e-3 of the root (below 0.12 ulp outside) go to
// the scalar kernel, as do NaN, infinities and huge magnitudes (gelu_tanh),
// and x <= -13, NaN and the infinities (gelu); tanh and elu need no
// scalar lanes (see has_scalar_lanes). tests/test_kernels.cpp checks every
// build against the mpmath references and against the scalar kernels on a
// dense sweep of float32 inputs. Also on float32 lanes, within 1 ulp of
// xgrad::math: the piecewise-linear activations (piecewise_kernels.inc,
// exactly the scalar results), relu, leaky_relu and prelu (rectifier_kernels.inc,
// exactly), elu, selu and celu (exp_linear_kernels.inc), softplus and
// logsigmoid (sigmoid_family_kernels.inc), silu, silu' (silu_kernels.inc:
// float32 pairs or float64 halves of the vector), tanh and tanhshrink
// (tanh_family_kernels.inc).
//
// The sections live in the .inc files included below, in order: vector_math,
// activation_kernels (with float32_kernels, piecewise_kernels, exp_linear_kernels,
// sigmoid_family_kernels, silu_kernels and tanh_family_kernels), softmax_rows,
// glu_rows (glu on the sigmoid kernel's vector code), matmul, adam,
// and the float64 arrays: float64_math (exp, expm1, log1p, tanh to ~1 ulp of
// double) and float64_kernels (with float64_pair_kernels and float64_gelu).
//
// Nothing here has external linkage but the table function: inline helpers
// compiled for AVX-512 must not be merged with anyone else's.
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include <cstddef>
#include <cstdint>
#include <type_traits>

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
// Full-width float32 vectors (16 lanes on AVX-512), for the kernels that compute in float32 (sigmoid, gelu).
constexpr int kWideLanes = 2 * kLanes;
typedef float vw __attribute__((vector_size(kLanes * 8)));
typedef int vwi __attribute__((vector_size(kLanes * 8)));

using detail::Op;
using detail::Params;

#include "vector_math.inc"
#include "activation_kernels.inc"
#include "softmax_rows.inc"
#include "glu_rows.inc"
#include "matmul.inc"
#include "adam.inc"
#include "float64_math.inc"
#include "float64_kernels.inc"

}  // namespace
}  // namespace xgrad::kernels::XGRAD_KERNEL_ISA

namespace xgrad::kernels::detail {

Table XGRAD_KERNEL_TABLE() {
  namespace k = xgrad::kernels::XGRAD_KERNEL_ISA;
  return {XGRAD_KERNEL_NAME,  k::unary_forward,  k::unary_backward, k::unary_second, k::relu_forward,         k::relu_backward,
          k::leaky_forward,   k::leaky_backward, k::prelu_backward, k::prelu_rows_forward, k::prelu_rows_backward, k::softmax_rows,         k::softmax_backward_rows,
          k::glu_forward,     k::glu_backward,
          k::gemm_small,      k::adam_update,
          k::gemm_small_f64,  k::adam_update_f64,
          k::f64_vectorised,  k::unary_forward_f64, k::unary_backward_f64};
}

}  // namespace xgrad::kernels::detail
