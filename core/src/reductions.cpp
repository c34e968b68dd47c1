// Sums over the leading rows of an array (bias gradients, sum_to_shape), in
// fixed chunks of rows so that the result is the same on any thread count.
#include <algorithm>
#include <vector>

#include "xgrad/core/parallel.hpp"
#include "xgrad/core/tensor.hpp"

namespace xgrad {

template <class T>
void sum_rows(const T* x, std::size_t rows, std::size_t cols, T* out, bool accumulate) {
  if (!accumulate) std::fill(out, out + cols, T(0));
  const std::size_t chunk_rows = cols == 0 ? rows : std::max<std::size_t>(1, parallel::kReduceChunk / cols);
  if (rows <= chunk_rows) {  // one chunk: straight into out, row by row (as before threads)
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < cols; ++c) out[c] += x[r * cols + c];
    return;
  }
  const std::size_t chunks = (rows + chunk_rows - 1) / chunk_rows;
  std::vector<T> partial(chunks * cols, T(0));
  parallel::for_chunks(chunks, parallel::threads_for(rows * cols, parallel::kGrainCheap), [&](std::size_t k) {
    T* acc = partial.data() + k * cols;
    const std::size_t r1 = std::min(rows, (k + 1) * chunk_rows);
    for (std::size_t r = k * chunk_rows; r < r1; ++r)
      for (std::size_t c = 0; c < cols; ++c) acc[c] += x[r * cols + c];
  });
  for (std::size_t k = 0; k < chunks; ++k)
    for (std::size_t c = 0; c < cols; ++c) out[c] += partial[k * cols + c];
}

template void sum_rows(const float*, std::size_t, std::size_t, float*, bool);
template void sum_rows(const double*, std::size_t, std::size_t, double*, bool);

}  // namespace xgrad
