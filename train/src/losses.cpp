#include "xgrad/train/losses.hpp"

#include <cmath>
#include <stdexcept>
#include <type_traits>

#include "xgrad/core/activations.hpp"
#include "xgrad/core/kernels.hpp"

namespace xgrad {

namespace {
template <class T>
void require_same_shape(const Variable<T>& a, const Variable<T>& b, const char* what) {
  if (a.shape() != b.shape())
    throw std::invalid_argument(std::string(what) + ": prediction of shape " + shape_to_string(a.shape()) +
                                " and target of shape " + shape_to_string(b.shape()) + " differ");
  if (a.size() == 0) throw std::invalid_argument(std::string(what) + ": empty batch");
}
}  // namespace

template <class T>
Variable<T> mse(const Variable<T>& prediction, const Variable<T>& target) {
  require_same_shape(prediction, target, "mse");
  const T* p = prediction.value().data();
  const T* t = target.value().data();
  const std::size_t n = prediction.size();
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) total += (double(p[i]) - t[i]) * (double(p[i]) - t[i]);
  return Variable<T>::make_result(Tensor<T>(static_cast<T>(total / n)), "mse", {prediction, target}, [n](Node<T>& self) {
    const T scale = self.incoming_grad().data()[0] * T(2) / static_cast<T>(n);
    Node<T>& pn = *self.inputs[0];
    Node<T>& tn = *self.inputs[1];
    const T* p = pn.value.data();
    const T* t = tn.value.data();
    detail::accumulate_grad_each(pn, [&](std::size_t i) { return scale * (p[i] - t[i]); });
    detail::accumulate_grad_each(tn, [&](std::size_t i) { return scale * (t[i] - p[i]); });
  });
}

template <class T>
Variable<T> binary_cross_entropy_with_logits(const Variable<T>& logits, const Variable<T>& target) {
  require_same_shape(logits, target, "binary_cross_entropy_with_logits");
  const T* x = logits.value().data();
  const T* t = target.value().data();
  const std::size_t n = logits.size();
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double xi = x[i];
    total += std::max(xi, 0.0) - xi * t[i] + std::log1p(std::exp(-std::fabs(xi)));
  }
  return Variable<T>::make_result(Tensor<T>(static_cast<T>(total / n)), "binary_cross_entropy_with_logits",
                                  {logits, target}, [n](Node<T>& self) {
    const double scale = double(self.incoming_grad().data()[0]) / n;
    Node<T>& xn = *self.inputs[0];
    Node<T>& tn = *self.inputs[1];
    const T* x = xn.value.data();
    const T* t = tn.value.data();
    detail::accumulate_grad_each(xn, [&](std::size_t i) { return static_cast<T>(scale * (math::sigmoid_of(double(x[i])) - t[i])); });
    detail::accumulate_grad_each(tn, [&](std::size_t i) { return static_cast<T>(-scale * x[i]); });
  });
}

template <class T>
Variable<T> cross_entropy(const Variable<T>& logits, const std::vector<std::int64_t>& labels) {
  const Shape shape = logits.shape();
  if (shape.size() != 2)
    throw std::invalid_argument("cross_entropy: logits must be [batch, classes], got " + shape_to_string(shape));
  const std::size_t batch = shape[0], classes = shape[1];
  if (labels.size() != batch)
    throw std::invalid_argument("cross_entropy: " + std::to_string(labels.size()) + " labels for a batch of " +
                                std::to_string(batch) + " (logits " + shape_to_string(shape) + ")");
  if (batch == 0) throw std::invalid_argument("cross_entropy: empty batch");
  for (std::size_t b = 0; b < batch; ++b)
    if (labels[b] < 0 || labels[b] >= static_cast<std::int64_t>(classes))
      throw std::invalid_argument("cross_entropy: label " + std::to_string(labels[b]) + " at row " +
                                  std::to_string(b) + " is out of range [0, " + std::to_string(classes) + ")");
  if constexpr (std::is_same_v<T, float>) {
    // The vectorised kernels: log-softmax rows forward; backward recomputes the
    // softmax of the logits (alive in the graph) into the gradient and subtracts the one-hot.
    Tensor<T> log_probs = Tensor<T>::from_shape(shape);
    kernels::log_softmax_rows(logits.value().data(), log_probs.data(), batch, classes);
    double total = 0;
    for (std::size_t b = 0; b < batch; ++b) total -= log_probs.data()[b * classes + static_cast<std::size_t>(labels[b])];
    return Variable<T>::make_result(Tensor<T>(static_cast<T>(total / batch)), "cross_entropy", {logits},
                                    [labels, batch, classes](Node<T>& self) {
      Node<T>& in = *self.inputs[0];
      if (!in.requires_grad) return;
      const T scale = self.incoming_grad().data()[0] / static_cast<T>(batch);
      bool add_into = false;
      T* dx = detail::grad_buffer(in, add_into);
      const std::size_t n = batch * classes;
      Tensor<T> scratch;
      T* p = dx;
      if (add_into) {
        scratch = Tensor<T>::from_shape({n});
        p = scratch.data();
      }
      kernels::softmax_rows(in.value.data(), p, batch, classes);
      for (std::size_t b = 0; b < batch; ++b) p[b * classes + static_cast<std::size_t>(labels[b])] -= T(1);
      if (add_into) for (std::size_t i = 0; i < n; ++i) dx[i] += scale * p[i];
      else for (std::size_t i = 0; i < n; ++i) dx[i] = scale * p[i];
    });
  }
  // log-softmax once; backward turns it into softmax - onehot.
  auto log_probs = std::make_shared<Tensor<T>>(Tensor<T>::from_shape(shape));
  math::log_softmax_lanes(logits.value().data(), log_probs->data(), shape, 1);
  double total = 0;
  for (std::size_t b = 0; b < batch; ++b) total -= (*log_probs)(b, static_cast<std::size_t>(labels[b]));
  return Variable<T>::make_result(Tensor<T>(static_cast<T>(total / batch)), "cross_entropy", {logits},
                                  [log_probs, labels, batch, classes](Node<T>& self) {
    const T scale = self.incoming_grad().data()[0] / static_cast<T>(batch);
    const T* lp = log_probs->data();
    detail::accumulate_grad_each(*self.inputs[0], [&](std::size_t i) {
      const std::size_t b = i / classes, c = i % classes;
      return scale * (std::exp(lp[i]) - (static_cast<std::int64_t>(c) == labels[b] ? T(1) : T(0)));
    });
  });
}

LossKind parse_loss(const std::string& name) {
  if (name == "cross_entropy") return LossKind::cross_entropy;
  if (name == "binary_cross_entropy_with_logits" || name == "bce_with_logits") return LossKind::binary_cross_entropy_with_logits;
  if (name == "mse") return LossKind::mse;
  throw std::invalid_argument("unknown loss '" + name + "' (known: cross_entropy, binary_cross_entropy_with_logits, mse)");
}

#define XGRAD_INSTANTIATE(T)                                                                       \
  template Variable<T> mse(const Variable<T>&, const Variable<T>&);                                \
  template Variable<T> binary_cross_entropy_with_logits(const Variable<T>&, const Variable<T>&);   \
  template Variable<T> cross_entropy(const Variable<T>&, const std::vector<std::int64_t>&);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
