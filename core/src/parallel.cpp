// The thread count and the OpenMP regions behind xgrad/core/parallel.hpp.
#include "xgrad/core/parallel.hpp"

#include <omp.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>

extern "C" void openblas_set_num_threads(int);

namespace xgrad {

namespace {

std::atomic<int> g_threads{0};
std::mutex g_set_mutex;

/// The leading count of an environment variable ("4", or OpenMP's list "4,2"); 0 when unset or empty.
int from_env(const char* name) {
  const char* s = std::getenv(name);
  if (!s || !*s) return 0;
  errno = 0;
  char* end = nullptr;
  const long v = std::strtol(s, &end, 10);
  if (end == s || errno || v < 1 || v > 4096 || (*end && *end != ','))
    throw std::invalid_argument(std::string("xgrad: ") + name + "=\"" + s +
                                "\" is not a thread count (a whole number from 1 to 4096)");
  return static_cast<int>(v);
}

// The BLAS stays on one thread: xgrad splits large products into tiles over
// its own threads (blas.cpp), so the two never multiply and the result does
// not depend on the thread count.
void apply(int n) {
  static std::once_flag blas_once;
  std::call_once(blas_once, [] { openblas_set_num_threads(1); });
  g_threads.store(n, std::memory_order_release);
}

int initial() {
  std::lock_guard<std::mutex> lock(g_set_mutex);
  int n = g_threads.load(std::memory_order_acquire);
  if (n > 0) return n;
  n = from_env("XGRAD_NUM_THREADS");
  if (n == 0) n = from_env("OMP_NUM_THREADS");
  if (n == 0) n = omp_get_num_procs();
  if (n < 1) n = 1;
  apply(n);
  return n;
}

}  // namespace

void set_num_threads(int n) {
  if (n < 1) throw std::invalid_argument("set_num_threads: the thread count must be >= 1, got " + std::to_string(n));
  std::lock_guard<std::mutex> lock(g_set_mutex);
  apply(n);
}

int get_num_threads() {
  const int n = g_threads.load(std::memory_order_acquire);
  return n > 0 ? n : initial();
}

namespace parallel {

int threads_for(std::size_t work, std::size_t grain) {
  if (work < 2 * grain) return 1;
  const int n = get_num_threads();
  if (n <= 1 || omp_in_parallel()) return 1;
  const std::size_t by_work = work / grain;
  return by_work < static_cast<std::size_t>(n) ? static_cast<int>(by_work) : n;
}

int team_size() { return omp_get_num_threads(); }

namespace detail {

void run_range(std::size_t n, std::size_t align, int threads, RangeTask task, const void* context) {
  const std::size_t blocks = (n + align - 1) / align;
#pragma omp parallel num_threads(threads)
  {
    const std::size_t t = static_cast<std::size_t>(omp_get_thread_num());
    const std::size_t parts = static_cast<std::size_t>(omp_get_num_threads());
    const std::size_t b0 = blocks * t / parts, b1 = blocks * (t + 1) / parts;
    const std::size_t begin = b0 * align, end = b1 * align < n ? b1 * align : n;
    if (begin < end) task(context, begin, end);
  }
}

void run_chunks(std::size_t chunks, int threads, ChunkTask task, const void* context) {
  const long count = static_cast<long>(chunks);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (long c = 0; c < count; ++c) task(context, static_cast<std::size_t>(c));
}

}  // namespace detail
}  // namespace parallel
}  // namespace xgrad
