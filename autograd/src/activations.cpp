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
  return Variable<T>::make_result(std::move(y), name, {x}, [ax, rows, k](Node<T>& self) {
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
  }, [ax, log = std::string(name) == "log_softmax"](Node<T>& self) {
    // softmax: dx = y (g - sum(g y)); log_softmax: dx = g - softmax(x) sum(g); y recomputed as an op
    const Variable<T> g = detail::incoming_grad_graph(self);
    const long axis = static_cast<long>(ax);
    const Variable<T> y = softmax(detail::input_variable(self, 0), axis);
    detail::accumulate_grad_graph(*self.inputs[0], log ? g - y * sum(g, axis, true) : y * (g - sum(g * y, axis, true)));
  });
}

const LaneKernels kSoftmax{kernels::softmax_rows, kernels::softmax_backward_rows,
                           math::softmax_lanes<float>, math::softmax_lanes<double>,
                           math::softmax_backward_lanes<float>, math::softmax_backward_lanes<double>};
const LaneKernels kLogSoftmax{kernels::log_softmax_rows, kernels::log_softmax_backward_rows,
                              math::log_softmax_lanes<float>, math::log_softmax_lanes<double>,
                              math::log_softmax_backward_lanes<float>, math::log_softmax_backward_lanes<double>};


/// softmin(x) = softmax(-x): contiguous float rows through the softmin kernels
/// (softmax's on -x, -g); otherwise the softmax lane loops on -x, backward dx -= softmax backward.
template <class T>
Variable<T> softmin_op(const Variable<T>& x, long axis) {
  const Shape shape = x.shape();
  const std::size_t ax = normalize_axis(axis, shape.size(), "softmin");
  Tensor<T> y = Tensor<T>::from_shape(shape);
  const bool rows = std::is_same_v<T, float> && ax + 1 == shape.size() && shape.back() > 0;  // contiguous lanes
  const T* xv = x.value().data();
  if constexpr (std::is_same_v<T, float>) {
    if (rows) kernels::softmin_rows(xv, y.data(), y.size() / shape.back(), shape.back());
  }
  if (!rows) {
    for (std::size_t i = 0, n = y.size(); i < n; ++i) y.data()[i] = -xv[i];
    math::softmax_lanes(y.data(), y.data(), shape, ax);  // in place: each lane is read whole before it is written
  }
  return Variable<T>::make_result(std::move(y), "softmin", {x}, [ax, rows](Node<T>& self) {
    static_cast<void>(rows);  // read by the float32 instantiation only
    Node<T>& in = *self.inputs[0];
    if (!in.requires_grad) return;
    bool add_into = false;
    T* dx = detail::grad_buffer(in, add_into);
    if constexpr (std::is_same_v<T, float>) {
      if (rows) {
        const std::size_t cols = self.value.shape().back();
        kernels::softmin_backward_rows(self.value.data(), self.incoming_grad().data(), dx, self.value.size() / cols,
                                       cols, add_into);
        return;
      }
    }
    Tensor<T> d = xt::zeros<T>(self.value.shape());
    math::softmax_backward_lanes(self.value.data(), self.incoming_grad().data(), d.data(), to_shape(self.value.shape()), ax);
    const T* dv = d.data();
    for (std::size_t i = 0, n = d.size(); i < n; ++i) dx[i] = (add_into ? dx[i] : T(0)) - dv[i];  // 0 - 0 = +0
  }, [ax](Node<T>& self) {  // dx = -y (g - sum(g y)), y = softmin(x) as an op
    const Variable<T> g = detail::incoming_grad_graph(self);
    const long axis = static_cast<long>(ax);
    const Variable<T> y = softmin(detail::input_variable(self, 0), axis);
    detail::accumulate_grad_graph(*self.inputs[0], neg(y * (g - sum(g * y, axis, true))));
  });
}

/// glu's loops run over one lane group at a time (a row, for the last axis), short
/// groups being too short for the kernels' own look-ahead: they fetch the next
/// group's arrays (`parts` blocks of `block` elements from p) as they go.
constexpr std::size_t kGroup = 64 / sizeof(float);
constexpr std::size_t kPrefetchedGroupBytes = 64 * 1024;  // longer groups: the hardware prefetcher keeps up
template <class T>
void prefetch_group(const T* p, std::size_t block, std::size_t i, std::size_t parts) {
  const std::size_t line = 64 / sizeof(T);
  for (std::size_t k = 0; k < parts; ++k)
    for (std::size_t j = i; j < std::min(block, i + kGroup); j += line) __builtin_prefetch(p + k * block + j);
}

