#pragma once
/// The tensor type of xgrad: a row-major, dynamically shaped xtensor array,
/// used for float (float32) and double (float64).
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

namespace xgrad {

namespace detail {
/// Tensor storage: blocks over 4 KiB are 64-byte aligned and, once
/// freed, kept in a per-thread cache (up to 1 GiB) for the next tensor of the
/// same size class, so that elementwise ops on large arrays reuse warm pages
/// instead of faulting in fresh ones (the first touch of a new page costs far
/// more than the op itself). Blocks up to 4 KiB (a small MLP's tensors) are
/// kept too, up to 64 per 64-byte class.
void* buffer_allocate(std::size_t bytes);
void buffer_deallocate(void* p, std::size_t bytes) noexcept;
/// Bytes currently held in this thread's cache (tests, diagnostics).
std::size_t cached_buffer_bytes();
/// Returns this thread's cached blocks to the system.
void release_cached_buffers();
}  // namespace detail

template <class T>
struct BufferAllocator {
  using value_type = T;
  BufferAllocator() noexcept = default;
  template <class U>
  BufferAllocator(const BufferAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(detail::buffer_allocate(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { detail::buffer_deallocate(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const BufferAllocator<U>&) const noexcept { return true; }
  template <class U>
  bool operator!=(const BufferAllocator<U>&) const noexcept { return false; }
};

template <class T>
using Tensor = xt::xarray<T, xt::layout_type::row_major, BufferAllocator<T>>;

using Shape = std::vector<std::size_t>;

/// "[2, 3]" for a shape; used in every error message that names a shape.
std::string shape_to_string(const Shape& shape);

template <class S>
Shape to_shape(const S& s) { return Shape(s.begin(), s.end()); }

template <class T>
std::string shape_of(const Tensor<T>& t) { return shape_to_string(to_shape(t.shape())); }

/// The NumPy broadcast of two shapes; throws std::invalid_argument naming both
/// shapes (and `what`) when they do not broadcast.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* what);

/// Sums `grad` down to `target` (the reverse of broadcasting): leading axes are
/// summed away and axes where target has size 1 are summed with keepdims.
template <class T>
Tensor<T> sum_to_shape(const Tensor<T>& grad, const Shape& target);

/// out[c] (+)= sum over r of x[r * cols + c] (a bias gradient): row by row on
/// one thread; large arrays sum fixed chunks of rows on xgrad's threads and add
/// the chunks in order, so the result does not depend on the thread count.
template <class T>
void sum_rows(const T* x, std::size_t rows, std::size_t cols, T* out, bool accumulate);

/// Normalises a possibly negative axis against `rank`; throws std::invalid_argument
/// when it is out of range.
std::size_t normalize_axis(long axis, std::size_t rank, const char* what);

/// The number of elements of a shape.
std::size_t element_count(const Shape& shape);

/// Calls f(offset, stride, length) once for every 1-D lane of a row-major
/// array of `shape` along `axis`: the building block of softmax-like kernels.
template <class F>
void for_each_lane(const Shape& shape, std::size_t axis, F&& f) {
  std::size_t outer = 1, inner = 1;
  for (std::size_t i = 0; i < axis; ++i) outer *= shape[i];
  for (std::size_t i = axis + 1; i < shape.size(); ++i) inner *= shape[i];
  const std::size_t length = shape[axis];
  for (std::size_t o = 0; o < outer; ++o)
    for (std::size_t i = 0; i < inner; ++i) f(o * length * inner + i, inner, length);
}

}  // namespace xgrad
