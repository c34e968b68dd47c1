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
#include <array>

#include "xgrad/core/activations/param.hpp"
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

/// The catalogue's entries (activations/catalogue.hpp): functions of a whole
/// lane along an axis (the last, for layers), not elementwise.
struct Softmax {
  static constexpr const char* name = "softmax";
  static constexpr const char* torch = "torch.softmax(x, dim=-1)";
  static constexpr std::array<ParamSpec, 0> params{};
};
struct LogSoftmax {
  static constexpr const char* name = "log_softmax";
  static constexpr const char* torch = "torch.log_softmax(x, dim=-1)";
  static constexpr std::array<ParamSpec, 0> params{};
};
/// softmin(x) = softmax(-x); backward dx = -(softmax backward at -x).
struct Softmin {
  static constexpr const char* name = "softmin";
  static constexpr const char* torch = "torch.nn.functional.softmin(x, dim=-1)";
  static constexpr std::array<ParamSpec, 0> params{};
};
/// GLU: the lane is split into halves a and b; glu = a sigmoid(b) (half the size).
///   d/da = g sigmoid(b),  d/db = g a sigmoid'(b)
struct Glu {
  static constexpr const char* name = "glu";
  static constexpr const char* torch = "torch.nn.functional.glu(x, dim=-1)";
  static constexpr std::array<ParamSpec, 0> params{};
};

}  // namespace xgrad::math
