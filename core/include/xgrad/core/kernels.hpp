#pragma once
/// Vectorised float32 kernels for whole arrays: the activations and their
/// backward passes, as the autograd ops use them.
///
/// Every result obeys xgrad::math's exactness contract of 4 ulp
/// (docs/kernels.md). All but sigmoid and gelu are float64 evaluations
/// rounded once, with short polynomials instead of libm so that the compiler
/// can keep eight lanes busy; sigmoid and gelu compute in float32 on sixteen
/// lanes and land within 1 ulp (sigmoid; sigmoid' 2 on the baseline build)
/// and 2 ulp (gelu; gelu' 3) of xgrad::math. The instruction set
/// (AVX-512, AVX2 + FMA, or the x86-64 baseline) is chosen once at run time;
/// tests/test_kernels.cpp checks each against the mpmath references and
/// against xgrad::math. For gelu and gelu_tanh, NaN, infinities, large
/// negative inputs (gelu) or huge magnitudes and the neighbourhood of the root
/// of f' (gelu_tanh) go through the scalar kernels of xgrad::math; the other
/// functions carry NaN and the infinities through their vector arithmetic to
/// the same results.
///
/// Backward functions write dx = g * f'(x), or add it when `accumulate`.
#include <cstddef>
#include <string>
#include <vector>

#include "xgrad/core/activations/catalogue.hpp"

namespace xgrad::kernels {

/// f(x) of an elementwise activation of the catalogue on n values: float32
/// through the vector kernels, float64 through the definition's scalar f.
template <class T>
void activation_forward(Act f, const T* x, T* y, std::size_t n, const ActivationParams& p);
/// dx (+)= g * f'(x), f'(x) rounded to T first (as the scalar path).
template <class T>
void activation_backward(Act f, const T* x, const T* g, T* dx, std::size_t n, bool accumulate,
                         const ActivationParams& p);
/// out = f''(x) of an elementwise activation on n values (the double backward
/// of the activation ops), within 8 ulp of the exact value (docs/second_derivatives.md);
/// 0 on linear pieces and at kinks, as PyTorch's double backward; NaN for NaN.
/// Throws std::invalid_argument for an activation that is not elementwise.
template <class T>
void activation_second(Act act, const ActivationParams& params, const T* x, T* out, std::size_t n);

void relu_forward(const float* x, float* y, std::size_t n);
void relu_backward(const float* x, const float* g, float* dx, std::size_t n, bool accumulate);
void leaky_relu_forward(const float* x, float* y, std::size_t n, double slope);
void leaky_relu_backward(const float* x, const float* g, float* dx, std::size_t n, double slope, bool accumulate);
/// PReLU with one alpha: dx (+)= g * prelu'(x) when dx is not null; returns
/// d/d alpha = sum of g * (x > 0 ? 0 : x), summed in double; one pass.
double prelu_backward(const float* x, const float* g, float* dx, std::size_t n, float alpha, bool accumulate);

/// PReLU with one alpha per feature (x is [rows, features], row-major):
/// y = x > 0 ? x : alpha[j] x; backward dx (+)= g * prelu'(x) when dx is not
/// null and dalpha[j] += sum over rows of g * (x > 0 ? 0 : x) in double.
void prelu_rows_forward(const float* x, const float* alpha, float* y, std::size_t rows, std::size_t features);
void prelu_rows_backward(const float* x, const float* g, const float* alpha, float* dx, double* dalpha, std::size_t rows,
                         std::size_t features, bool accumulate);

/// The memory-bound passes (relu, leaky_relu, prelu forward, the piecewise-linear activations,
/// the softmax rows) write their output with streaming (non-temporal) stores when their arrays
/// together reach this many bytes: the last-level cache's size, as Linux reports it. Tests lower it.
std::size_t streaming_store_bytes();
void set_streaming_store_bytes(std::size_t bytes);

/// softmax / log_softmax of each contiguous row of [rows, cols].
void softmax_rows(const float* x, float* y, std::size_t rows, std::size_t cols);
void log_softmax_rows(const float* x, float* y, std::size_t rows, std::size_t cols);
/// y the forward's output: dx (+)= y (g - sum g y) / dx (+)= g - e^y sum g, per row.
void softmax_backward_rows(const float* y, const float* g, float* dx, std::size_t rows, std::size_t cols, bool accumulate);
void log_softmax_backward_rows(const float* y, const float* g, float* dx, std::size_t rows, std::size_t cols,
                               bool accumulate);
/// softmin = softmax(-x) of each contiguous row, and its backward dx (+)= -y (g - sum g y):
/// the softmax kernels on -x and -g, negated as loaded (exactly: the results are softmax's bit for bit).
void softmin_rows(const float* x, float* y, std::size_t rows, std::size_t cols);
void softmin_backward_rows(const float* y, const float* g, float* dx, std::size_t rows, std::size_t cols, bool accumulate);

/// glu over `groups` lane groups of 2 * block floats whose halves a and b are contiguous
/// (glu along the last axis, or any axis with the trailing extent folded into block):
/// y (groups x block) = a sigmoid(b); backward da (+)= g sigmoid(b), db (+)= (g a) sigmoid'(b),
/// each sigmoid and product rounded as the sigmoid kernels and then a product round them.
void glu_rows(const float* x, float* y, std::size_t groups, std::size_t block);
void glu_rows_backward(const float* x, const float* g, float* dx, std::size_t groups, std::size_t block,
                       bool accumulate);

/// C = alpha op(A) op(B) + beta C for small row-major float products, where a
/// BLAS call costs more than the arithmetic; false (nothing done) when the
/// product is too large for it (m n k > 2^21, or k n > 16384 with n rounded up to 16).
bool gemm_small(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k, float alpha,
                const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc);
/// The same for double (k n > 16384 with n rounded up to 8).
bool gemm_small(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k, double alpha,
                const double* a, std::size_t lda, const double* b, std::size_t ldb, double beta, double* c,
                std::size_t ldc);

/// One Adam step on n float parameters, operation for operation as
/// xgrad::Adam::step: d = g + wd w; m = b1 m + (1 - b1) d; v = b2 v + (1 - b2) d d;
/// w -= step_size m / (sqrt(v) / bias2_sqrt + eps).
void adam_update(float* w, const float* g, float* m, float* v, std::size_t n, float b1, float b2, float eps, float wd,
                 float step_size, float bias2_sqrt);
/// The same in double.
void adam_update(double* w, const double* g, double* m, double* v, std::size_t n, double b1, double b2, double eps,
                 double wd, double step_size, double bias2_sqrt);

/// The instruction set in use: "avx512", "avx2" or "baseline".
const char* isa();
/// Those this CPU runs, best first.
std::vector<std::string> available_isas();
/// Switches to one of available_isas() (tests and benchmarks); false if unknown or unsupported.
bool use_isa(const std::string& name);

}  // namespace xgrad::kernels
