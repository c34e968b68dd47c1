#pragma once
/// The activations as differentiable ops. f and f' of each are documented
/// with its kernel in <xgrad/core/activations/*.hpp>; here only the graph.
///
/// Elementwise ones take any shape. prelu's alpha has shape [1] or
/// [features], broadcast along the last axis of x, and receives a gradient.
/// softmax / log_softmax work along `axis` (default the last).
/// Invalid parameters throw std::invalid_argument.
#include "xgrad/autograd/variable.hpp"
#include "xgrad/core/activations/gelu.hpp"

namespace xgrad {

using math::GeluApproximate;

template <class T> Variable<T> sigmoid(const Variable<T>& x);
template <class T> Variable<T> tanh(const Variable<T>& x);
template <class T> Variable<T> relu(const Variable<T>& x);
template <class T> Variable<T> leaky_relu(const Variable<T>& x, double negative_slope = 0.01);
template <class T> Variable<T> prelu(const Variable<T>& x, const Variable<T>& alpha);
template <class T> Variable<T> elu(const Variable<T>& x, double alpha = 1.0);
template <class T> Variable<T> softplus(const Variable<T>& x, double beta = 1.0, double threshold = 20.0);
template <class T> Variable<T> softmax(const Variable<T>& x, long axis = -1);
template <class T> Variable<T> log_softmax(const Variable<T>& x, long axis = -1);
template <class T> Variable<T> gelu(const Variable<T>& x, GeluApproximate approximate = GeluApproximate::none);

}  // namespace xgrad
