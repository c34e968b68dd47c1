#pragma once
/// Matrix multiply through BLAS (OpenBLAS): C = alpha * op(A) * op(B) + beta * C,
/// row-major. beta = 1 accumulates into C, which is how backward adds gradients
/// without a temporary.
#include <cstddef>

namespace xgrad::blas {

template <class T>
void gemm(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k, T alpha,
          const T* a, std::size_t lda, const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc);

}  // namespace xgrad::blas
