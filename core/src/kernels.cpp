// Run-time choice of the kernel build and the scalar fallbacks it calls.
#include "xgrad/core/kernels.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <string>
#include <vector>

#include "kernels/kernels_internal.hpp"
#include "xgrad/core/activations.hpp"
#include "xgrad/core/activations/catalogue.hpp"
#include "xgrad/core/parallel.hpp"

namespace xgrad::kernels {

namespace {

using detail::Op;
using detail::Params;
using detail::Table;

float scalar_unary(Op op, bool derivative, float x, const Params& p) {
  return derivative ? activation_df<float>(op, x, p) : activation_f<float>(op, x, p);
}

double scalar_unary64(Op op, bool derivative, double x, const Params& p) {
  return derivative ? activation_df<double>(op, x, p) : activation_f<double>(op, x, p);
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

namespace {
/// The last-level cache in bytes as Linux reports it (32 MiB when it cannot be read).
std::size_t last_level_cache_bytes() {
  std::size_t kib = 0;
  for (int index = 3; index >= 2 && kib == 0; --index) {
    const std::string path = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/size";
    if (std::FILE* f = std::fopen(path.c_str(), "r")) {
      unsigned long v = 0;
      if (std::fscanf(f, "%luK", &v) == 1) kib = v;
      std::fclose(f);
    }
  }
  return kib ? kib * 1024 : std::size_t(32) << 20;
}
std::atomic<std::size_t>& stream_bytes() {
  static std::atomic<std::size_t> bytes{last_level_cache_bytes()};
  return bytes;
}
}  // namespace

// Inside a parallel region each thread streams its own part of one pass: the
// parts together fill the cache when each reaches its share of the threshold.
std::size_t detail::streaming_store_bytes() {
  return stream_bytes().load(std::memory_order_relaxed) / static_cast<std::size_t>(parallel::team_size());
}
std::size_t streaming_store_bytes() { return detail::streaming_store_bytes(); }
void set_streaming_store_bytes(std::size_t bytes) { stream_bytes().store(bytes, std::memory_order_relaxed); }

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

// Every entry point below splits large arrays over xgrad's threads
// (parallel.hpp) and runs the chosen build's kernel on each part: parts
// start at multiples of 64 elements (whole vector blocks) or at row
// boundaries, so each element is computed exactly as on one thread.
// Reductions (the PReLU slope sums) add fixed chunks in chunk order.

namespace {

std::size_t grain_of(Act f) {
  switch (f) {
    case Act::linear: case Act::relu: case Act::leaky_relu: case Act::prelu: case Act::rrelu:
    case Act::hardtanh: case Act::relu6: case Act::threshold: return parallel::kGrainCheap;
    default: return parallel::kGrainMath;
  }
}

/// Rows per part for row-wise work of `cols` elements per row at `grain` elements per thread.
template <class F>
void for_rows(std::size_t rows, std::size_t cols, std::size_t grain, F&& f) {
  const int threads = parallel::threads_for(rows * cols, grain);
  if (threads <= 1 || rows < 2) {
    f(std::size_t(0), rows);
    return;
  }
  parallel::for_chunks(std::size_t(threads), threads, [&](std::size_t t) {
    const std::size_t r0 = rows * t / threads, r1 = rows * (t + 1) / threads;
    if (r0 < r1) f(r0, r1);
  });
}

}  // namespace

template <>
void activation_forward<float>(Act f, const float* x, float* y, std::size_t n, const ActivationParams& p) {
  require_elementwise(f);
  const Table& t = current();
  parallel::for_range(n, grain_of(f), [&](std::size_t b, std::size_t e) {
    t.unary_forward(f, x + b, y + b, e - b, p, scalar_unary);
  });
}

template <>
void activation_backward<float>(Act f, const float* x, const float* g, float* dx, std::size_t n, bool accumulate,
                                const ActivationParams& p) {
  require_elementwise(f);
  const Table& t = current();
  parallel::for_range(n, grain_of(f), [&](std::size_t b, std::size_t e) {
    t.unary_backward(f, x + b, g + b, dx + b, e - b, accumulate, p, scalar_unary);
  });
}

template <>
void activation_forward<double>(Act f, const double* x, double* y, std::size_t n, const ActivationParams& p) {
  const Table& t = current();
  if (t.f64_vectorised(f)) {
    parallel::for_range(n, grain_of(f), [&](std::size_t b, std::size_t e) {
      t.unary_forward_f64(f, x + b, y + b, e - b, p, scalar_unary64);
    });
    return;
  }
  visit_elementwise(f, [&](auto d) {
    using D = decltype(d);
    parallel::for_range(n, parallel::kGrainScalar, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) y[i] = definition_f<D>(x[i], p.data());
    });
  });
}

template <>
void activation_backward<double>(Act f, const double* x, const double* g, double* dx, std::size_t n, bool accumulate,
                                 const ActivationParams& p) {
  const Table& t = current();
  if (t.f64_vectorised(f)) {
    parallel::for_range(n, grain_of(f), [&](std::size_t b, std::size_t e) {
      t.unary_backward_f64(f, x + b, g + b, dx + b, e - b, accumulate, p, scalar_unary64);
    });
    return;
  }
  visit_elementwise(f, [&](auto d) {
    using D = decltype(d);
    parallel::for_range(n, parallel::kGrainScalar, [&](std::size_t b, std::size_t e) {
      if (accumulate)
        for (std::size_t i = b; i < e; ++i) dx[i] += g[i] * definition_df<D>(x[i], p.data());
      else
        for (std::size_t i = b; i < e; ++i) dx[i] = g[i] * definition_df<D>(x[i], p.data());
    });
  });
}

template <>
void activation_second<float>(Act act, const ActivationParams& params, const float* x, float* out, std::size_t n) {
  require_elementwise(act);
  const Table& t = current();
  parallel::for_range(n, parallel::kGrainMath, [&](std::size_t b, std::size_t e) {
    t.unary_second(act, x + b, out + b, e - b, params);
  });
}

template <>
void activation_second<double>(Act act, const ActivationParams& params, const double* x, double* out, std::size_t n) {
  visit_elementwise(act, [&](auto d) {
    using D = decltype(d);
    parallel::for_range(n, parallel::kGrainScalar, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) out[i] = definition_d2f<D>(x[i], params.data());
    });
  });
}

