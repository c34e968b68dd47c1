#pragma once
// The interface between the run-time dispatcher (core/src/kernels.cpp) and the
// per-instruction-set builds of kernels_impl.hpp (kernels_avx512.cpp,
// kernels_avx2.cpp, kernels_baseline.cpp). Plain data and function pointers
// only: nothing inline may be shared with the translation units compiled for
// a wider instruction set (the linker could pick their copy for everyone).
// The activation definitions are included for their templates and constant
// data only: the kernels instantiate them with their own (internal) vector
// policy and never call a non-template inline function of theirs.
#include <cstddef>

#include "xgrad/core/activations/catalogue.hpp"

namespace xgrad::kernels::detail {

using Op = xgrad::Act;
using Params = xgrad::ActivationParams;

/// The scalar kernel of xgrad::math for the lanes the vector code leaves out
/// (NaN, infinities, huge magnitudes, the neighbourhood of a root of f').
using ScalarFn = float (*)(Op op, bool derivative, float x, const Params& p);
/// The same for float64 (xgrad::math's float64 path).
using ScalarFn64 = double (*)(Op op, bool derivative, double x, const Params& p);
/// One softmax / log-softmax row through the scalar lane code (rows with NaN or infinities).
using ScalarRowFn = void (*)(bool log, const float* x, float* y, std::size_t cols);

struct Table {
  const char* name;
  void (*unary_forward)(Op, const float* x, float* y, std::size_t n, const Params&, ScalarFn);
  void (*unary_backward)(Op, const float* x, const float* g, float* dx, std::size_t n, bool accumulate,
                         const Params&, ScalarFn);
  /// out = f''(x): the definition's d2f on the vector policy, rounded once.
  void (*unary_second)(Op, const float* x, float* out, std::size_t n, const Params&);
  void (*relu_forward)(const float* x, float* y, std::size_t n);
  void (*relu_backward)(const float* x, const float* g, float* dx, std::size_t n, bool accumulate);
  void (*leaky_forward)(const float* x, float* y, std::size_t n, double slope);
  void (*leaky_backward)(const float* x, const float* g, float* dx, std::size_t n, float slope, bool accumulate);
  double (*prelu_backward)(const float* x, const float* g, float* dx, std::size_t n, float alpha, bool accumulate);
  void (*prelu_rows_forward)(const float* x, const float* alpha, float* y, std::size_t rows, std::size_t features);
  void (*prelu_rows_backward)(const float* x, const float* g, const float* alpha, float* dx, double* dalpha,
                              std::size_t rows, std::size_t features, bool accumulate);
  /// negate: of -x (softmin), negated as loaded.
  void (*softmax_rows)(bool log, bool negate, const float* x, float* y, std::size_t rows, std::size_t cols, ScalarRowFn);
  void (*softmax_backward_rows)(bool log, bool negate, const float* y, const float* g, float* dx, std::size_t rows,
                                std::size_t cols, bool accumulate);
  /// glu over `groups` lane groups of halves a, b (`block` floats each): y = a sigmoid(b); da (+)= g sigmoid(b),
  /// db (+)= g a sigmoid'(b).
  void (*glu_forward)(const float* x, float* y, std::size_t groups, std::size_t block, ScalarFn);
  void (*glu_backward)(const float* x, const float* g, float* dx, std::size_t groups, std::size_t block, bool accumulate,
                       ScalarFn);
  /// C = alpha op(A) op(B) + beta C (row-major) for small products: plain loops.
  void (*gemm_small)(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a,
                     std::size_t lda, const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc);
  void (*adam_update)(float* w, const float* g, float* m, float* v, std::size_t n, float b1, float b2, float eps,
                      float wd, float step_size, float bias2_sqrt);
  void (*gemm_small_f64)(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, double alpha, const double* a,
                         std::size_t lda, const double* b, std::size_t ldb, double beta, double* c, std::size_t ldc);
  void (*adam_update_f64)(double* w, const double* g, double* m, double* v, std::size_t n, double b1, double b2,
                          double eps, double wd, double step_size, double bias2_sqrt);
  /// float64 arrays (float64_kernels.inc): whether op has a vector kernel; if so y = f(x), dx (+)= g f'(x).
  bool (*f64_vectorised)(Op);
  void (*unary_forward_f64)(Op, const double* x, double* y, std::size_t n, const Params&, ScalarFn64);
  void (*unary_backward_f64)(Op, const double* x, const double* g, double* dx, std::size_t n, bool accumulate,
                             const Params&, ScalarFn64);
};

/// Passes whose arrays together reach this many bytes (the last-level cache) write their
/// output with streaming stores (rectifier_kernels.inc); kernels::set_streaming_store_bytes.
std::size_t streaming_store_bytes();

Table table_avx512();
Table table_avx2();
Table table_baseline();

}  // namespace xgrad::kernels::detail
