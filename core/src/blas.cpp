#include "xgrad/core/blas.hpp"

#include <cblas.h>

#include <algorithm>

#include "xgrad/core/kernels.hpp"
#include "xgrad/core/parallel.hpp"

namespace xgrad::blas {

namespace {

// Products the small kernel does not take go to the BLAS in fixed blocks of
// kBlock rows of C (or columns, when C is wider than tall), spread over
// xgrad's threads, each block one single-threaded BLAS call (parallel.cpp
// keeps OpenBLAS at one thread). Blocks along the longer side repack only the
// smaller operand once per block. The blocks depend on the sizes only, so the
// result is the same on any thread count (OpenBLAS's own threads change the
// rounding with their count), and the BLAS never runs threads of its own
// inside xgrad's.
constexpr std::size_t kBlock = 128;

template <class T, class Call>
void blocked(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, const T* a, std::size_t lda, const T* b,
             std::size_t ldb, T* c, std::size_t ldc, Call call) {
  get_num_threads();  // the first call puts the BLAS on one thread
  const bool by_rows = m >= n;
  const std::size_t side = by_rows ? m : n, blocks = (side + kBlock - 1) / kBlock;
  if (blocks <= 1) {
    call(m, n, a, b, c);
    return;
  }
  const int threads = parallel::threads_for(m * n * k, parallel::kGrainProduct);
  parallel::for_chunks(blocks, std::min<int>(threads, static_cast<int>(blocks)), [&](std::size_t t) {
    const std::size_t s0 = t * kBlock, len = std::min(kBlock, side - s0);
    if (by_rows) call(len, n, ta ? a + s0 : a + s0 * lda, b, c + s0 * ldc);  // rows s0.. of op(A) and C
    else call(m, len, a, tb ? b + s0 * ldb : b + s0, c + s0);                // columns s0.. of op(B) and C
  });
}

CBLAS_TRANSPOSE op(bool t) { return t ? CblasTrans : CblasNoTrans; }

}  // namespace

template <>
void gemm<float>(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, float alpha,
                 const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta,
                 float* c, std::size_t ldc) {
  // Small products (an MLP of a few dozen units): a plain vectorised loop
  // costs less than the BLAS call's own set-up.
  if (kernels::gemm_small(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)) return;
  blocked<float>(ta, tb, m, n, k, a, lda, b, ldb, c, ldc,
               [&](std::size_t mi, std::size_t nj, const float* ai, const float* bj, float* ci) {
                 cblas_sgemm(CblasRowMajor, op(ta), op(tb), static_cast<blasint>(mi), static_cast<blasint>(nj),
                             static_cast<blasint>(k), alpha, ai, static_cast<blasint>(lda), bj,
                             static_cast<blasint>(ldb), beta, ci, static_cast<blasint>(ldc));
               });
}

template <>
void gemm<double>(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, double alpha,
                  const double* a, std::size_t lda, const double* b, std::size_t ldb, double beta,
                  double* c, std::size_t ldc) {
  if (kernels::gemm_small(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)) return;
  blocked<double>(ta, tb, m, n, k, a, lda, b, ldb, c, ldc,
                [&](std::size_t mi, std::size_t nj, const double* ai, const double* bj, double* ci) {
                  cblas_dgemm(CblasRowMajor, op(ta), op(tb), static_cast<blasint>(mi), static_cast<blasint>(nj),
                              static_cast<blasint>(k), alpha, ai, static_cast<blasint>(lda), bj,
                              static_cast<blasint>(ldb), beta, ci, static_cast<blasint>(ldc));
                });
}

}  // namespace xgrad::blas