void relu_forward(const float* x, float* y, std::size_t n) {
  const Table& t = current();
  parallel::for_range(n, parallel::kGrainCheap, [&](std::size_t b, std::size_t e) { t.relu_forward(x + b, y + b, e - b); });
}
void relu_backward(const float* x, const float* g, float* dx, std::size_t n, bool accumulate) {
  const Table& t = current();
  parallel::for_range(n, parallel::kGrainCheap, [&](std::size_t b, std::size_t e) {
    t.relu_backward(x + b, g + b, dx + b, e - b, accumulate);
  });
}
void leaky_relu_forward(const float* x, float* y, std::size_t n, double slope) {
  const Table& t = current();
  parallel::for_range(n, parallel::kGrainCheap, [&](std::size_t b, std::size_t e) {
    t.leaky_forward(x + b, y + b, e - b, slope);
  });
}
void leaky_relu_backward(const float* x, const float* g, float* dx, std::size_t n, double slope, bool accumulate) {
  const Table& t = current();
  parallel::for_range(n, parallel::kGrainCheap, [&](std::size_t b, std::size_t e) {
    t.leaky_backward(x + b, g + b, dx == nullptr ? nullptr : dx + b, e - b, static_cast<float>(slope), accumulate);
  });
}
double prelu_backward(const float* x, const float* g, float* dx, std::size_t n, float alpha, bool accumulate) {
  const Table& t = current();
  return parallel::sum_fixed_chunks(n, parallel::kReduceChunk, parallel::threads_for(n, parallel::kGrainCheap),
                                    [&](std::size_t b, std::size_t e) {
    return t.prelu_backward(x + b, g + b, dx == nullptr ? nullptr : dx + b, e - b, alpha, accumulate);
  });
}
void prelu_rows_forward(const float* x, const float* alpha, float* y, std::size_t rows, std::size_t features) {
  const Table& t = current();
  for_rows(rows, features, parallel::kGrainCheap, [&](std::size_t r0, std::size_t r1) {
    t.prelu_rows_forward(x + r0 * features, alpha, y + r0 * features, r1 - r0, features);
  });
}
void prelu_rows_backward(const float* x, const float* g, const float* alpha, float* dx, double* dalpha, std::size_t rows,
                         std::size_t features, bool accumulate) {
  const Table& t = current();
  // Fixed chunks of rows, each summing its own slopes' partials, added to dalpha in chunk order.
  const std::size_t chunk_rows = features == 0 ? rows : std::max<std::size_t>(1, parallel::kReduceChunk / features);
  if (rows <= chunk_rows) {
    t.prelu_rows_backward(x, g, alpha, dx, dalpha, rows, features, accumulate);
    return;
  }
  const std::size_t chunks = (rows + chunk_rows - 1) / chunk_rows;
  std::vector<double> partial(chunks * features, 0.0);
  parallel::for_chunks(chunks, parallel::threads_for(rows * features, parallel::kGrainCheap), [&](std::size_t c) {
    const std::size_t r0 = c * chunk_rows, r1 = std::min(rows, r0 + chunk_rows), o = r0 * features;
    t.prelu_rows_backward(x + o, g + o, alpha, dx == nullptr ? nullptr : dx + o, partial.data() + c * features, r1 - r0,
                          features, accumulate);
  });
  for (std::size_t c = 0; c < chunks; ++c)
    for (std::size_t j = 0; j < features; ++j) dalpha[j] += partial[c * features + j];
}
namespace {
// The row kernels' three functions: softmax, log_softmax, and softmin (softmax
// of -x, negated as the kernel loads x and g).
void rows_forward(bool log, bool negate, const float* x, float* y, std::size_t rows, std::size_t cols) {
  const Table& t = current();
  for_rows(rows, cols, parallel::kGrainMath, [&](std::size_t r0, std::size_t r1) {
    t.softmax_rows(log, negate, x + r0 * cols, y + r0 * cols, r1 - r0, cols, scalar_row);
  });
}
void rows_backward(bool log, bool negate, const float* y, const float* g, float* dx, std::size_t rows,
                   std::size_t cols, bool accumulate) {
  const Table& t = current();
  // log_softmax's backward takes an exp per element, softmax's only products
  for_rows(rows, cols, log ? parallel::kGrainMath : parallel::kGrainCheap, [&](std::size_t r0, std::size_t r1) {
    t.softmax_backward_rows(log, negate, y + r0 * cols, g + r0 * cols, dx + r0 * cols, r1 - r0, cols, accumulate);
  });
}
}  // namespace

