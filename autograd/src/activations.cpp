#include "xgrad/autograd/activations.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "xgrad/core/activations.hpp"
#include "xgrad/core/kernels.hpp"

#include <xtensor/xbuilder.hpp>

#include "xgrad/autograd/ops.hpp"
#include "activation_third.hpp"

namespace xgrad {

namespace {

/// Checks f's parameters once per call site (the layer checks at construction).
const ActivationInfo& checked(Act f, const ActivationParams& p, ActivationShape shape) {
  const ActivationInfo& info = activation_info(f);
  if (info.shape != shape)
    throw std::invalid_argument(std::string(info.name) + (shape == ActivationShape::elementwise
                                                              ? " is not an elementwise activation (use axis_activation)"
                                                              : " is not a function of a lane (use activation)"));
  check_params(f, p);
  return info;
}

}  // namespace

/// y = f(x) elementwise; backward dx += g * f'(x). The input node is alive as
/// long as the graph is, so backward reads x from it and saves nothing.
template <class T>
Variable<T> activation(const Variable<T>& x, Act f, const ActivationParams& p) {
  const ActivationInfo& info = checked(f, p, ActivationShape::elementwise);
  if (f == Act::linear) return x;
  Tensor<T> y = Tensor<T>::from_shape(x.value().shape());
  kernels::activation_forward<T>(f, x.value().data(), y.data(), y.size(), p);
  return Variable<T>::make_result(std::move(y), info.name, {x}, [f, p](Node<T>& self) {
    Node<T>& in = *self.inputs[0];
    if (!in.requires_grad) return;
    bool add_into = false;
    T* dx = detail::grad_buffer(in, add_into);
    kernels::activation_backward<T>(f, in.value.data(), self.incoming_grad().data(), dx, in.value.size(), add_into, p);
  }, [f, p](Node<T>& self) {
    const Variable<T> x = detail::input_variable(self, 0);
    detail::accumulate_grad_graph(*self.inputs[0], detail::incoming_grad_graph(self) * activation_derivative(x, f, p));
  });
}

namespace {
/// f''(x) as an op. Its backward, g * f'''(x), comes from the closed forms of
/// activation_third.cpp (a PINN's loss holds u'' and is differentiated again);
/// it is not differentiable further (the engine names the op), and for an
/// activation without a closed form (gelu_tanh, mish) it throws.
template <class T>
Variable<T> activation_second_op(const Variable<T>& x, Act f, const ActivationParams& p) {
  Tensor<T> y = Tensor<T>::from_shape(x.value().shape());
  kernels::activation_second<T>(f, p, x.value().data(), y.data(), y.size());
  return Variable<T>::make_result(std::move(y), "activation_second", {x}, [f, p](Node<T>& self) {
    if (!detail::has_activation_third(f))
      throw std::logic_error(std::string("the third derivative of ") + activation_info(f).name +
                             " is not available (activation_second has no backward for it)");
    const T* g = self.incoming_grad().data();
    const T* xv = self.inputs[0]->value.data();
    const T* second = self.value.data();
    detail::accumulate_grad_each(*self.inputs[0], [&](std::size_t i) {
      return static_cast<T>(double(g[i]) * detail::activation_third(f, p, double(xv[i]), double(second[i])));
    });
  });
}
}  // namespace

/// y = f'(x); backward dx += g * f''(x), graph backward g * f''(x) as an op.
template <class T>
Variable<T> activation_derivative(const Variable<T>& x, Act f, const ActivationParams& p) {
  const ActivationInfo& info = checked(f, p, ActivationShape::elementwise);
  const std::size_t n = x.size();
  Tensor<T> y = Tensor<T>::from_shape(x.value().shape());
  {
    Tensor<T> ones = xt::ones<T>(x.value().shape());
    kernels::activation_backward<T>(f, x.value().data(), ones.data(), y.data(), n, false, p);
  }
  static_cast<void>(info);
  return Variable<T>::make_result(std::move(y), "activation_derivative", {x}, [f, p](Node<T>& self) {
    Node<T>& in = *self.inputs[0];
    if (!in.requires_grad) return;
    const std::size_t count = in.value.size();
    Tensor<T> second = Tensor<T>::from_shape(in.value.shape());
    kernels::activation_second<T>(f, p, in.value.data(), second.data(), count);
    const T* g = self.incoming_grad().data();
    const T* s2 = second.data();
    detail::accumulate_grad_each(in, [g, s2](std::size_t i) { return g[i] * s2[i]; });
  }, [f, p](Node<T>& self) {
    const Variable<T> x = detail::input_variable(self, 0);
    detail::accumulate_grad_graph(*self.inputs[0], detail::incoming_grad_graph(self) * activation_second_op(x, f, p));
  });
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
  const std::size_t rows = count == 1 ? 1 : n / count;  // one alpha per feature: row by row, no modulo
  if constexpr (std::is_same_v<T, float>) {
    if (count == 1) kernels::leaky_relu_forward(xv, yv, n, static_cast<double>(a[0]));
    else kernels::prelu_rows_forward(xv, a, yv, rows, count);
  } else {
    for (std::size_t r = 0, i = 0; r < (count == 1 ? n : rows); ++r)
      for (std::size_t j = 0; j < count; ++j, ++i) yv[i] = math::prelu(xv[i], a[count == 1 ? 0 : j]);
  }
  return Variable<T>::make_result(std::move(y), "prelu", {x, alpha}, [count, rows](Node<T>& self) {
    Node<T>& in = *self.inputs[0];
    Node<T>& al = *self.inputs[1];
    const T* xv = in.value.data();
    const T* a = al.value.data();
    const T* g = self.incoming_grad().data();
    const std::size_t n = in.value.size();
    bool add_into = false;
    T* dx = in.requires_grad ? detail::grad_buffer(in, add_into) : nullptr;
    if constexpr (std::is_same_v<T, float>) {
      if (count == 1) {  // dx and d alpha in one pass
        const double total = kernels::prelu_backward(xv, g, dx, n, a[0], add_into);
        if (al.requires_grad) detail::accumulate_grad_each(al, [total](std::size_t) { return static_cast<T>(total); });
        return;
      }
    }
    // d/d alpha_j = sum over the elements using alpha_j of g * (x if x <= 0 else 0),
    // summed in double so that a million float terms keep their digits.
    std::vector<double> totals(count, 0.0);
    if constexpr (std::is_same_v<T, float>) {
      kernels::prelu_rows_backward(xv, g, a, dx, totals.data(), rows, count, add_into);
    } else {
      for (std::size_t i = 0; i < n; ++i) {
        const std::size_t j = count == 1 ? 0 : i % count;
        if (dx) {
          const T c = g[i] * math::prelu_derivative(xv[i], a[j]);
          dx[i] = add_into ? dx[i] + c : c;
        }
        totals[j] += static_cast<double>(g[i]) * math::prelu_alpha_derivative(xv[i]);
      }
    }
    if (al.requires_grad) detail::accumulate_grad_each(al, [&](std::size_t j) { return static_cast<T>(totals[j]); });
  }, [](Node<T>& self) {  // dx = g (x > 0 ? 1 : alpha), d alpha = sum of g (x > 0 ? 0 : x)
    const Tensor<T>& xv = self.inputs[0]->value;
    Tensor<T> positive = Tensor<T>::from_shape(xv.shape()), rest = Tensor<T>::from_shape(xv.shape());
    for (std::size_t i = 0, n = xv.size(); i < n; ++i) {
      positive.data()[i] = xv.data()[i] > T(0) ? T(1) : T(0);
      rest.data()[i] = T(1) - positive.data()[i];
    }
    const Variable<T> g = detail::incoming_grad_graph(self), x = detail::input_variable(self, 0);
    const Variable<T> alpha = detail::input_variable(self, 1), off = Variable<T>(std::move(rest));
    if (self.inputs[0]->requires_grad)
      detail::accumulate_grad_graph(*self.inputs[0], g * (Variable<T>(std::move(positive)) + off * alpha));
    if (self.inputs[1]->requires_grad) detail::accumulate_grad_graph(*self.inputs[1], g * x * off);
  });
}

template <class T>
Variable<T> rrelu(const Variable<T>& x, double lower, double upper, bool training, Generator* gen) {
  const ActivationParams p{{lower, upper}};
  if (!training) return activation(x, Act::rrelu, p);
  check_params(Act::rrelu, p);
  Generator& g = gen ? *gen : default_generator();
  const std::size_t n = x.size();
  Tensor<T> slopes = Tensor<T>::from_shape(x.value().shape());  // what backward needs
  Tensor<T> y = Tensor<T>::from_shape(x.value().shape());
  const T* xv = x.value().data();
  for (std::size_t i = 0; i < n; ++i) {
    const double a = g.uniform(lower, upper);
    slopes.data()[i] = xv[i] >= T(0) ? T(1) : static_cast<T>(a);
    y.data()[i] = xv[i] >= T(0) ? xv[i] : static_cast<T>(static_cast<double>(xv[i]) * a);
  }
  auto shared = std::make_shared<const Tensor<T>>(std::move(slopes));
  return Variable<T>::make_result(std::move(y), "rrelu", {x}, [shared](Node<T>& self) {
    Node<T>& in = *self.inputs[0];
    const T* s = shared->data();
    const T* gv = self.incoming_grad().data();
    detail::accumulate_grad_each(in, [&](std::size_t i) { return gv[i] * s[i]; });
  }, [shared](Node<T>& self) {
    detail::accumulate_grad_graph(*self.inputs[0], detail::incoming_grad_graph(self) * Variable<T>(Tensor<T>(*shared)));
  });
}

#define XGRAD_INSTANTIATE(T)                                                                  \
  template Variable<T> activation(const Variable<T>&, Act, const ActivationParams&);          \
  template Variable<T> activation_derivative(const Variable<T>&, Act, const ActivationParams&); \
  template Variable<T> prelu(const Variable<T>&, const Variable<T>&);                         \
  template Variable<T> rrelu(const Variable<T>&, double, double, bool, Generator*);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
