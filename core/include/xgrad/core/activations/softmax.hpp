#pragma once
/// Softmax and log-softmax along one axis (default the last) of any shape.
///
///   softmax(x)_i     = e^(x_i - m) / sum_j e^(x_j - m),   m = max_j x_j
///   log_softmax(x)_i = x_i - m - log1p(sum_{j != k} e^(x_j - m)),   k = argmax_j x_j
///   backward (y = softmax):     dx = y * (g - sum_j g_j y_j)
///   backward (y = log_softmax): dx = g - e^y * sum_j g_j
///
/// Max-shifted: no exp overflows, whatever the logits (1e4 and beyond).
/// log1p, not log(1 + ...): the max's own term is 1 and would swallow a tail
/// below eps (log_softmax([0, -50])_0 = -1.9e-22, not 0).
/// float32 lanes are accumulated in float64. A lane whose max is +inf or NaN
/// gives NaN, as the exact value is undefined there.
#include "xgrad/core/tensor.hpp"

namespace xgrad::math {

template <class T>
void softmax_lanes(const T* x, T* y, const Shape& shape, std::size_t axis);
template <class T>
void log_softmax_lanes(const T* x, T* y, const Shape& shape, std::size_t axis);
/// dx += y * (g - sum(g y)) along the axis, y = softmax output.
template <class T>
void softmax_backward_lanes(const T* y, const T* g, T* dx, const Shape& shape, std::size_t axis);
/// dx += g - e^y * sum(g) along the axis, y = log_softmax output.
template <class T>
void log_softmax_backward_lanes(const T* y, const T* g, T* dx, const Shape& shape, std::size_t axis);

template <class T>
Tensor<T> softmax(const Tensor<T>& x, long axis = -1);
template <class T>
Tensor<T> log_softmax(const Tensor<T>& x, long axis = -1);

}  // namespace xgrad::math