void softmax_rows(const float* x, float* y, std::size_t rows, std::size_t cols) {
  rows_forward(false, false, x, y, rows, cols);
}
void log_softmax_rows(const float* x, float* y, std::size_t rows, std::size_t cols) {
  rows_forward(true, false, x, y, rows, cols);
}
void softmin_rows(const float* x, float* y, std::size_t rows, std::size_t cols) {
  rows_forward(false, true, x, y, rows, cols);
}
void softmax_backward_rows(const float* y, const float* g, float* dx, std::size_t rows, std::size_t cols,
                           bool accumulate) {
  rows_backward(false, false, y, g, dx, rows, cols, accumulate);
}
void log_softmax_backward_rows(const float* y, const float* g, float* dx, std::size_t rows, std::size_t cols,
                               bool accumulate) {
  rows_backward(true, false, y, g, dx, rows, cols, accumulate);
}
void softmin_backward_rows(const float* y, const float* g, float* dx, std::size_t rows, std::size_t cols,
                           bool accumulate) {
  rows_backward(false, true, y, g, dx, rows, cols, accumulate);
}

void glu_rows(const float* x, float* y, std::size_t groups, std::size_t block) {
  const Table& t = current();
  for_rows(groups, 2 * block, parallel::kGrainMath, [&](std::size_t r0, std::size_t r1) {
    t.glu_forward(x + 2 * r0 * block, y + r0 * block, r1 - r0, block, scalar_unary);
  });
}
void glu_rows_backward(const float* x, const float* g, float* dx, std::size_t groups, std::size_t block,
                       bool accumulate) {
  const Table& t = current();
  for_rows(groups, 2 * block, parallel::kGrainMath, [&](std::size_t r0, std::size_t r1) {
    t.glu_backward(x + 2 * r0 * block, g + r0 * block, dx + 2 * r0 * block, r1 - r0, block, accumulate, scalar_unary);
  });
}

namespace {
template <class T, class Kernel>
bool gemm_small_split(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* a,
                      std::size_t lda, const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc, Kernel kernel) {
  constexpr std::size_t group = 64 / sizeof(T);  // matmul.inc's column groups
  if (m * n * k > 2 * 1024 * 1024 || k * ((n + group - 1) / group * group) > 16384) return false;
  // By rows of C (8-row blocks): every element of C sums over k in the same order on any thread.
  const int threads = parallel::threads_for(m * n * k, parallel::kGrainProduct);
  const std::size_t blocks = (m + 7) / 8;
  if (threads <= 1 || blocks < 2) {
    kernel(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return true;
  }
  const std::size_t parts = std::min<std::size_t>(threads, blocks);
  parallel::for_chunks(parts, static_cast<int>(parts), [&](std::size_t p) {
    const std::size_t r0 = std::min(m, blocks * p / parts * 8), r1 = std::min(m, blocks * (p + 1) / parts * 8);
    if (r0 >= r1) return;
    const T* ap = ta ? a + r0 : a + r0 * lda;  // op(A) rows r0..r1: columns of A when transposed
    kernel(ta, tb, r1 - r0, n, k, alpha, ap, lda, b, ldb, beta, c + r0 * ldc, ldc);
  });
  return true;
}
}  // namespace

bool gemm_small(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a,
                std::size_t lda, const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc) {
  return gemm_small_split(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, current().gemm_small);
}
bool gemm_small(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, double alpha, const double* a,
                std::size_t lda, const double* b, std::size_t ldb, double beta, double* c, std::size_t ldc) {
  return gemm_small_split(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, current().gemm_small_f64);
}

void adam_update(float* w, const float* g, float* m, float* v, std::size_t n, float b1, float b2, float eps, float wd,
                 float step_size, float bias2_sqrt) {
  const Table& t = current();
  parallel::for_range(n, parallel::kGrainCheap / 4, [&](std::size_t b, std::size_t e) {
    t.adam_update(w + b, g + b, m + b, v + b, e - b, b1, b2, eps, wd, step_size, bias2_sqrt);
  });
}
void adam_update(double* w, const double* g, double* m, double* v, std::size_t n, double b1, double b2, double eps,
                 double wd, double step_size, double bias2_sqrt) {
  const Table& t = current();
  parallel::for_range(n, parallel::kGrainCheap / 4, [&](std::size_t b, std::size_t e) {
    t.adam_update_f64(w + b, g + b, m + b, v + b, e - b, b1, b2, eps, wd, step_size, bias2_sqrt);
  });
}

}  // namespace xgrad::kernels
