#pragma once
/// The activations as differentiable ops, one generic op over the catalogue
/// (xgrad/core/activations/catalogue.hpp: f, f', parameters and the PyTorch
/// expression of each) and PyTorch's named functions on top of it.
///
/// Elementwise ones take any shape. prelu's alpha has shape [1] or
/// [features], broadcast along the last axis of x, and receives a gradient.
/// softmax, log_softmax, softmin and glu work along `axis` (default the
/// last). Invalid parameters throw std::invalid_argument naming the value.
#include "xgrad/autograd/variable.hpp"
#include "xgrad/core/activations/catalogue.hpp"
#include "xgrad/core/random.hpp"

namespace xgrad {

/// y = f(x) for an elementwise activation of the catalogue (rrelu in eval
/// mode); backward dx += g f'(x). Parameters are checked against their domains.
template <class T> Variable<T> activation(const Variable<T>& x, Act f, const ActivationParams& p);
/// f'(x) as an op: the differentiable backward of activation() is
/// g * activation_derivative(x). Its own backward is g * f''(x) from the exact
/// kernel kernels::activation_second (an op "activation_second"), whose
/// backward in turn is g * f'''(x) by closed forms (all but gelu_tanh and
/// mish, which throw std::logic_error naming the function); a fourth
/// derivative of an activation throws (activation_second has no
/// differentiable backward).
template <class T> Variable<T> activation_derivative(const Variable<T>& x, Act f, const ActivationParams& p);
/// softmax, log_softmax, softmin or glu along `axis`.
template <class T> Variable<T> axis_activation(const Variable<T>& x, Act f, long axis = -1);

template <class T> Variable<T> prelu(const Variable<T>& x, const Variable<T>& alpha);
/// RReLU: while training, each element x < 0 gets a slope drawn uniformly
/// from [lower, upper] by `gen` (the default generator when null); in eval
/// mode the mean slope, as leaky_relu.
template <class T>
Variable<T> rrelu(const Variable<T>& x, double lower = math::Rrelu::params[0].default_value,
                  double upper = math::Rrelu::params[1].default_value, bool training = false, Generator* gen = nullptr);

namespace detail {
inline ActivationParams act_params(double a = 0, double b = 0) { return ActivationParams{{a, b}}; }
}  // namespace detail

// PyTorch's names and signatures; the defaults are the catalogue's.
template <class T> Variable<T> sigmoid(const Variable<T>& x) { return activation(x, Act::sigmoid, {}); }
template <class T> Variable<T> tanh(const Variable<T>& x) { return activation(x, Act::tanh, {}); }
template <class T> Variable<T> relu(const Variable<T>& x) { return activation(x, Act::relu, {}); }
template <class T>
Variable<T> leaky_relu(const Variable<T>& x, double negative_slope = math::LeakyRelu::params[0].default_value) {
  return activation(x, Act::leaky_relu, detail::act_params(negative_slope));
}
template <class T> Variable<T> elu(const Variable<T>& x, double alpha = math::Elu::params[0].default_value) {
  return activation(x, Act::elu, detail::act_params(alpha));
}
template <class T>
Variable<T> softplus(const Variable<T>& x, double beta = math::Softplus::params[0].default_value,
                     double threshold = math::Softplus::params[1].default_value) {
  return activation(x, Act::softplus, detail::act_params(beta, threshold));
}
template <class T> Variable<T> gelu(const Variable<T>& x) { return activation(x, Act::gelu, {}); }
/// gelu with the tanh approximation (PyTorch's gelu(x, approximate='tanh')).
template <class T> Variable<T> gelu_tanh(const Variable<T>& x) { return activation(x, Act::gelu_tanh, {}); }
template <class T> Variable<T> selu(const Variable<T>& x) { return activation(x, Act::selu, {}); }
template <class T> Variable<T> celu(const Variable<T>& x, double alpha = math::Celu::params[0].default_value) {
  return activation(x, Act::celu, detail::act_params(alpha));
}
template <class T> Variable<T> silu(const Variable<T>& x) { return activation(x, Act::silu, {}); }
template <class T> Variable<T> mish(const Variable<T>& x) { return activation(x, Act::mish, {}); }
template <class T>
Variable<T> hardtanh(const Variable<T>& x, double min_val = math::Hardtanh::params[0].default_value,
                     double max_val = math::Hardtanh::params[1].default_value) {
  return activation(x, Act::hardtanh, detail::act_params(min_val, max_val));
}
template <class T> Variable<T> relu6(const Variable<T>& x) { return activation(x, Act::relu6, {}); }
template <class T> Variable<T> hardsigmoid(const Variable<T>& x) { return activation(x, Act::hardsigmoid, {}); }
template <class T> Variable<T> hardswish(const Variable<T>& x) { return activation(x, Act::hardswish, {}); }
template <class T> Variable<T> softsign(const Variable<T>& x) { return activation(x, Act::softsign, {}); }
template <class T> Variable<T> tanhshrink(const Variable<T>& x) { return activation(x, Act::tanhshrink, {}); }
template <class T> Variable<T> logsigmoid(const Variable<T>& x) { return activation(x, Act::logsigmoid, {}); }
template <class T>
Variable<T> softshrink(const Variable<T>& x, double lambd = math::Softshrink::params[0].default_value) {
  return activation(x, Act::softshrink, detail::act_params(lambd));
}
template <class T>
Variable<T> hardshrink(const Variable<T>& x, double lambd = math::Hardshrink::params[0].default_value) {
  return activation(x, Act::hardshrink, detail::act_params(lambd));
}
/// x where x > threshold, else value (both required, as in PyTorch).
template <class T> Variable<T> threshold(const Variable<T>& x, double threshold, double value) {
  return activation(x, Act::threshold, detail::act_params(threshold, value));
}
/// Keras's squareplus: (x + sqrt(x^2 + b)) / 2.
template <class T> Variable<T> squareplus(const Variable<T>& x, double b = math::Squareplus::params[0].default_value) {
  return activation(x, Act::squareplus, detail::act_params(b));
}
template <class T> Variable<T> softmax(const Variable<T>& x, long axis = -1) { return axis_activation(x, Act::softmax, axis); }
template <class T> Variable<T> log_softmax(const Variable<T>& x, long axis = -1) {
  return axis_activation(x, Act::log_softmax, axis);
}
/// softmax(-x).
template <class T> Variable<T> softmin(const Variable<T>& x, long axis = -1) { return axis_activation(x, Act::softmin, axis); }
/// The lane is split into halves a, b (its length must be even): a * sigmoid(b).
template <class T> Variable<T> glu(const Variable<T>& x, long axis = -1) { return axis_activation(x, Act::glu, axis); }

}  // namespace xgrad
