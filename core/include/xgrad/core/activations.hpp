#pragma once
/// Every activation of xgrad and its derivative as plain functions: scalar
/// kernels (one header each, f and f' in its comment) and whole-tensor forms
/// that need no autograd graph.
#include "xgrad/core/activations/catalogue.hpp"
#include "xgrad/core/activations/elu.hpp"
#include "xgrad/core/activations/gelu.hpp"
#include "xgrad/core/activations/relu.hpp"
#include "xgrad/core/activations/sigmoid.hpp"
#include "xgrad/core/activations/softmax.hpp"
#include "xgrad/core/activations/softplus.hpp"
#include "xgrad/core/activations/tanh.hpp"
#include "xgrad/core/tensor.hpp"

namespace xgrad::math {

/// y[i] = f(x[i]) for a tensor of any shape.
template <class T, class F>
Tensor<T> map(const Tensor<T>& x, F&& f) {
  Tensor<T> y = Tensor<T>::from_shape(x.shape());
  const T* in = x.data();
  T* out = y.data();
  const std::size_t n = x.size();
  for (std::size_t i = 0; i < n; ++i) out[i] = f(in[i]);
  return y;
}

}  // namespace xgrad::math
