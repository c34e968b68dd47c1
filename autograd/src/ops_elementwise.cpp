// sqrt, abs, clamp, maximum, minimum: each forward with its backward.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include <xtensor/xbroadcast.hpp>

#include "xgrad/autograd/ops.hpp"
#include "xgrad/core/format.hpp"

namespace xgrad {

using detail::accumulate_grad_each;
using detail::accumulate_grad_reduced;
using detail::accumulate_grad_graph;
using detail::incoming_grad_graph;
using detail::input_variable;

namespace {
/// A constant (no gradient) of x's shape with elements f(x_i): the masks of the graph rules.
template <class T, class F>
Variable<T> constant_map(const Tensor<T>& x, F&& f) {
  Tensor<T> out = Tensor<T>::from_shape(x.shape());
  for (std::size_t i = 0, n = x.size(); i < n; ++i) out.data()[i] = f(x.data()[i]);
  return Variable<T>(std::move(out));
}
}  // namespace

template <class T>
Variable<T> sqrt(const Variable<T>& a) {
  Tensor<T> out = Tensor<T>::from_shape(a.value().shape());
  const T* x = a.value().data();
  T* y = out.data();
  for (std::size_t i = 0, n = a.size(); i < n; ++i) y[i] = std::sqrt(x[i]);
  return Variable<T>::make_result(std::move(out), "sqrt", {a}, [](Node<T>& self) {
    const T* g = self.incoming_grad().data();
    const T* y = self.value.data();
    accumulate_grad_each(*self.inputs[0], [g, y](std::size_t i) { return g[i] / (T(2) * y[i]); });
  }, [](Node<T>& self) {
    accumulate_grad_graph(*self.inputs[0], incoming_grad_graph(self) / (sqrt(input_variable(self, 0)) * T(2)));
  });
}

template <class T>
Variable<T> abs(const Variable<T>& a) {
  Tensor<T> out = Tensor<T>::from_shape(a.value().shape());
  const T* x = a.value().data();
  T* y = out.data();
  for (std::size_t i = 0, n = a.size(); i < n; ++i) y[i] = std::fabs(x[i]);
  return Variable<T>::make_result(std::move(out), "abs", {a}, [](Node<T>& self) {
    const T* g = self.incoming_grad().data();
    const T* x = self.inputs[0]->value.data();
    accumulate_grad_each(*self.inputs[0], [g, x](std::size_t i) {
      return x[i] > T(0) ? g[i] : (x[i] < T(0) ? -g[i] : T(0));
    });
  }, [](Node<T>& self) {  // the sign is locally constant: its derivative is 0 (as PyTorch)
    const Variable<T> sign = constant_map(self.inputs[0]->value, [](T x) { return x > T(0) ? T(1) : (x < T(0) ? T(-1) : T(0)); });
    accumulate_grad_graph(*self.inputs[0], incoming_grad_graph(self) * sign);
  });
}

template <class T>
Variable<T> clamp(const Variable<T>& a, double min, double max) {
  if (std::isnan(min) || std::isnan(max) || min > max)
    throw std::invalid_argument("clamp: min (" + number_to_string(min) + ") and max (" + number_to_string(max) +
                                ") must be numbers with min <= max");
  const T lo = static_cast<T>(min), hi = static_cast<T>(max);
  Tensor<T> out = Tensor<T>::from_shape(a.value().shape());
  const T* x = a.value().data();
  T* y = out.data();
  // x first: std::max / std::min return their first argument for a NaN x, which propagates it.
  for (std::size_t i = 0, n = a.size(); i < n; ++i) y[i] = std::min(std::max(x[i], lo), hi);
  return Variable<T>::make_result(std::move(out), "clamp", {a}, [lo, hi](Node<T>& self) {
    const T* g = self.incoming_grad().data();
    const T* x = self.inputs[0]->value.data();
    accumulate_grad_each(*self.inputs[0], [g, x, lo, hi](std::size_t i) {
      return x[i] >= lo && x[i] <= hi ? g[i] : T(0);
    });
  }, [lo, hi](Node<T>& self) {
    const Variable<T> mask = constant_map(self.inputs[0]->value, [lo, hi](T x) { return x >= lo && x <= hi ? T(1) : T(0); });
    accumulate_grad_graph(*self.inputs[0], incoming_grad_graph(self) * mask);
  });
}

namespace {

/// The share of the gradient that goes to x when `pick_max` (else the
/// minimum) chose between x and y: 1 if x won, 1/2 at a tie, 0 otherwise.
template <class T>
T share(T x, T y, bool pick_max) {
  if (x == y) return T(0.5);
  return (pick_max ? x > y : x < y) ? T(1) : T(0);
}

template <class T>
T pick(T x, T y, bool pick_max) {
  if (pick_max ? x > y : x < y) return x;
  if (pick_max ? y > x : y < x) return y;
  return x == y ? x : x + y;  // x + y is NaN: a NaN on either side propagates
}

template <class T>
Variable<T> extremum(const Variable<T>& a, const Variable<T>& b, bool pick_max) {
  const char* op = pick_max ? "maximum" : "minimum";
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), op);
  const bool same = a.shape() == b.shape();
  // Broadcast inputs are materialised once at the output's shape; the common
  // same-shape case reads them in place.
  const Tensor<T> ab = same ? Tensor<T>() : Tensor<T>(xt::broadcast(a.value(), shape));
  const Tensor<T> bb = same ? Tensor<T>() : Tensor<T>(xt::broadcast(b.value(), shape));
  const T* x = same ? a.value().data() : ab.data();
  const T* y = same ? b.value().data() : bb.data();
  Tensor<T> out = Tensor<T>::from_shape(shape);
  T* o = out.data();
  for (std::size_t i = 0, n = out.size(); i < n; ++i) o[i] = pick(x[i], y[i], pick_max);
  return Variable<T>::make_result(std::move(out), op, {a, b}, [pick_max, same, ab, bb](Node<T>& self) {
    Node<T>& lhs = *self.inputs[0];
    Node<T>& rhs = *self.inputs[1];
    const T* g = self.incoming_grad().data();
    const T* x = same ? lhs.value.data() : ab.data();
    const T* y = same ? rhs.value.data() : bb.data();
    if (same) {
      accumulate_grad_each(lhs, [=](std::size_t i) { return g[i] * share(x[i], y[i], pick_max); });
      accumulate_grad_each(rhs, [=](std::size_t i) { return g[i] * share(y[i], x[i], pick_max); });
      return;
    }
    const std::size_t n = self.value.size();
    for (int side = 0; side < 2; ++side) {
      Node<T>& target = side == 0 ? lhs : rhs;
      if (!target.requires_grad) continue;
      Tensor<T> full = Tensor<T>::from_shape(self.value.shape());
      T* f = full.data();
      for (std::size_t i = 0; i < n; ++i) f[i] = g[i] * (side == 0 ? share(x[i], y[i], pick_max) : share(y[i], x[i], pick_max));
      accumulate_grad_reduced(target, full);
    }
  }, [pick_max, same, ab, bb](Node<T>& self) {
    const Tensor<T>& x = same ? self.inputs[0]->value : ab;
    const Tensor<T>& y = same ? self.inputs[1]->value : bb;
    for (int side = 0; side < 2; ++side) {
      Node<T>& target = *self.inputs[side];
      if (!target.requires_grad) continue;
      Tensor<T> shares = Tensor<T>::from_shape(self.value.shape());
      for (std::size_t i = 0, n = shares.size(); i < n; ++i)
        shares.data()[i] = side == 0 ? share(x.data()[i], y.data()[i], pick_max) : share(y.data()[i], x.data()[i], pick_max);
      accumulate_grad_graph(target, incoming_grad_graph(self) * Variable<T>(std::move(shares)));
    }
  });
}

}  // namespace

template <class T>
Variable<T> maximum(const Variable<T>& a, const Variable<T>& b) { return extremum(a, b, true); }

template <class T>
Variable<T> minimum(const Variable<T>& a, const Variable<T>& b) { return extremum(a, b, false); }

#define XGRAD_INSTANTIATE(T)                                                  \
  template Variable<T> sqrt(const Variable<T>&);                              \
  template Variable<T> abs(const Variable<T>&);                               \
  template Variable<T> clamp(const Variable<T>&, double, double);             \
  template Variable<T> maximum(const Variable<T>&, const Variable<T>&);       \
  template Variable<T> minimum(const Variable<T>&, const Variable<T>&);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