/// glu: a = the first half of each lane, b = the second; y = a sigmoid(b).
/// Backward: da += g sigmoid(b), db += g a sigmoid'(b). sigmoid and sigmoid'
/// come from the activation kernels (the sigmoid op's own), block by block.
template <class T>
Variable<T> glu_op(const Variable<T>& x, long axis) {
  const Shape shape = x.shape();
  const std::size_t ax = normalize_axis(axis, shape.size(), "glu");
  if (shape[ax] % 2 != 0)
    throw std::invalid_argument("glu: the length along axis " + std::to_string(axis) + " of shape " +
                                shape_to_string(shape) + " must be even (it is split into halves a and b)");
  std::size_t outer = 1, inner = 1;
  for (std::size_t i = 0; i < ax; ++i) outer *= shape[i];
  for (std::size_t i = ax + 1; i < shape.size(); ++i) inner *= shape[i];
  const std::size_t half = shape[ax] / 2;
  Shape out_shape = shape;
  out_shape[ax] = half;
  Tensor<T> y = Tensor<T>::from_shape(out_shape);
  const T* xv = x.value().data();
  const std::size_t block = half * inner;  // one half of one lane group, contiguous
  // float32 over two groups or more: the glu kernels (one pass, the same roundings), split by groups
  const bool fused = std::is_same_v<T, float> && outer >= 2;
  if constexpr (std::is_same_v<T, float>) {
    if (fused) kernels::glu_rows(xv, y.data(), outer, block);
  }
  for (std::size_t o = 0; o < (fused ? 0 : outer); ++o) {
    const T* a = xv + o * 2 * block;
    T* out = y.data() + o * block;
    kernels::activation_forward<T>(Act::sigmoid, a + block, out, block, {});
    const bool next = o + 1 < outer && block * sizeof(T) <= kPrefetchedGroupBytes;
    for (std::size_t i = 0; i < block; i += kGroup) {
      if (next) prefetch_group(a + 2 * block, block, i, 2), prefetch_group(out + block, block, i, 1);
      for (std::size_t j = i, e = std::min(block, i + kGroup); j < e; ++j) out[j] *= a[j];
    }
  }
  return Variable<T>::make_result(std::move(y), "glu", {x}, [outer, block, fused](Node<T>& self) {
    Node<T>& in = *self.inputs[0];
    if (!in.requires_grad) return;
    bool add_into = false;
    T* dx = detail::grad_buffer(in, add_into);
    const T* xv = in.value.data();
    const T* g = self.incoming_grad().data();
    if constexpr (std::is_same_v<T, float>) {
      if (fused) return kernels::glu_rows_backward(xv, g, dx, outer, block, add_into);
    }
    std::vector<T> scratch(block);
    for (std::size_t o = 0; o < outer; ++o) {
      const T* a = xv + o * 2 * block;
      const T* b = a + block;
      T* da = dx + o * 2 * block;
      T* db = da + block;
      const T* go = g + o * block;
      kernels::activation_forward<T>(Act::sigmoid, b, scratch.data(), block, {});
      const bool next = o + 1 < outer && block * sizeof(T) <= kPrefetchedGroupBytes;
      for (std::size_t i = 0; i < block; i += kGroup) {
        if (next)
          prefetch_group(a + 2 * block, block, i, 2), prefetch_group(go + block, block, i, 1),
              prefetch_group(da + 2 * block, block, i, 2);
        for (std::size_t j = i, e = std::min(block, i + kGroup); j < e; ++j) {
          const T c = go[j] * scratch[j];
          da[j] = add_into ? da[j] + c : c;
          scratch[j] = go[j] * a[j];
        }
      }
      kernels::activation_backward<T>(Act::sigmoid, b, scratch.data(), db, block, add_into, {});
    }
  }, [ax](Node<T>& self) {  // dx = [g sigmoid(b), g a sigmoid'(b)] along the axis
    const Variable<T> g = detail::incoming_grad_graph(self), x = detail::input_variable(self, 0);
    const long axis = static_cast<long>(ax), half = static_cast<long>(self.value.shape()[ax]);
    const Variable<T> a = slice(x, axis, 0, half), b = slice(x, axis, half, 2 * half);
    detail::accumulate_grad_graph(*self.inputs[0],
                                  concat<T>({g * sigmoid(b), g * a * activation_derivative(b, Act::sigmoid, {})}, axis));
  });
}

}  // namespace

template <class T>
Variable<T> axis_activation(const Variable<T>& x, Act f, long axis) {
  checked(f, ActivationParams{}, f == Act::glu ? ActivationShape::halves : ActivationShape::lane);
  switch (f) {
    case Act::softmax: return lane_activation(x, axis, "softmax", kSoftmax);
    case Act::log_softmax: return lane_activation(x, axis, "log_softmax", kLogSoftmax);
    case Act::softmin: return softmin_op(x, axis);
    case Act::glu: return glu_op(x, axis);
    default: throw std::invalid_argument(std::string(activation_info(f).name) + " is not a function of a lane");
  }
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
  template Variable<T> axis_activation(const Variable<T>&, Act, long);                        \
  template Variable<T> prelu(const Variable<T>&, const Variable<T>&);                         \
  template Variable<T> rrelu(const Variable<T>&, double, double, bool, Generator*);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
