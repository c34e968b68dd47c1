// concat, slice, index_select: each forward with its backward. All three see
// a row-major tensor as [outer, axis, inner] and move contiguous runs of `inner`.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "xgrad/autograd/ops.hpp"

#include <xtensor/xbuilder.hpp>

namespace xgrad {

using detail::accumulate_grad_each;
using detail::accumulate_grad_graph;
using detail::incoming_grad_graph;

namespace detail {
template <class T>
Variable<T> index_add(const Variable<T>& g, long axis, const std::vector<std::int64_t>& indices, const Shape& shape);
}  // namespace detail

namespace {

struct Lanes {
  std::size_t outer = 1, length = 0, inner = 1;
};

Lanes lanes(const Shape& shape, std::size_t axis) {
  Lanes l;
  for (std::size_t d = 0; d < axis; ++d) l.outer *= shape[d];
  l.length = shape[axis];
  for (std::size_t d = axis + 1; d < shape.size(); ++d) l.inner *= shape[d];
  return l;
}

/// grad(n) += g at the positions `source` names (run r of n's [outer, length,
/// inner] view reads run source(r) of the gradient's, whose axis is g_length long).
template <class T, class Source>
void accumulate_runs(Node<T>& n, const T* g, const Lanes& l, std::size_t g_length, Source&& source) {
  if (!n.requires_grad) return;
  const std::size_t inner = l.inner;
  accumulate_grad_each(n, [&](std::size_t i) {
    const std::size_t run = i / inner, within = i % inner;
    const std::size_t o = run / l.length, k = run % l.length;
    return g[(o * g_length + source(k)) * inner + within];
  });
}

}  // namespace

template <class T>
Variable<T> concat(const std::vector<Variable<T>>& inputs, long axis) {
  if (inputs.empty()) throw std::invalid_argument("concat: no tensors to join");
  const Shape first = inputs[0].shape();
  if (first.empty()) throw std::invalid_argument("concat: 0-d tensors have no axis to join along");
  const std::size_t ax = normalize_axis(axis, first.size(), "concat");
  Shape out_shape = first;
  out_shape[ax] = 0;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    Shape s = inputs[k].shape();
    Shape a = s, b = first;
    if (s.size() == first.size()) a[ax] = b[ax] = 0;
    if (a != b)
      throw std::invalid_argument("concat along axis " + std::to_string(axis) + ": tensor " + std::to_string(k) +
                                  " has shape " + shape_to_string(s) + ", which does not fit tensor 0's " +
                                  shape_to_string(first) + " (the other axes must agree)");
    out_shape[ax] += s[ax];
  }
  const Lanes ol = lanes(out_shape, ax);
  Tensor<T> out = Tensor<T>::from_shape(out_shape);
  std::vector<std::size_t> offsets;  // where each input starts along the axis
  std::size_t offset = 0;
  for (const auto& v : inputs) {
    offsets.push_back(offset);
    const Lanes l = lanes(v.shape(), ax);
    const T* src = v.value().data();
    const std::size_t run = l.length * l.inner;
    for (std::size_t o = 0; o < l.outer; ++o)
      std::copy(src + o * run, src + (o + 1) * run, out.data() + (o * ol.length + offset) * ol.inner);
    offset += l.length;
  }
  return Variable<T>::make_result(std::move(out), "concat", inputs, [ax, offsets](Node<T>& self) {
    const T* g = self.incoming_grad().data();
    const std::size_t total = self.value.shape()[ax];
    for (std::size_t k = 0; k < self.inputs.size(); ++k) {
      Node<T>& in = *self.inputs[k];
      const std::size_t start = offsets[k];
      accumulate_runs(in, g, lanes(to_shape(in.value.shape()), ax), total, [start](std::size_t i) { return start + i; });
    }
  }, [ax, offsets](Node<T>& self) {
    const Variable<T> g = incoming_grad_graph(self);
    for (std::size_t k = 0; k < self.inputs.size(); ++k) {
      Node<T>& in = *self.inputs[k];
      if (!in.requires_grad) continue;
      const long start = static_cast<long>(offsets[k]);
      accumulate_grad_graph(in, slice(g, static_cast<long>(ax), start, start + static_cast<long>(in.value.shape()[ax])));
    }
  });
}

template <class T>
Variable<T> slice(const Variable<T>& a, long axis, long start, long stop) {
  const Shape shape = a.shape();
  if (shape.empty()) throw std::invalid_argument("slice: a 0-d tensor has no axis to slice");
  const std::size_t ax = normalize_axis(axis, shape.size(), "slice");
  const long size = static_cast<long>(shape[ax]);
  const long b = start < 0 ? start + size : start, e = stop < 0 ? stop + size : stop;
  if (b < 0 || e > size || b > e)
    throw std::invalid_argument("slice: [" + std::to_string(start) + ", " + std::to_string(stop) + ") along axis " +
                                std::to_string(axis) + " does not fit shape " + shape_to_string(shape) +
                                " (need 0 <= start <= stop <= " + std::to_string(size) + ", negatives counting from the end)");
  const std::size_t begin = static_cast<std::size_t>(b);
  Shape out_shape = shape;
  out_shape[ax] = static_cast<std::size_t>(e - b);
  const Lanes in = lanes(shape, ax), ol = lanes(out_shape, ax);
  Tensor<T> out = Tensor<T>::from_shape(out_shape);
  const T* src = a.value().data();
  const std::size_t run = ol.length * ol.inner;
  for (std::size_t o = 0; o < ol.outer; ++o)
    std::copy(src + (o * in.length + begin) * in.inner, src + (o * in.length + begin) * in.inner + run,
              out.data() + o * run);
  return Variable<T>::make_result(std::move(out), "slice", {a}, [ax, begin](Node<T>& self) {
    Node<T>& input = *self.inputs[0];
    if (!input.requires_grad) return;
    const Lanes in = lanes(to_shape(input.value.shape()), ax);
    const std::size_t length = self.value.shape()[ax], end = begin + length;
    const T* g = self.incoming_grad().data();
    accumulate_grad_each(input, [&](std::size_t i) {
      const std::size_t run = i / in.inner, within = i % in.inner;
      const std::size_t o = run / in.length, k = run % in.length;
      return k >= begin && k < end ? g[(o * length + (k - begin)) * in.inner + within] : T(0);
    });
  }, [ax, begin](Node<T>& self) {  // g padded with zeros back to the input's length: a concat
    Node<T>& input = *self.inputs[0];
    Shape before = to_shape(input.value.shape()), after = before;
    const std::size_t length = self.value.shape()[ax];
    before[ax] = begin;
    after[ax] -= begin + length;
    accumulate_grad_graph(input, concat<T>({Variable<T>(Tensor<T>(xt::zeros<T>(before))), incoming_grad_graph(self),
                                            Variable<T>(Tensor<T>(xt::zeros<T>(after)))}, static_cast<long>(ax)));
  });
}

