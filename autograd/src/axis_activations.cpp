// The activations of a lane (softmax, log_softmax, softmin, glu): whole rows
// through the float32 kernels, any axis through xgrad::math's lane loops.
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

namespace xgrad {

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
  const ActivationInfo& info = activation_info(f);
  if (info.shape == ActivationShape::elementwise)
    throw std::invalid_argument(std::string(info.name) + " is not a function of a lane (use activation)");
  switch (f) {
    case Act::softmax: return lane_activation(x, axis, "softmax", kSoftmax);
    case Act::log_softmax: return lane_activation(x, axis, "log_softmax", kLogSoftmax);
    case Act::softmin: return softmin_op(x, axis);
    case Act::glu: return glu_op(x, axis);
    default: throw std::invalid_argument(std::string(activation_info(f).name) + " is not a function of a lane");
  }
}

template Variable<float> axis_activation(const Variable<float>&, Act, long);
template Variable<double> axis_activation(const Variable<double>&, Act, long);

}  // namespace xgrad
