#include "xgrad/core/tensor.hpp"

#include "xgrad/core/parallel.hpp"

#include <sys/mman.h>

#include <cstdlib>
#include <new>
#include <sstream>
#include <unordered_map>
#include <vector>

#include <xtensor/xreducer.hpp>
#include <xtensor/xmath.hpp>

namespace xgrad {

namespace detail {
namespace {

// Small blocks (up to 4 KiB, 64-byte classes): a free list per class, at most
// kSmallPerClass blocks each; the small tensors of a training step (an MLP's
// activations and gradients) come and go every step. Larger blocks (eight
// classes per octave, up to 1 GiB per thread): see tensor.hpp. The mid-sized
// ones (a batch of 256 x 64 floats) are cached too: left to malloc, a step's
// frees could shrink the heap and the next step fault its pages in again.
constexpr std::size_t kSmallMaxBytes = 4096;
constexpr std::size_t kSmallClass = 64;
constexpr std::size_t kSmallPerClass = 64;
constexpr std::size_t kCacheMinBytes = kSmallMaxBytes + 1;
constexpr std::size_t kCacheMaxBytes = std::size_t(1) << 30;
constexpr std::size_t kHugeMinBytes = std::size_t(4) << 20;
constexpr std::size_t kHugePage = std::size_t(2) << 20;

/// Eight size classes per octave: a cached block is at most 12.5% larger than asked.
std::size_t size_class(std::size_t bytes) {
  std::size_t octave = 1;
  while ((octave << 1) <= bytes) octave <<= 1;
  const std::size_t step = octave / 8;
  return (bytes + step - 1) / step * step;
}

struct Cache {
  std::vector<void*> small[kSmallMaxBytes / kSmallClass + 1];
  std::unordered_map<std::size_t, std::vector<void*>> free_blocks;
  std::size_t bytes = 0;
  void release() {
    for (auto& list : small) {
      for (void* p : list) std::free(p);
      list.clear();
    }
    for (auto& [size, blocks] : free_blocks)
      for (void* p : blocks) std::free(p);
    free_blocks.clear();
    bytes = 0;
  }
  ~Cache();
};

thread_local bool cache_alive = false;
thread_local bool cache_constructed = false;
thread_local Cache cache;

Cache::~Cache() {
  cache_alive = false;
  release();
}

/// This thread's cache; null once it has been destroyed (thread exit).
Cache* thread_cache() {
  if (cache_alive) return &cache;
  if (cache_constructed) return nullptr;
  cache_constructed = true;
  cache_alive = true;
  return &cache;  // the first use constructs it
}

}  // namespace

void* buffer_allocate(std::size_t bytes) {
  if (bytes <= kSmallMaxBytes) {
    const std::size_t cls = (bytes + kSmallClass - 1) / kSmallClass;
    if (Cache* c = thread_cache()) {
      auto& list = c->small[cls];
      if (!list.empty()) {
        void* p = list.back();
        list.pop_back();
        return p;
      }
    }
    void* p = std::aligned_alloc(kSmallClass, (cls ? cls : 1) * kSmallClass);
    if (!p) throw std::bad_alloc();
    return p;
  }
  const std::size_t size = size_class(bytes);
  if (Cache* c = thread_cache()) {
    auto it = c->free_blocks.find(size);
    if (it != c->free_blocks.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      c->bytes -= size;
      return p;
    }
  }
  // 4 MiB and more: 2 MiB-aligned and offered to transparent huge pages, so
  // that streaming through the block takes a TLB entry per 2 MiB, not per 4 KiB.
  const bool huge = size >= kHugeMinBytes;
  void* p = std::aligned_alloc(huge ? kHugePage : 64, huge ? (size + kHugePage - 1) / kHugePage * kHugePage : size);
  if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  if (huge) madvise(p, size, MADV_HUGEPAGE);
#endif
  return p;
}

void buffer_deallocate(void* p, std::size_t bytes) noexcept {
  if (!p) return;
  if (bytes <= kSmallMaxBytes) {
    Cache* c = thread_cache();
    auto* list = c ? &c->small[(bytes + kSmallClass - 1) / kSmallClass] : nullptr;
    if (list && list->size() < kSmallPerClass) {
      try {
        list->push_back(p);
        return;
      } catch (...) {
      }
    }
  } else if (bytes >= kCacheMinBytes) {
    const std::size_t size = size_class(bytes);
    Cache* c = thread_cache();
    if (c && c->bytes + size <= kCacheMaxBytes) {
      try {
        c->free_blocks[size].push_back(p);
        c->bytes += size;
        return;
      } catch (...) {
      }
    }
  }
  std::free(p);
}

std::size_t cached_buffer_bytes() {
  Cache* c = thread_cache();
  return c ? c->bytes : 0;
}

void release_cached_buffers() {
  if (Cache* c = thread_cache()) c->release();
}

}  // namespace detail

std::string shape_to_string(const Shape& shape) {
  std::ostringstream out;
  out << '[';
  for (std::size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << ']';
  return out.str();
}

std::size_t element_count(const Shape& shape) {
  std::size_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* what) {
  const std::size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::size_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const std::size_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      throw std::invalid_argument(std::string(what) + ": shapes " + shape_to_string(a) + " and " +
                                  shape_to_string(b) + " do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::size_t normalize_axis(long axis, std::size_t rank, const char* what) {
  const long r = static_cast<long>(rank);
  if (axis < -r || axis >= r)
    throw std::invalid_argument(std::string(what) + ": axis " + std::to_string(axis) +
                                " is out of range for a tensor of rank " + std::to_string(rank));
  return static_cast<std::size_t>(axis < 0 ? axis + r : axis);
}

template <class T>
Tensor<T> sum_to_shape(const Tensor<T>& grad, const Shape& target) {
  const Shape from = to_shape(grad.shape());
  if (from == target) return grad;
  const std::size_t lead = from.size() - target.size();
  std::vector<std::size_t> axes;
  for (std::size_t i = 0; i < from.size(); ++i)
    if (i < lead || (target[i - lead] == 1 && from[i] != 1)) axes.push_back(i);
  // Leading axes only (a bias gradient) on a large array: chunked rows on xgrad's threads.
  const std::size_t q = axes.size();
  if (q > 0 && axes.back() == q - 1) {
    std::size_t rows = 1;
    for (std::size_t i = 0; i < q; ++i) rows *= from[i];
    const std::size_t cols = element_count(target);
    if (cols > 0 && rows * cols > 2 * parallel::kReduceChunk) {
      Tensor<T> reduced = Tensor<T>::from_shape(target);
      sum_rows(grad.data(), rows, cols, reduced.data(), false);
      return reduced;
    }
  }
  Tensor<T> reduced = xt::sum(grad, axes, xt::evaluation_strategy::immediate);
  reduced.reshape(target);
  return reduced;
}

template Tensor<float> sum_to_shape(const Tensor<float>&, const Shape&);
template Tensor<double> sum_to_shape(const Tensor<double>&, const Shape&);

}  // namespace xgrad
