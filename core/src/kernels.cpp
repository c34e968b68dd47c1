// Run-time choice of the kernel build and the scalar fallbacks it calls.
#include "xgrad/core/kernels.hpp"

#include <atomic>

#include "kernels/kernels_internal.hpp"
#include "xgrad/core/activations.hpp"
#include "xgrad/core/activations/catalogue.hpp"

namespace xgrad::kernels {

namespace {

using detail::Op;
using detail::Params;
using detail::Table;

float scalar_unary(Op op, bool derivative, float x, const Params& p) {
  return derivative ? activation_df<float>(op, x, p) : activation_f<float>(op, x, p);
}

void scalar_row(bool log, const float* x, float* y, std::size_t cols) {
  const Shape shape{cols};
  if (log) math::log_softmax_lanes(x, y, shape, 0);
  else math::softmax_lanes(x, y, shape, 0);
}

bool supported(const std::string& name) {
#if defined(XGRAD_KERNELS_X86)
  __builtin_cpu_init();
  if (name == "avx512") return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
  if (name == "avx2") return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return name == "baseline";
}

Table make(const std::string& name) {
#if defined(XGRAD_KERNELS_X86)
  if (name == "avx512") return detail::table_avx512();
  if (name == "avx2") return detail::table_avx2();
#endif
  return detail::table_baseline();
}

Table& current() {
  static Table table = make(available_isas().front());
  return table;
}

void require_elementwise(Act f) {
  if (activation_info(f).shape != ActivationShape::elementwise) throw_not_elementwise(f);
}

}  // namespace

std::vector<std::string> available_isas() {
  std::vector<std::string> out;
  for (const char* name : {"avx512", "avx2", "baseline"})
    if (supported(name)) out.emplace_back(name);
  return out;
}

bool use_isa(const std::string& name) {
  if (!supported(name)) return false;
  current() = make(name);
  return true;
}

const char* isa() { return current().name; }

template <>
void activation_forward<float>(Act f, const float* x, float* y, std::size_t n, const ActivationParams& p) {
  require_elementwise(f);
  current().unary_forward(f, x, y, n, p, scalar_unary);
}

template <>
void activation_backward<float>(Act f, const float* x, const float* g, float* dx, std::size_t n, bool accumulate,
                                const ActivationParams& p) {
  require_elementwise(f);
  current().unary_backward(f, x, g, dx, n, accumulate, p, scalar_unary);
}

template <>
void activation_forward<double>(Act f, const double* x, double* y, std::size_t n, const ActivationParams& p) {
  visit_elementwise(f, [&](auto d) {
    using D = decltype(d);
    for (std::size_t i = 0; i < n; ++i) y[i] = definition_f<D>(x[i], p.data());
  });
}

template <>
void activation_backward<double>(Act f, const double* x, const double* g, double* dx, std::size_t n, bool accumulate,
                                 const ActivationParams& p) {
  visit_elementwise(f, [&](auto d) {
    using D = decltype(d);
    if (accumulate)
      for (std::size_t i = 0; i < n; ++i) dx[i] += g[i] * definition_df<D>(x[i], p.data());
    else
      for (std::size_t i = 0; i < n; ++i) dx[i] = g[i] * definition_df<D>(x[i], p.data());
  });
}

template <>
void activation_second<float>(Act act, const ActivationParams& params, const float* x, float* out, std::size_t n) {
  require_elementwise(act);
  current().unary_second(act, x, out, n, params);
}

template <>
void activation_second<double>(Act act, const ActivationParams& params, const double* x, double* out, std::size_t n) {
  visit_elementwise(act, [&](auto d) {
    using D = decltype(d);
    for (std::size_t i = 0; i < n; ++i) out[i] = definition_d2f<D>(x[i], params.data());
  });
}

void relu_forward(const float* x, float* y, std::size_t n) { current().relu_forward(x, y, n); }
void relu_backward(const float* x, const float* g, float* dx, std::size_t n, bool accumulate) {
  current().relu_backward(x, g, dx, n, accumulate);
}
void leaky_relu_forward(const float* x, float* y, std::size_t n, double slope) {
  current().leaky_forward(x, y, n, slope);
}
void leaky_relu_backward(const float* x, const float* g, float* dx, std::size_t n, double slope, bool accumulate) {
  current().leaky_backward(x, g, dx, n, static_cast<float>(slope), accumulate);
}
double prelu_backward(const float* x, const float* g, float* dx, std::size_t n, float alpha, bool accumulate) {
  return current().prelu_backward(x, g, dx, n, alpha, accumulate);
}
void prelu_rows_forward(const float* x, const float* alpha, float* y, std::size_t rows, std::size_t features) {
  current().prelu_rows_forward(x, alpha, y, rows, features);
}
void prelu_rows_backward(const float* x, const float* g, const float* alpha, float* dx, double* dalpha, std::size_t rows,
                         std::size_t features, bool accumulate) {
  current().prelu_rows_backward(x, g, alpha, dx, dalpha, rows, features, accumulate);
}
void softmax_rows(const float* x, float* y, std::size_t rows, std::size_t cols) {
  current().softmax_rows(false, x, y, rows, cols, scalar_row);
}
void log_softmax_rows(const float* x, float* y, std::size_t rows, std::size_t cols) {
  current().softmax_rows(true, x, y, rows, cols, scalar_row);
}
void softmax_backward_rows(const float* y, const float* g, float* dx, std::size_t rows, std::size_t cols,
                           bool accumulate) {
  current().softmax_backward_rows(false, y, g, dx, rows, cols, accumulate);
}
void log_softmax_backward_rows(const float* y, const float* g, float* dx, std::size_t rows, std::size_t cols,
                               bool accumulate) {
  current().softmax_backward_rows(true, y, g, dx, rows, cols, accumulate);
}

bool gemm_small(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a,
                std::size_t lda, const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc) {
  if (m * n * k > 2 * 1024 * 1024 || k * ((n + 15) / 16 * 16) > 16384) return false;
  current().gemm_small(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  return true;
}

void adam_update(float* w, const float* g, float* m, float* v, std::size_t n, float b1, float b2, float eps, float wd,
                 float step_size, float bias2_sqrt) {
  current().adam_update(w, g, m, v, n, b1, b2, eps, wd, step_size, bias2_sqrt);
}

}  // namespace xgrad::kernels
