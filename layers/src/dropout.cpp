#include "xgrad/layers/dropout.hpp"

#include <cmath>
#include <memory>
#include <stdexcept>

#include "xgrad/autograd/ops.hpp"
#include "xgrad/core/format.hpp"

namespace xgrad {

template <class T>
Dropout<T>::Dropout(double p, Generator& generator) : p_(p), generator_(&generator) {
  if (!(p >= 0 && p <= 1))
    throw std::invalid_argument("Dropout: p must be a probability in [0, 1], got " + number_to_string(p));
}

template <class T>
Variable<T> Dropout<T>::forward(const Variable<T>& x) {
  if (!this->is_training() || p_ == 0) return x;
  // The mask holds 0 or the scale 1 / (1 - p): forward and backward are one multiply each.
  const std::size_t n = x.size();
  Tensor<T> mask = Tensor<T>::from_shape(x.value().shape());
  T* m = mask.data();
  if (p_ == 1) {
    std::fill(m, m + n, T(0));
  } else {
    const T scale = static_cast<T>(1.0 / (1.0 - p_));
    for (std::size_t i = 0; i < n; ++i) m[i] = generator_->uniform01() < p_ ? T(0) : scale;
  }
  Tensor<T> out = Tensor<T>::from_shape(x.value().shape());
  const T* px = x.value().data();
  T* po = out.data();
  for (std::size_t i = 0; i < n; ++i) po[i] = px[i] * m[i];
  auto shared = std::make_shared<const Tensor<T>>(std::move(mask));
  return Variable<T>::make_result(std::move(out), "dropout", {x}, [shared](Node<T>& self) {
    const T* g = self.incoming_grad().data();
    const T* pm = shared->data();
    detail::accumulate_grad_each(*self.inputs[0], [g, pm](std::size_t i) { return g[i] * pm[i]; });
  }, [shared](Node<T>& self) {
    detail::accumulate_grad_graph(*self.inputs[0], detail::incoming_grad_graph(self) * Variable<T>(Tensor<T>(*shared)));
  });
}

template class Dropout<float>;
template class Dropout<double>;

}  // namespace xgrad
