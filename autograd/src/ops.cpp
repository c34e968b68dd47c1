#include "xgrad/autograd/ops.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include <xtensor/xbroadcast.hpp>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xreducer.hpp>

#include "xgrad/core/blas.hpp"

namespace xgrad {

using detail::accumulate_grad;
using detail::accumulate_grad_each;
using detail::accumulate_grad_reduced;
using detail::accumulate_grad_graph;
using detail::incoming_grad_graph;
using detail::input_variable;

namespace {

/// Same-shape inputs take a plain loop; others broadcast (after a check that
/// names both shapes).
template <class T, class F, class E>
Tensor<T> elementwise(const Tensor<T>& a, const Tensor<T>& b, const char* what, F&& scalar_op,
                      E&& broadcast_op) {
  if (a.shape() == b.shape()) {
    Tensor<T> out = Tensor<T>::from_shape(a.shape());
    const T* pa = a.data();
    const T* pb = b.data();
    T* po = out.data();
    const std::size_t n = a.size();
    for (std::size_t i = 0; i < n; ++i) po[i] = scalar_op(pa[i], pb[i]);
    return out;
  }
  broadcast_shapes(to_shape(a.shape()), to_shape(b.shape()), what);
  return broadcast_op(a, b);
}

}  // namespace

template <class T>
Variable<T> add(const Variable<T>& a, const Variable<T>& b) {
  Tensor<T> out = elementwise(a.value(), b.value(), "add", [](T x, T y) { return x + y; },
                              [](const Tensor<T>& x, const Tensor<T>& y) -> Tensor<T> { return x + y; });
  return Variable<T>::make_result(std::move(out), "add", {a, b}, [](Node<T>& self) {
    accumulate_grad_reduced(*self.inputs[0], self.incoming_grad());
    accumulate_grad_reduced(*self.inputs[1], self.incoming_grad());
  }, [](Node<T>& self) {
    accumulate_grad_graph(*self.inputs[0], incoming_grad_graph(self));
    accumulate_grad_graph(*self.inputs[1], incoming_grad_graph(self));
  });
}

template <class T>
Variable<T> sub(const Variable<T>& a, const Variable<T>& b) {
  Tensor<T> out = elementwise(a.value(), b.value(), "sub", [](T x, T y) { return x - y; },
                              [](const Tensor<T>& x, const Tensor<T>& y) -> Tensor<T> { return x - y; });
  return Variable<T>::make_result(std::move(out), "sub", {a, b}, [](Node<T>& self) {
    accumulate_grad_reduced(*self.inputs[0], self.incoming_grad());
    Node<T>& rhs = *self.inputs[1];
    if (!rhs.requires_grad) return;
    if (rhs.value.shape() == self.incoming_grad().shape()) {
      const T* g = self.incoming_grad().data();
      accumulate_grad_each(rhs, [g](std::size_t i) { return -g[i]; });
    } else {
      accumulate_grad_reduced(rhs, Tensor<T>(-self.incoming_grad()));
    }
  }, [](Node<T>& self) {
    accumulate_grad_graph(*self.inputs[0], incoming_grad_graph(self));
    if (self.inputs[1]->requires_grad) accumulate_grad_graph(*self.inputs[1], neg(incoming_grad_graph(self)));
  });
}

template <class T>
Variable<T> mul(const Variable<T>& a, const Variable<T>& b) {
  Tensor<T> out = elementwise(a.value(), b.value(), "mul", [](T x, T y) { return x * y; },
                              [](const Tensor<T>& x, const Tensor<T>& y) -> Tensor<T> { return x * y; });
  return Variable<T>::make_result(std::move(out), "mul", {a, b}, [](Node<T>& self) {
    Node<T>& lhs = *self.inputs[0];
    Node<T>& rhs = *self.inputs[1];
    const bool same = lhs.value.shape() == rhs.value.shape();
    const T* g = self.incoming_grad().data();
    if (same) {
      const T* pa = lhs.value.data();
      const T* pb = rhs.value.data();
      accumulate_grad_each(lhs, [g, pb](std::size_t i) { return g[i] * pb[i]; });
      accumulate_grad_each(rhs, [g, pa](std::size_t i) { return g[i] * pa[i]; });
      return;
    }
    if (lhs.requires_grad) accumulate_grad_reduced(lhs, Tensor<T>(self.incoming_grad() * rhs.value));
    if (rhs.requires_grad) accumulate_grad_reduced(rhs, Tensor<T>(self.incoming_grad() * lhs.value));
  }, [](Node<T>& self) {
    const Variable<T> g = incoming_grad_graph(self);
    if (self.inputs[0]->requires_grad) accumulate_grad_graph(*self.inputs[0], g * input_variable(self, 1));
    if (self.inputs[1]->requires_grad) accumulate_grad_graph(*self.inputs[1], g * input_variable(self, 0));
  });
}

template <class T>
Variable<T> div(const Variable<T>& a, const Variable<T>& b) {
  Tensor<T> out = elementwise(a.value(), b.value(), "div", [](T x, T y) { return x / y; },
                              [](const Tensor<T>& x, const Tensor<T>& y) -> Tensor<T> { return x / y; });
  // d(a/b)/da = 1/b, d(a/b)/db = -a/b^2 = -out/b
  return Variable<T>::make_result(std::move(out), "div", {a, b}, [](Node<T>& self) {
    Node<T>& lhs = *self.inputs[0];
    Node<T>& rhs = *self.inputs[1];
    if (lhs.value.shape() == rhs.value.shape()) {
      const T* g = self.incoming_grad().data();
      const T* pb = rhs.value.data();
      const T* po = self.value.data();
      accumulate_grad_each(lhs, [g, pb](std::size_t i) { return g[i] / pb[i]; });
      accumulate_grad_each(rhs, [g, pb, po](std::size_t i) { return -g[i] * po[i] / pb[i]; });
      return;
    }
    if (lhs.requires_grad) accumulate_grad_reduced(lhs, Tensor<T>(self.incoming_grad() / rhs.value));
    if (rhs.requires_grad) accumulate_grad_reduced(rhs, Tensor<T>(-self.incoming_grad() * self.value / rhs.value));
  }, [](Node<T>& self) {
    const Variable<T> g = incoming_grad_graph(self), b = input_variable(self, 1);
    if (self.inputs[0]->requires_grad) accumulate_grad_graph(*self.inputs[0], g / b);
    if (self.inputs[1]->requires_grad) accumulate_grad_graph(*self.inputs[1], neg(g * input_variable(self, 0) / (b * b)));
  });
}

template <class T>
Variable<T> neg(const Variable<T>& a) {
  Tensor<T> out = -a.value();
  return Variable<T>::make_result(std::move(out), "neg", {a}, [](Node<T>& self) {
    const T* g = self.incoming_grad().data();
    accumulate_grad_each(*self.inputs[0], [g](std::size_t i) { return -g[i]; });
  }, [](Node<T>& self) { accumulate_grad_graph(*self.inputs[0], neg(incoming_grad_graph(self))); });
}

namespace {
struct MatmulDims {
  std::size_t m, k, n;
  Shape out;
};

MatmulDims matmul_dims(const Shape& a, const Shape& b) {
  auto fail = [&](const std::string& why) {
    throw std::invalid_argument("matmul: shapes " + shape_to_string(a) + " and " + shape_to_string(b) +
                                " " + why);
  };
  if (a.empty() || b.empty() || a.size() > 2 || b.size() > 2) fail("must be 1-D or 2-D");
  const std::size_t m = a.size() == 2 ? a[0] : 1, ka = a.back();
  const std::size_t kb = b[0], n = b.size() == 2 ? b[1] : 1;
  if (ka != kb) fail("are not aligned (" + std::to_string(ka) + " != " + std::to_string(kb) + ")");
  Shape out;
  if (a.size() == 2) out.push_back(m);
  if (b.size() == 2) out.push_back(n);
  return {m, ka, n, out};
}
}  // namespace

template <class T>
Variable<T> matmul(const Variable<T>& a, const Variable<T>& b) {
  const MatmulDims d = matmul_dims(a.shape(), b.shape());
  Tensor<T> out = Tensor<T>::from_shape(d.out);
  if (d.m * d.n > 0) {
    if (d.k == 0) out.fill(T(0));
    else blas::gemm<T>(false, false, d.m, d.n, d.k, T(1), a.value().data(), d.k, b.value().data(), d.n,
                       T(0), out.data(), d.n);
  }
  return Variable<T>::make_result(std::move(out), "matmul", {a, b}, [d](Node<T>& self) {
    Node<T>& lhs = *self.inputs[0];
    Node<T>& rhs = *self.inputs[1];
    const T* g = self.incoming_grad().data();
    bool add_into = false;
    if (lhs.requires_grad && lhs.value.size() > 0) {  // dA += G B^T
      T* ga = detail::grad_buffer(lhs, add_into);
      if (d.n == 0) { if (!add_into) std::fill(ga, ga + lhs.value.size(), T(0)); }
      else blas::gemm<T>(false, true, d.m, d.k, d.n, T(1), g, d.n, rhs.value.data(), d.n,
                         add_into ? T(1) : T(0), ga, d.k);
    }
    if (rhs.requires_grad && rhs.value.size() > 0) {  // dB += A^T G
      T* gb = detail::grad_buffer(rhs, add_into);
      if (d.m == 0) { if (!add_into) std::fill(gb, gb + rhs.value.size(), T(0)); }
      else blas::gemm<T>(true, false, d.k, d.n, d.m, T(1), lhs.value.data(), d.k, g, d.n,
                         add_into ? T(1) : T(0), gb, d.n);
    }
  }, [d](Node<T>& self) {  // the 1-D cases as [1, k] and [k, 1]
    const Variable<T> g = reshape(incoming_grad_graph(self), {d.m, d.n});
    Node<T>& lhs = *self.inputs[0];
    Node<T>& rhs = *self.inputs[1];
    if (lhs.requires_grad)
      accumulate_grad_graph(lhs, reshape(matmul(g, transpose(reshape(input_variable(self, 1), {d.k, d.n}))),
                                         to_shape(lhs.value.shape())));
    if (rhs.requires_grad)
      accumulate_grad_graph(rhs, reshape(matmul(transpose(reshape(input_variable(self, 0), {d.m, d.k})), g),
                                         to_shape(rhs.value.shape())));
  });
}

template <class T>
Variable<T> linear(const Variable<T>& x, const Variable<T>& weight, const Variable<T>* bias) {
  const Shape xs = x.shape(), ws = weight.shape();
  if (xs.size() != 2 || ws.size() != 2 || xs[1] != ws[0])
    throw std::invalid_argument("linear: input of shape " + shape_to_string(xs) +
                                " does not fit a weight of shape " + shape_to_string(ws) +
                                " (expected [batch, " + (ws.empty() ? std::string("?") : std::to_string(ws[0])) + "])");
  const std::size_t batch = xs[0], in = ws[0], out_features = ws[1];
  if (bias && (bias->dim() != 1 || bias->size() != out_features))
    throw std::invalid_argument("linear: bias of shape " + shape_to_string(bias->shape()) +
                                " does not fit a weight of shape " + shape_to_string(ws));
  Tensor<T> out = Tensor<T>::from_shape({batch, out_features});
  T* po = out.data();
  if (bias) {  // start from the bias rows and let gemm add x W (beta = 1)
    const T* b = bias->value().data();
    for (std::size_t r = 0; r < batch; ++r) std::copy(b, b + out_features, po + r * out_features);
  }
  if (batch * out_features > 0) {
    if (in == 0) { if (!bias) out.fill(T(0)); }
    else blas::gemm<T>(false, false, batch, out_features, in, T(1), x.value().data(), in,
                       weight.value().data(), out_features, bias ? T(1) : T(0), po, out_features);
  }
  std::vector<Variable<T>> inputs{x, weight};
  if (bias) inputs.push_back(*bias);
  return Variable<T>::make_result(std::move(out), "linear", std::move(inputs), [batch, in, out_features](Node<T>& self) {
    Node<T>& xn = *self.inputs[0];
    Node<T>& wn = *self.inputs[1];
    const T* g = self.incoming_grad().data();
    bool add_into = false;
    if (xn.requires_grad && batch * in > 0) {  // dx += g W^T
      T* gx = detail::grad_buffer(xn, add_into);
      blas::gemm<T>(false, true, batch, in, out_features, T(1), g, out_features, wn.value.data(),
                    out_features, add_into ? T(1) : T(0), gx, in);
    }
    if (wn.requires_grad && in * out_features > 0) {  // dW += x^T g
      T* gw = detail::grad_buffer(wn, add_into);
      blas::gemm<T>(true, false, in, out_features, batch, T(1), xn.value.data(), in, g, out_features,
                    add_into ? T(1) : T(0), gw, out_features);
    }
    if (self.inputs.size() > 2 && self.inputs[2]->requires_grad) {  // db += column sums of g
      Node<T>& bn = *self.inputs[2];
      T* gb = detail::grad_buffer(bn, add_into);
      sum_rows(g, batch, out_features, gb, add_into);
    }
  }, [](Node<T>& self) {
    const Variable<T> g = incoming_grad_graph(self);
    if (self.inputs[0]->requires_grad) accumulate_grad_graph(*self.inputs[0], matmul(g, transpose(input_variable(self, 1))));
    if (self.inputs[1]->requires_grad) accumulate_grad_graph(*self.inputs[1], matmul(transpose(input_variable(self, 0)), g));
    if (self.inputs.size() > 2 && self.inputs[2]->requires_grad) accumulate_grad_graph(*self.inputs[2], sum(g, 0));
  });
}

template <class T>
Variable<T> transpose(const Variable<T>& a) {
  Tensor<T> out = xt::transpose(a.value());
  return Variable<T>::make_result(std::move(out), "transpose", {a}, [](Node<T>& self) {
    Node<T>& in = *self.inputs[0];
    if (in.requires_grad) accumulate_grad(in, Tensor<T>(xt::transpose(self.incoming_grad())));
  }, [](Node<T>& self) { accumulate_grad_graph(*self.inputs[0], transpose(incoming_grad_graph(self))); });
}

template <class T>
Variable<T> reshape(const Variable<T>& a, const Shape& shape) {
  if (element_count(shape) != a.size())
    throw std::invalid_argument("reshape: cannot reshape " + shape_to_string(a.shape()) + " (" +
                                std::to_string(a.size()) + " elements) to " + shape_to_string(shape));
  Tensor<T> out = a.value();
  out.reshape(shape);
  return Variable<T>::make_result(std::move(out), "reshape", {a}, [](Node<T>& self) {
    const T* g = self.incoming_grad().data();
    accumulate_grad_each(*self.inputs[0], [g](std::size_t i) { return g[i]; });
  }, [](Node<T>& self) {
    accumulate_grad_graph(*self.inputs[0], reshape(incoming_grad_graph(self), to_shape(self.inputs[0]->value.shape())));
  });
}

template <class T>
Variable<T> sum(const Variable<T>& a) {
  const T* p = a.value().data();
  double total = 0;  // float sums accumulate in double
  for (std::size_t i = 0, n = a.size(); i < n; ++i) total += p[i];
  return Variable<T>::make_result(Tensor<T>(static_cast<T>(total)), "sum", {a}, [](Node<T>& self) {
    const T g = self.incoming_grad().data()[0];
    accumulate_grad_each(*self.inputs[0], [g](std::size_t) { return g; });
  }, [](Node<T>& self) {
    Node<T>& in = *self.inputs[0];
    accumulate_grad_graph(in, broadcast_to(incoming_grad_graph(self), to_shape(in.value.shape())));
  });
}

namespace {
/// The gradient of a reduction along `axis`: g (reduced shape) broadcast back to `input`.
template <class T>
Tensor<T> expand_along(const Tensor<T>& g, const Shape& input, std::size_t axis, T scale) {
  Shape kept = input;
  kept[axis] = 1;
  Tensor<T> gk = g;
  gk.reshape(kept);
  return xt::broadcast(gk * scale, input);
}
}  // namespace

template <class T>
Variable<T> sum(const Variable<T>& a, long axis, bool keepdims) {
  const std::size_t ax = normalize_axis(axis, a.dim(), "sum");
  Tensor<T> out = xt::sum(a.value(), {ax}, xt::evaluation_strategy::immediate);
  if (keepdims) {
    Shape kept = a.shape();
    kept[ax] = 1;
    out.reshape(kept);
  }
  return Variable<T>::make_result(std::move(out), "sum", {a}, [ax](Node<T>& self) {
    Node<T>& in = *self.inputs[0];
    if (in.requires_grad) accumulate_grad(in, expand_along(self.incoming_grad(), to_shape(in.value.shape()), ax, T(1)));
  }, [ax](Node<T>& self) {
    Node<T>& in = *self.inputs[0];
    Shape kept = to_shape(in.value.shape());
    kept[ax] = 1;
    accumulate_grad_graph(in, broadcast_to(reshape(incoming_grad_graph(self), kept), to_shape(in.value.shape())));
  });
}

template <class T>
Variable<T> mean(const Variable<T>& a) {
  if (a.size() == 0) throw std::invalid_argument("mean: the input is empty (shape " + shape_to_string(a.shape()) + ")");
  const T scale = T(1) / static_cast<T>(a.size());
  return sum(a) * scale;
}

template <class T>
Variable<T> mean(const Variable<T>& a, long axis, bool keepdims) {
  const std::size_t ax = normalize_axis(axis, a.dim(), "mean");
  if (a.shape()[ax] == 0) throw std::invalid_argument("mean: axis " + std::to_string(axis) + " of shape " + shape_to_string(a.shape()) + " is empty");
  return sum(a, axis, keepdims) * (T(1) / static_cast<T>(a.shape()[ax]));
}

template <class T>
Variable<T> exp(const Variable<T>& a) {
  Tensor<T> out = xt::exp(a.value());
  return Variable<T>::make_result(std::move(out), "exp", {a}, [](Node<T>& self) {
    const T* g = self.incoming_grad().data();
    const T* y = self.value.data();
    accumulate_grad_each(*self.inputs[0], [g, y](std::size_t i) { return g[i] * y[i]; });
  }, [](Node<T>& self) {
    accumulate_grad_graph(*self.inputs[0], incoming_grad_graph(self) * exp(input_variable(self, 0)));
  });
}

template <class T>
Variable<T> log(const Variable<T>& a) {
  Tensor<T> out = xt::log(a.value());
  return Variable<T>::make_result(std::move(out), "log", {a}, [](Node<T>& self) {
    const T* g = self.incoming_grad().data();
    const T* x = self.inputs[0]->value.data();
    accumulate_grad_each(*self.inputs[0], [g, x](std::size_t i) { return g[i] / x[i]; });
  }, [](Node<T>& self) {
    accumulate_grad_graph(*self.inputs[0], incoming_grad_graph(self) / input_variable(self, 0));
  });
}

template <class T>
Variable<T> pow(const Variable<T>& a, double exponent) {
  Tensor<T> out = xt::pow(a.value(), static_cast<T>(exponent));
  return Variable<T>::make_result(std::move(out), "pow", {a}, [exponent](Node<T>& self) {
    const T* g = self.incoming_grad().data();
    const T* x = self.inputs[0]->value.data();
    const T p = static_cast<T>(exponent);
    accumulate_grad_each(*self.inputs[0], [g, x, p](std::size_t i) {
      return p == T(0) ? T(0) : g[i] * p * std::pow(x[i], p - T(1));
    });
  }, [exponent](Node<T>& self) {
    const Variable<T> g = incoming_grad_graph(self);
    const T p = static_cast<T>(exponent);
    if (p == T(0)) return accumulate_grad_graph(*self.inputs[0], g * T(0));
    accumulate_grad_graph(*self.inputs[0], g * (pow(input_variable(self, 0), exponent - 1) * p));
  });
}

#define XGRAD_INSTANTIATE(T)                                                   \
  template Variable<T> add(const Variable<T>&, const Variable<T>&);            \
  template Variable<T> sub(const Variable<T>&, const Variable<T>&);            \
  template Variable<T> mul(const Variable<T>&, const Variable<T>&);            \
  template Variable<T> div(const Variable<T>&, const Variable<T>&);            \
  template Variable<T> neg(const Variable<T>&);                                \
  template Variable<T> matmul(const Variable<T>&, const Variable<T>&);         \
  template Variable<T> linear(const Variable<T>&, const Variable<T>&, const Variable<T>*); \
  template Variable<T> transpose(const Variable<T>&);                          \
  template Variable<T> reshape(const Variable<T>&, const Shape&);              \
  template Variable<T> sum(const Variable<T>&);                                \
  template Variable<T> sum(const Variable<T>&, long, bool);                    \
  template Variable<T> mean(const Variable<T>&);                               \
  template Variable<T> mean(const Variable<T>&, long, bool);                   \
  template Variable<T> exp(const Variable<T>&);                                \
  template Variable<T> log(const Variable<T>&);                                \
  template Variable<T> pow(const Variable<T>&, double);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
