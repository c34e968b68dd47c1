#include "xgrad/autograd/activations.hpp"

#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "xgrad/core/activations.hpp"
#include "xgrad/core/kernels.hpp"

namespace xgrad {

namespace {

/// make_result for the ops of this file: their backward rules read the
/// incoming gradient through incoming_grad(), so backward(upstream) from one
/// of them reads the upstream tensor in place.
template <class T>
Variable<T> make_activation_result(Tensor<T> value, const char* op, std::vector<Variable<T>> inputs,
                                   std::function<void(Node<T>&)> backward) {
  Variable<T> out = Variable<T>::make_result(std::move(value), op, std::move(inputs), std::move(backward));
  out.node()->reads_incoming = true;
  return out;
}

/// y = f(x) elementwise; backward dx += g * df(x). The input node is alive as
/// long as the graph is, so backward reads x from it and saves nothing.
/// float32 goes through the vectorised kernels of xgrad::kernels (the same
/// exactness contract as the scalar kernels, which float64 uses).
template <class T, class F, class DF>
Variable<T> elementwise_activation(const Variable<T>& x, const char* name, F f, DF df, kernels::Unary kind,
                                   kernels::UnaryParams params = {}) {
  if constexpr (std::is_same_v<T, float>) {
    Tensor<T> y = Tensor<T>::from_shape(x.value().shape());
    kernels::unary_forward(kind, x.value().data(), y.data(), y.size(), params);
    return make_activation_result<T>(std::move(y), name, {x}, [kind, params](Node<T>& self) {
      Node<T>& in = *self.inputs[0];
      if (!in.requires_grad) return;
      bool add_into = false;
      T* dx = detail::grad_buffer(in, add_into);
      kernels::unary_backward(kind, in.value.data(), self.incoming_grad().data(), dx, in.value.size(), add_into, params);
    });
  } else {
    Tensor<T> y = math::map(x.value(), f);
    return make_activation_result<T>(std::move(y), name, {x}, [df](Node<T>& self) {
      Node<T>& in = *self.inputs[0];
      const T* xv = in.value.data();
      const T* g = self.incoming_grad().data();
      detail::accumulate_grad_each(in, [&](std::size_t i) { return g[i] * df(xv[i]); });
    });
  }
}

}  // namespace

template <class T>
Variable<T> sigmoid(const Variable<T>& x) {
  return elementwise_activation(x, "sigmoid", [](T v) { return math::sigmoid(v); },
                                [](T v) { return math::sigmoid_derivative(v); }, kernels::Unary::sigmoid);
}

template <class T>
Variable<T> tanh(const Variable<T>& x) {
  return elementwise_activation(x, "tanh", [](T v) { return math::tanh(v); },
                                [](T v) { return math::tanh_derivative(v); }, kernels::Unary::tanh);
}

template <class T>
Variable<T> relu(const Variable<T>& x) {
  Tensor<T> y = Tensor<T>::from_shape(x.value().shape());
  if constexpr (std::is_same_v<T, float>) {
    kernels::relu_forward(x.value().data(), y.data(), y.size());
  } else {
    const T* xv = x.value().data();
    T* yv = y.data();
    for (std::size_t i = 0, n = y.size(); i < n; ++i) yv[i] = math::relu(xv[i]);
  }
  return make_activation_result<T>(std::move(y), "relu", {x}, [](Node<T>& self) {
    Node<T>& in = *self.inputs[0];
    const T* xv = in.value.data();
    const T* g = self.incoming_grad().data();
    if constexpr (std::is_same_v<T, float>) {
      if (!in.requires_grad) return;
      bool add_into = false;
      T* dx = detail::grad_buffer(in, add_into);
      kernels::relu_backward(xv, self.incoming_grad().data(), dx, in.value.size(), add_into);
    } else {
      detail::accumulate_grad_each(in, [&](std::size_t i) {
        return xv[i] > T(0) ? g[i] : (xv[i] <= T(0) ? T(0) : xv[i]);  // NaN stays NaN
      });
    }
  });
}

template <class T>
Variable<T> leaky_relu(const Variable<T>& x, double negative_slope) {
  math::check_slope(negative_slope, "leaky_relu");
  if constexpr (std::is_same_v<T, float>) {
    Tensor<T> y = Tensor<T>::from_shape(x.value().shape());
    kernels::leaky_relu_forward(x.value().data(), y.data(), y.size(), negative_slope);
    return make_activation_result<T>(std::move(y), "leaky_relu", {x}, [negative_slope](Node<T>& self) {
      Node<T>& in = *self.inputs[0];
      if (!in.requires_grad) return;
      bool add_into = false;
      T* dx = detail::grad_buffer(in, add_into);
      kernels::leaky_relu_backward(in.value.data(), self.incoming_grad().data(), dx, in.value.size(), negative_slope, add_into);
    });
  } else {
    const Variable<T>& input = x;
    Tensor<T> y = math::map(input.value(), [negative_slope](T v) { return math::leaky_relu(v, negative_slope); });
    return make_activation_result<T>(std::move(y), "leaky_relu", {x}, [negative_slope](Node<T>& self) {
      Node<T>& in = *self.inputs[0];
      const T* xv = in.value.data();
      const T* g = self.incoming_grad().data();
      detail::accumulate_grad_each(in, [&](std::size_t i) { return g[i] * math::leaky_relu_derivative(xv[i], negative_slope); });
    });
  }
}

template <class T>
Variable<T> prelu(const Variable<T>& x, const Variable<T>& alpha) {
  const std::size_t features = x.dim() == 0 ? 1 : x.shape().back();
  const std::size_t count = alpha.size();
  if (alpha.dim() != 1 || (count != 1 && count != features))
    throw std::invalid_argument("prelu: alpha has shape " + shape_to_string(alpha.shape()) +
                                " but must be [1] or [features] = [" + std::to_string(features) +
                                "] for an input of shape " + shape_to_string(x.shape()));
  Tensor<T> y = Tensor<T>::from_shape(x.value().shape());
  const T* xv = x.value().data();
  const T* a = alpha.value().data();
  T* yv = y.data();
  const std::size_t n = x.size();
  if (count == 1) {
    const T a0 = a[0];
    if constexpr (std::is_same_v<T, float>) kernels::leaky_relu_forward(xv, yv, n, static_cast<double>(a0));
    else for (std::size_t i = 0; i < n; ++i) yv[i] = math::prelu(xv[i], a0);
  } else {
    for (std::size_t i = 0; i < n; ++i) yv[i] = math::prelu(xv[i], a[i % count]);
  }
  return make_activation_result<T>(std::move(y), "prelu", {x, alpha}, [count](Node<T>& self) {
    Node<T>& in = *self.inputs[0];
    Node<T>& al = *self.inputs[1];
    const T* xv = in.value.data();
    const T* a = al.value.data();
    const T* g = self.incoming_grad().data();
    const std::size_t n = in.value.size();
    if constexpr (std::is_same_v<T, float>) {
      if (count == 1) {  // dx and d alpha in one pass
        bool add_into = false;
        T* dx = in.requires_grad ? detail::grad_buffer(in, add_into) : nullptr;
        const double total = kernels::prelu_backward(xv, self.incoming_grad().data(), dx, n, a[0], add_into);
        if (al.requires_grad) detail::accumulate_grad_each(al, [total](std::size_t) { return static_cast<T>(total); });
        return;
      }
    }
    if (in.requires_grad) {
      if (count == 1) {
        const T a0 = a[0];
        detail::accumulate_grad_each(in, [&](std::size_t i) { return g[i] * math::prelu_derivative(xv[i], a0); });
      } else {
        detail::accumulate_grad_each(in, [&](std::size_t i) { return g[i] * math::prelu_derivative(xv[i], a[i % count]); });
      }
    }
    if (al.requires_grad) {
      // d/d alpha_j = sum over the elements using alpha_j of g * (x if x <= 0 else 0),
      // summed in double so that a million float terms keep their digits.
      std::vector<double> totals(count, 0.0);
      for (std::size_t i = 0; i < n; ++i)
        totals[i % count] += static_cast<double>(g[i]) * math::prelu_alpha_derivative(xv[i]);
      detail::accumulate_grad_each(al, [&](std::size_t j) { return static_cast<T>(totals[j]); });
    }
  });
}

template <class T>
Variable<T> elu(const Variable<T>& x, double alpha) {
  math::check_elu_alpha(alpha);
  return elementwise_activation(x, "elu", [alpha](T v) { return math::elu(v, alpha); },
                                [alpha](T v) { return math::elu_derivative(v, alpha); }, kernels::Unary::elu,
                                {alpha, 1.0, 20.0});
}

template <class T>
Variable<T> softplus(const Variable<T>& x, double beta, double threshold) {
  math::check_softplus_parameters(beta, threshold);
  return elementwise_activation(
      x, "softplus", [beta, threshold](T v) { return math::softplus(v, beta, threshold); },
      [beta, threshold](T v) { return math::softplus_derivative(v, beta, threshold); }, kernels::Unary::softplus,
      {1.0, beta, threshold});
}

template <class T>
Variable<T> gelu(const Variable<T>& x, GeluApproximate approximate) {
  if (approximate == GeluApproximate::tanh)
    return elementwise_activation(x, "gelu_tanh", [](T v) { return math::gelu_tanh(v); },
                                  [](T v) { return math::gelu_tanh_derivative(v); }, kernels::Unary::gelu_tanh);
  return elementwise_activation(x, "gelu", [](T v) { return math::gelu(v); },
                                [](T v) { return math::gelu_derivative(v); }, kernels::Unary::gelu);
}

namespace {

/// The kernels of a normalisation along one axis (softmax, log_softmax): whole
/// contiguous rows through the float32 vector kernels, any axis through the
/// lane loops of xgrad::math. Backward needs the output only.
struct LaneKernels {
  void (*rows_forward)(const float*, float*, std::size_t, std::size_t);
  void (*rows_backward)(const float*, const float*, float*, std::size_t, std::size_t, bool);
  void (*lanes_forward_f)(const float*, float*, const Shape&, std::size_t);
  void (*lanes_forward_d)(const double*, double*, const Shape&, std::size_t);
  void (*lanes_backward_f)(const float*, const float*, float*, const Shape&, std::size_t);
  void (*lanes_backward_d)(const double*, const double*, double*, const Shape&, std::size_t);
};

template <class T>
Variable<T> lane_activation(const Variable<T>& x, long axis, const char* name, const LaneKernels& k) {
  const Shape shape = x.shape();
  const std::size_t ax = normalize_axis(axis, shape.size(), name);
  Tensor<T> y = Tensor<T>::from_shape(shape);
  const bool rows = std::is_same_v<T, float> && ax + 1 == shape.size() && shape.back() > 0;  // contiguous lanes
  if constexpr (std::is_same_v<T, float>) {
    if (rows) k.rows_forward(x.value().data(), y.data(), y.size() / shape.back(), shape.back());
    else k.lanes_forward_f(x.value().data(), y.data(), shape, ax);
  } else {
    k.lanes_forward_d(x.value().data(), y.data(), shape, ax);
  }
  return make_activation_result<T>(std::move(y), name, {x}, [ax, rows, k](Node<T>& self) {
    static_cast<void>(rows);  // read by the float32 instantiation only
    Node<T>& in = *self.inputs[0];
    if (!in.requires_grad) return;
    bool add_into = false;
    T* dx = detail::grad_buffer(in, add_into);
    const T* y = self.value.data();
    const T* g = self.incoming_grad().data();
    if constexpr (std::is_same_v<T, float>) {
      if (rows) {
        const std::size_t cols = self.value.shape().back();
        k.rows_backward(y, g, dx, self.value.size() / cols, cols, add_into);
        return;
      }
    }
    if (!add_into) std::fill(dx, dx + in.value.size(), T(0));
    if constexpr (std::is_same_v<T, float>) k.lanes_backward_f(y, g, dx, to_shape(self.value.shape()), ax);
    else k.lanes_backward_d(y, g, dx, to_shape(self.value.shape()), ax);
  });
}

const LaneKernels kSoftmax{kernels::softmax_rows, kernels::softmax_backward_rows,
                           math::softmax_lanes<float>, math::softmax_lanes<double>,
                           math::softmax_backward_lanes<float>, math::softmax_backward_lanes<double>};
const LaneKernels kLogSoftmax{kernels::log_softmax_rows, kernels::log_softmax_backward_rows,
                              math::log_softmax_lanes<float>, math::log_softmax_lanes<double>,
                              math::log_softmax_backward_lanes<float>, math::log_softmax_backward_lanes<double>};

}  // namespace

template <class T>
Variable<T> softmax(const Variable<T>& x, long axis) { return lane_activation(x, axis, "softmax", kSoftmax); }

template <class T>
Variable<T> log_softmax(const Variable<T>& x, long axis) { return lane_activation(x, axis, "log_softmax", kLogSoftmax); }

#define XGRAD_INSTANTIATE(T)                                                     \
  template Variable<T> sigmoid(const Variable<T>&);                              \
  template Variable<T> tanh(const Variable<T>&);                                 \
  template Variable<T> relu(const Variable<T>&);                                 \
  template Variable<T> leaky_relu(const Variable<T>&, double);                   \
  template Variable<T> prelu(const Variable<T>&, const Variable<T>&);            \
  template Variable<T> elu(const Variable<T>&, double);                          \
  template Variable<T> softplus(const Variable<T>&, double, double);             \
  template Variable<T> softmax(const Variable<T>&, long);                        \
  template Variable<T> log_softmax(const Variable<T>&, long);                    \
  template Variable<T> gelu(const Variable<T>&, GeluApproximate);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
