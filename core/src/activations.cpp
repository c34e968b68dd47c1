#include "xgrad/core/activations.hpp"
#include "xgrad/core/format.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace xgrad::math {

namespace {
// float32 lanes accumulate in float64; float64 lanes in long double so that
// the sum of a long lane does not cost the last bits.
template <class T>
using Accumulator = std::conditional_t<std::is_same_v<T, float>, double, long double>;
}  // namespace

template <class T>
void softmax_lanes(const T* x, T* y, const Shape& shape, std::size_t axis) {
  using A = Accumulator<T>;
  for_each_lane(shape, axis, [&](std::size_t offset, std::size_t stride, std::size_t length) {
    A m = -std::numeric_limits<A>::infinity();
    for (std::size_t j = 0; j < length; ++j) m = std::max<A>(m, x[offset + j * stride]);
    if (std::isnan(m) || m == std::numeric_limits<A>::infinity()) m = std::numeric_limits<A>::quiet_NaN();
    A sum = 0;
    for (std::size_t j = 0; j < length; ++j) sum += std::exp(A(x[offset + j * stride]) - m);
    for (std::size_t j = 0; j < length; ++j)
      y[offset + j * stride] = static_cast<T>(std::exp(A(x[offset + j * stride]) - m) / sum);
  });
}

// log(sum_j e^(x_j - m)) is log1p of the sum without the max's own term e^0 = 1:
// log(1 + tiny) rounds 1 + tiny to 1 and loses the whole tail, so that
// log_softmax([0, -50]) would be 0 instead of -1.9e-22 (1e16 ulp off in
// float64); log1p keeps it to the last bit.
template <class T>
void log_softmax_lanes(const T* x, T* y, const Shape& shape, std::size_t axis) {
  using A = Accumulator<T>;
  for_each_lane(shape, axis, [&](std::size_t offset, std::size_t stride, std::size_t length) {
    A m = -std::numeric_limits<A>::infinity();
    std::size_t k = 0;  // the first max (NaN compares false and never becomes m)
    for (std::size_t j = 0; j < length; ++j) {
      const A v = x[offset + j * stride];
      if (v > m) {
        m = v;
        k = j;
      }
    }
    if (m == std::numeric_limits<A>::infinity()) m = std::numeric_limits<A>::quiet_NaN();
    A rest = 0;  // a NaN logit lands here and makes the lane NaN
    for (std::size_t j = 0; j < length; ++j)
      if (j != k) rest += std::exp(A(x[offset + j * stride]) - m);
    const A log_sum = std::log1p(rest);
    for (std::size_t j = 0; j < length; ++j)
      y[offset + j * stride] = static_cast<T>((A(x[offset + j * stride]) - m) - log_sum);
  });
}

template <class T>
void softmax_backward_lanes(const T* y, const T* g, T* dx, const Shape& shape, std::size_t axis) {
  using A = Accumulator<T>;
  for_each_lane(shape, axis, [&](std::size_t offset, std::size_t stride, std::size_t length) {
    // sum(g y) / sum(y): the rounded outputs sum to 1 only within an ulp, and
    // dividing by their sum makes a uniform upstream give exactly 0.
    A dot = 0, total = 0;
    for (std::size_t j = 0; j < length; ++j) {
      dot += A(g[offset + j * stride]) * y[offset + j * stride];
      total += y[offset + j * stride];
    }
    dot /= total;
    for (std::size_t j = 0; j < length; ++j) {
      const std::size_t k = offset + j * stride;
      dx[k] += static_cast<T>(A(y[k]) * (A(g[k]) - dot));
    }
  });
}

template <class T>
void log_softmax_backward_lanes(const T* y, const T* g, T* dx, const Shape& shape, std::size_t axis) {
  using A = Accumulator<T>;
  for_each_lane(shape, axis, [&](std::size_t offset, std::size_t stride, std::size_t length) {
    A total = 0;
    for (std::size_t j = 0; j < length; ++j) total += g[offset + j * stride];
    for (std::size_t j = 0; j < length; ++j) {
      const std::size_t k = offset + j * stride;
      dx[k] += static_cast<T>(A(g[k]) - std::exp(A(y[k])) * total);
    }
  });
}

template <class T>
Tensor<T> softmax(const Tensor<T>& x, long axis) {
  const Shape shape = to_shape(x.shape());
  const std::size_t a = normalize_axis(axis, shape.size(), "softmax");
  Tensor<T> y = Tensor<T>::from_shape(x.shape());
  softmax_lanes(x.data(), y.data(), shape, a);
  return y;
}

template <class T>
Tensor<T> log_softmax(const Tensor<T>& x, long axis) {
  const Shape shape = to_shape(x.shape());
  const std::size_t a = normalize_axis(axis, shape.size(), "log_softmax");
  Tensor<T> y = Tensor<T>::from_shape(x.shape());
  log_softmax_lanes(x.data(), y.data(), shape, a);
  return y;
}

#define XGRAD_INSTANTIATE(T)                                                                    \
  template void softmax_lanes<T>(const T*, T*, const Shape&, std::size_t);                      \
  template void log_softmax_lanes<T>(const T*, T*, const Shape&, std::size_t);                  \
  template void softmax_backward_lanes<T>(const T*, const T*, T*, const Shape&, std::size_t);   \
  template void log_softmax_backward_lanes<T>(const T*, const T*, T*, const Shape&, std::size_t); \
  template Tensor<T> softmax<T>(const Tensor<T>&, long);                                        \
  template Tensor<T> log_softmax<T>(const Tensor<T>&, long);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad::math
