#include "xgrad/core/blas.hpp"

#include <cblas.h>

#include <algorithm>

#include "xgrad/core/kernels.hpp"
#include "xgrad/core/parallel.hpp"

namespace xgrad::blas {

namespace {

// Products the small kernel does not take go to the BLAS in fixed tiles of C
// (kTile x kTile), spread over xgrad's threads, each tile one single-threaded
// BLAS call (parallel.cpp keeps OpenBLAS at one thread). The tiles depend on
// the sizes only, so the result is the same on any thread count (OpenBLAS's
// own threads change the rounding with their count), and the BLAS never runs
// threads of its own inside xgrad's.
constexpr std::size_t kTile = 128;

template <class T, class Call>
void tiled(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, const T* a, std::size_t lda, const T* b,
           std::size_t ldb, T* c, std::size_t ldc, Call call) {
  get_num_threads();  // the first call puts the BLAS on one thread
  const std::size_t tm = (m + kTile - 1) / kTile, tn = (n + kTile - 1) / kTile;
  if (tm * tn <= 1) {
    call(m, n, a, b, c);
    return;
  }
  const int threads = parallel::threads_for(m * n * k, parallel::kGrainProduct);
  parallel::for_chunks(tm * tn, std::min<int>(threads, static_cast<int>(tm * tn)), [&](std::size_t t) {
    const std::size_t i0 = t / tn * kTile, j0 = t % tn * kTile;
    const std::size_t mi = std::min(kTile, m - i0), nj = std::min(kTile, n - j0);
    const T* ai = ta ? a + i0 : a + i0 * lda;  // rows i0.. of op(A)
    const T* bj = tb ? b + j0 * ldb : b + j0;  // columns j0.. of op(B)
    call(mi, nj, ai, bj, c + i0 * ldc + j0);
  });
  (void)k;
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
  tiled<float>(ta, tb, m, n, k, a, lda, b, ldb, c, ldc,
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
  tiled<double>(ta, tb, m, n, k, a, lda, b, ldb, c, ldc,
                [&](std::size_t mi, std::size_t nj, const double* ai, const double* bj, double* ci) {
                  cblas_dgemm(CblasRowMajor, op(ta), op(tb), static_cast<blasint>(mi), static_cast<blasint>(nj),
                              static_cast<blasint>(k), alpha, ai, static_cast<blasint>(lda), bj,
                              static_cast<blasint>(ldb), beta, ci, static_cast<blasint>(ldc));
                });
}

}  // namespace xgrad::blas
