// broadcast_to and sum_to_size: each other's backward, and what the
// differentiable rules of broadcasting ops reduce their gradients with.
#include <stdexcept>

#include <xtensor/xbroadcast.hpp>

#include "xgrad/autograd/ops.hpp"

namespace xgrad {

using detail::accumulate_grad;
using detail::accumulate_grad_graph;
using detail::accumulate_grad_reduced;
using detail::incoming_grad_graph;

template <class T>
Variable<T> broadcast_to(const Variable<T>& a, const Shape& shape) {
  if (broadcast_shapes(a.shape(), shape, "broadcast_to") != shape)
    throw std::invalid_argument("broadcast_to: shape " + shape_to_string(a.shape()) + " cannot be broadcast to " +
                                shape_to_string(shape));
  Tensor<T> out = xt::broadcast(a.value(), shape);
  return Variable<T>::make_result(std::move(out), "broadcast_to", {a}, [](Node<T>& self) {
    accumulate_grad_reduced(*self.inputs[0], self.incoming_grad());
  }, [](Node<T>& self) { accumulate_grad_graph(*self.inputs[0], incoming_grad_graph(self)); });
}

template <class T>
Variable<T> sum_to_size(const Variable<T>& a, const Shape& shape) {
  if (broadcast_shapes(shape, a.shape(), "sum_to_size") != a.shape())
    throw std::invalid_argument("sum_to_size: shape " + shape_to_string(a.shape()) + " cannot be summed to " +
                                shape_to_string(shape) + " (it must broadcast to the input's shape)");
  Tensor<T> out = sum_to_shape(a.value(), shape);
  return Variable<T>::make_result(std::move(out), "sum_to_size", {a}, [](Node<T>& self) {
    Node<T>& in = *self.inputs[0];
    if (in.requires_grad) accumulate_grad(in, Tensor<T>(xt::broadcast(self.incoming_grad(), in.value.shape())));
  }, [](Node<T>& self) {
    Node<T>& in = *self.inputs[0];
    accumulate_grad_graph(in, broadcast_to(incoming_grad_graph(self), to_shape(in.value.shape())));
  });
}

#define XGRAD_INSTANTIATE(T)                                              \
  template Variable<T> broadcast_to(const Variable<T>&, const Shape&);   \
  template Variable<T> sum_to_size(const Variable<T>&, const Shape&);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