template <class T>
Variable<T> index_select(const Variable<T>& a, long axis, const std::vector<std::int64_t>& indices) {
  const Shape shape = a.shape();
  if (shape.empty()) throw std::invalid_argument("index_select: a 0-d tensor has no axis to index");
  const std::size_t ax = normalize_axis(axis, shape.size(), "index_select");
  for (std::size_t p = 0; p < indices.size(); ++p)
    if (indices[p] < 0 || static_cast<std::uint64_t>(indices[p]) >= shape[ax])
      throw std::invalid_argument("index_select: index " + std::to_string(indices[p]) + " (position " +
                                  std::to_string(p) + ") is out of range for axis " + std::to_string(axis) +
                                  " of size " + std::to_string(shape[ax]) + " (shape " + shape_to_string(shape) + ")");
  Shape out_shape = shape;
  out_shape[ax] = indices.size();
  const Lanes in = lanes(shape, ax);
  Tensor<T> out = Tensor<T>::from_shape(out_shape);
  const T* src = a.value().data();
  T* dst = out.data();
  for (std::size_t o = 0; o < in.outer; ++o)
    for (std::size_t p = 0; p < indices.size(); ++p) {
      const T* from = src + (o * in.length + static_cast<std::size_t>(indices[p])) * in.inner;
      std::copy(from, from + in.inner, dst + (o * indices.size() + p) * in.inner);
    }
  return Variable<T>::make_result(std::move(out), "index_select", {a}, [ax, indices](Node<T>& self) {
    Node<T>& input = *self.inputs[0];
    if (!input.requires_grad) return;
    // Scatter-add: repeated indices add up, unpicked entries get 0.
    const Lanes in = lanes(to_shape(input.value.shape()), ax);
    Tensor<T> full = Tensor<T>::from_shape(input.value.shape());
    full.fill(T(0));
    const T* g = self.incoming_grad().data();
    T* f = full.data();
    for (std::size_t o = 0; o < in.outer; ++o)
      for (std::size_t p = 0; p < indices.size(); ++p) {
        const T* from = g + (o * indices.size() + p) * in.inner;
        T* to = f + (o * in.length + static_cast<std::size_t>(indices[p])) * in.inner;
        for (std::size_t i = 0; i < in.inner; ++i) to[i] += from[i];
      }
    detail::accumulate_grad(input, full);
  }, [ax, indices](Node<T>& self) {
    Node<T>& input = *self.inputs[0];
    accumulate_grad_graph(input, detail::index_add(incoming_grad_graph(self), static_cast<long>(ax), indices,
                                                   to_shape(input.value.shape())));
  });
}

namespace detail {
/// The backward of index_select as an op: g scattered (added) into zeros of
/// `shape` at `indices` along `axis`; its own backward is index_select.
template <class T>
Variable<T> index_add(const Variable<T>& g, long axis, const std::vector<std::int64_t>& indices, const Shape& shape) {
  const std::size_t ax = static_cast<std::size_t>(axis);
  const Lanes in = lanes(shape, ax);
  Tensor<T> full = xt::zeros<T>(shape);
  const T* pg = g.value().data();
  T* f = full.data();
  for (std::size_t o = 0; o < in.outer; ++o)
    for (std::size_t p = 0; p < indices.size(); ++p) {
      const T* from = pg + (o * indices.size() + p) * in.inner;
      T* to = f + (o * in.length + static_cast<std::size_t>(indices[p])) * in.inner;
      for (std::size_t i = 0; i < in.inner; ++i) to[i] += from[i];
    }
  return Variable<T>::make_result(std::move(full), "index_add", {g}, [axis, indices](Node<T>& self) {
    Node<T>& gn = *self.inputs[0];
    if (gn.requires_grad) detail::accumulate_grad(gn, index_select(Variable<T>(Tensor<T>(self.incoming_grad())), axis, indices).value());
  }, [axis, indices](Node<T>& self) {
    accumulate_grad_graph(*self.inputs[0], index_select(incoming_grad_graph(self), axis, indices));
  });
}
}  // namespace detail

#define XGRAD_INSTANTIATE(T)                                                               \
  template Variable<T> concat(const std::vector<Variable<T>>&, long);                      \
  template Variable<T> slice(const Variable<T>&, long, long, long);                        \
  template Variable<T> index_select(const Variable<T>&, long, const std::vector<std::int64_t>&); \
  template Variable<T> detail::index_add(const Variable<T>&, long, const std::vector<std::int64_t>&, const Shape&);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
