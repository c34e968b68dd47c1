#pragma once
/// Intra-op parallelism: one thread count for xgrad's kernels and the BLAS.
///
/// xgrad splits large elementwise kernels, softmax rows, reductions, losses,
/// optimizer updates and the small-product kernel over OpenMP threads; work
/// below a grain size (a few tens of microseconds) stays on the calling
/// thread, so that small models pay nothing. Large matrix products are split
/// into fixed blocks over the same threads, each one single-threaded BLAS
/// call (the BLAS runs no threads of its own, so the two never multiply).
///
/// Results do not depend on the thread count: elementwise work is split at
/// multiples of 64 elements (the kernels' vector blocks), and reductions sum
/// fixed chunks (their boundaries depend on the sizes only) whose partial
/// sums are combined in chunk order.
#include <cstddef>
#include <type_traits>
#include <vector>

namespace xgrad {

/// Threads for xgrad's kernels and matrix products, n >= 1 (std::invalid_argument
/// otherwise). Process-wide; the default comes from XGRAD_NUM_THREADS, then
/// OMP_NUM_THREADS, then the number of cores.
void set_num_threads(int n);
int get_num_threads();

namespace parallel {

/// How many threads `work` units deserve at `grain` units per thread: 1 below
/// two grains or when called from inside a parallel region, at most
/// get_num_threads().
int threads_for(std::size_t work, std::size_t grain);

/// Threads of the parallel region the caller runs in (1 outside any): the
/// threads that share the caches with this one's part of the work.
int team_size();

namespace detail {
using RangeTask = void (*)(const void* context, std::size_t begin, std::size_t end);
/// Splits [0, n) into `threads` parts whose boundaries are multiples of `align`.
void run_range(std::size_t n, std::size_t align, int threads, RangeTask task, const void* context);
using ChunkTask = void (*)(const void* context, std::size_t chunk);
void run_chunks(std::size_t chunks, int threads, ChunkTask task, const void* context);
}  // namespace detail

/// f(begin, end) over [0, n): one call on this thread below two grains (in
/// elements), else one call per thread on parts
/// whose boundaries are multiples of `align` elements. For elementwise work
/// (each output depends on its own index only).
template <class F>
void for_range(std::size_t n, std::size_t grain, F&& f, std::size_t align = 64) {
  const int threads = threads_for(n, grain);
  if (threads <= 1) {
    f(std::size_t(0), n);
    return;
  }
  detail::run_range(n, align, threads, [](const void* c, std::size_t b, std::size_t e) {
    (*static_cast<std::remove_reference_t<F>*>(const_cast<void*>(c)))(b, e);
  }, &f);
}

/// f(c) for every chunk c in [0, chunks), spread over `threads` threads (the
/// caller chose the chunks independently of the thread count and combines
/// their results in order).
template <class F>
void for_chunks(std::size_t chunks, int threads, F&& f) {
  if (threads <= 1 || chunks <= 1) {
    for (std::size_t c = 0; c < chunks; ++c) f(c);
    return;
  }
  detail::run_chunks(chunks, threads, [](const void* ctx, std::size_t c) {
    (*static_cast<std::remove_reference_t<F>*>(const_cast<void*>(ctx)))(c);
  }, &f);
}

/// The sum of partial(begin, end) over [0, n) in fixed chunks of `chunk` units (boundaries
/// from n and chunk only) spread over `threads` threads, the chunks' sums added in chunk
/// order: the same bits on any thread count. One call when n fits in one chunk.
template <class F>
double sum_fixed_chunks(std::size_t n, std::size_t chunk, int threads, F&& partial) {
  if (n <= chunk) return partial(std::size_t(0), n);
  const std::size_t chunks = (n + chunk - 1) / chunk;
  std::vector<double> sums(chunks);
  for_chunks(chunks, threads, [&](std::size_t c) {
    const std::size_t b = c * chunk, e = b + chunk < n ? b + chunk : n;
    sums[c] = partial(b, e);
  });
  double total = 0;
  for (double s : sums) total += s;
  return total;
}

/// Grain sizes (elements, or multiply-adds for products) per thread: about
/// 20 to 50 microseconds of work on one core, well above the cost of waking
/// the other threads.
inline constexpr std::size_t kGrainCheap = 65536;      // memory-bound elementwise (relu, copies, optimizers)
inline constexpr std::size_t kGrainMath = 16384;       // transcendental float32 elementwise, softmax rows
inline constexpr std::size_t kGrainScalar = 4096;      // scalar float64 transcendental elementwise
inline constexpr std::size_t kGrainProduct = 524288;   // multiply-adds of the small-product kernel
/// Reductions sum fixed chunks of this many elements (independent of the thread count).
inline constexpr std::size_t kReduceChunk = 32768;

}  // namespace parallel
}  // namespace xgrad
