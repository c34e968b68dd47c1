// The losses beyond mse, BCE with logits and cross-entropy: L1, smooth L1,
// Huber, BCE on probabilities, NLL, and cross-entropy with label smoothing.
#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>

#include "loss_detail.hpp"
#include "xgrad/core/activations.hpp"
#include "xgrad/core/format.hpp"
#include "xgrad/train/losses.hpp"

#include <xtensor/xbuilder.hpp>

namespace xgrad {

namespace {
double sign(double d) { return d > 0 ? 1.0 : d < 0 ? -1.0 : 0.0; }

void require_parameter(double value, const char* loss, const char* name) {
  if (!(std::isfinite(value) && value >= 0))
    throw std::invalid_argument(std::string(loss) + ": " + name + " must be a finite number >= 0, got " + number_to_string(value));
}
}  // namespace

using detail::elementwise_loss;

template <class T>
Variable<T> l1_loss(const Variable<T>& prediction, const Variable<T>& target, const std::vector<double>& sample_weight) {
  return elementwise_loss(prediction, target, "l1_loss", [](double d) { return std::fabs(d); }, sign,
                          [](double) { return 0.0; }, sample_weight);
}

template <class T>
Variable<T> smooth_l1_loss(const Variable<T>& prediction, const Variable<T>& target, double beta,
                           const std::vector<double>& sample_weight) {
  require_parameter(beta, "smooth_l1_loss", "beta");
  if (beta == 0) return l1_loss(prediction, target, sample_weight);  // PyTorch's rule for beta = 0
  return elementwise_loss(
      prediction, target, "smooth_l1_loss",
      [beta](double d) { return std::fabs(d) < beta ? 0.5 * d * d / beta : std::fabs(d) - 0.5 * beta; },
      [beta](double d) { return std::fabs(d) < beta ? d / beta : sign(d); },
      [beta](double d) { return std::fabs(d) < beta ? 1 / beta : 0.0; }, sample_weight);
}

template <class T>
Variable<T> huber_loss(const Variable<T>& prediction, const Variable<T>& target, double delta,
                       const std::vector<double>& sample_weight) {
  require_parameter(delta, "huber_loss", "delta");
  if (delta == 0) throw std::invalid_argument("huber_loss: delta must be > 0");
  return elementwise_loss(
      prediction, target, "huber_loss",
      [delta](double d) { return std::fabs(d) < delta ? 0.5 * d * d : delta * (std::fabs(d) - 0.5 * delta); },
      [delta](double d) { return std::fabs(d) < delta ? d : delta * sign(d); },
      [delta](double d) { return std::fabs(d) < delta ? 1.0 : 0.0; }, sample_weight);
}

template <class T>
Variable<T> binary_cross_entropy(const Variable<T>& probabilities, const Variable<T>& target,
                                 const std::vector<double>& sample_weight) {
  const char* name = "binary_cross_entropy";
  detail::require_matching_target(probabilities, target, name);
  detail::RowWeight w = detail::row_weight(probabilities, sample_weight, name);
  const T* p = probabilities.value().data();
  const T* t = target.value().data();
  const std::size_t n = probabilities.size();
  const std::size_t width = n / std::max<std::size_t>(probabilities.shape()[0], 1);
  for (std::size_t i = 0; i < n; ++i) {
    if (!(t[i] >= 0 && t[i] <= 1))
      throw std::invalid_argument(std::string(name) + ": target " + number_to_string(t[i]) + " at row " +
                                  std::to_string(i / width) + " is outside [0, 1]");
    if (!(p[i] >= 0 && p[i] <= 1))
      throw std::invalid_argument(std::string(name) + ": probability " + number_to_string(p[i]) + " at row " +
                                  std::to_string(i / width) + " is outside [0, 1] (for logits use binary_cross_entropy_with_logits)");
  }
  const double total = detail::chunked_sum(n, detail::kLossGrainMath, [&](std::size_t b, std::size_t e) {
    double s = 0;  // PyTorch clamps each log at -100, so p of 0 or 1 gives a finite loss.
    for (std::size_t i = b; i < e; ++i)
      s -= w(i) * (t[i] * std::max(std::log(double(p[i])), -100.0) +
                   (1 - double(t[i])) * std::max(std::log1p(-double(p[i])), -100.0));
    return s;
  });
  detail::RowWeight weights = w;
  return Variable<T>::make_result(Tensor<T>(static_cast<T>(total / n)), name, {probabilities, target},
                                  [n, w = std::move(w)](Node<T>& self) {
    const double scale = double(self.incoming_grad().data()[0]) / n;
    Node<T>& pn = *self.inputs[0];
    Node<T>& tn = *self.inputs[1];
    const T* p = pn.value.data();
    const T* t = tn.value.data();
    // PyTorch's gradient: (p - t) / max(p (1 - p), 1e-12).
    detail::accumulate_grad_parallel(pn, detail::kLossGrainCheap, [&](std::size_t i) {
      const double pi = p[i];
      return static_cast<T>(scale * w(i) * (pi - t[i]) / std::max(pi * (1 - pi), 1e-12));
    });
    detail::accumulate_grad_parallel(tn, detail::kLossGrainMath, [&](std::size_t i) {
      const double pi = p[i];
      return static_cast<T>(scale * w(i) * (std::max(std::log1p(-pi), -100.0) - std::max(std::log(pi), -100.0)));
    });
  }, [n, w = std::move(weights)](Node<T>& self) {
    const Variable<T> p = detail::input_variable(self, 0), t = detail::shaped_like(detail::input_variable(self, 1), *self.inputs[0]);
    Variable<T> scale = detail::incoming_grad_graph(self) * static_cast<T>(1.0 / n);
    if (!w.weight.empty()) scale = scale * detail::weight_constant(w, self.inputs[0]->value);
    if (self.inputs[0]->requires_grad)
      detail::accumulate_grad_graph(*self.inputs[0], (p - t) / maximum(p * (T(1) - p), constant(T(1e-12))) * scale);
    if (self.inputs[1]->requires_grad) {
      const Variable<T> floor = constant(T(-100));
      detail::accumulate_grad_graph(*self.inputs[1], detail::shaped_like((maximum(log(T(1) - p), floor) - maximum(log(p), floor)) * scale, *self.inputs[1]));
    }
  });
}

template <class T>
Variable<T> nll_loss(const Variable<T>& log_probs, const std::vector<std::int64_t>& labels,
                     const std::vector<double>& sample_weight) {
  const Shape shape = log_probs.shape();
  detail::require_class_labels(shape, labels, "nll_loss");
  detail::RowWeight w = detail::row_weight(log_probs, sample_weight, "nll_loss");
  const std::size_t batch = shape[0], classes = shape[1];
  const T* lp = log_probs.value().data();
  double total = 0;
  for (std::size_t b = 0; b < batch; ++b) total -= w(b * classes) * lp[b * classes + static_cast<std::size_t>(labels[b])];
  detail::RowWeight weights = w;
  return Variable<T>::make_result(Tensor<T>(static_cast<T>(total / batch)), "nll_loss", {log_probs},
                                  [labels, batch, classes, w = std::move(w)](Node<T>& self) {
    const double scale = double(self.incoming_grad().data()[0]) / batch;
    detail::accumulate_grad_each(*self.inputs[0], [&](std::size_t i) {
      return static_cast<std::int64_t>(i % classes) == labels[i / classes] ? static_cast<T>(-scale * w(i)) : T(0);
    });
  }, [labels, batch, classes, w = std::move(weights)](Node<T>& self) {  // a constant times g
    Tensor<T> picked = xt::zeros<T>(self.inputs[0]->value.shape());
    for (std::size_t b = 0; b < batch; ++b) {
      const std::size_t i = b * classes + static_cast<std::size_t>(labels[b]);
      picked.data()[i] = static_cast<T>(-w(i) / batch);
    }
    detail::accumulate_grad_graph(*self.inputs[0], Variable<T>(std::move(picked)) * detail::incoming_grad_graph(self));
  });
}

namespace detail {
template <class T>
Variable<T> general_cross_entropy(const Variable<T>& logits, const std::vector<std::int64_t>& labels, double smoothing,
                                  const std::vector<double>& sample_weight) {
  const Shape shape = logits.shape();
  RowWeight w = row_weight(logits, sample_weight, "cross_entropy");
  const std::size_t batch = shape[0], classes = shape[1];
  auto log_probs = std::make_shared<Tensor<T>>(Tensor<T>::from_shape(shape));
  log_softmax_rows_parallel(logits.value().data(), log_probs->data(), batch, classes);
  // q = (1 - s) onehot + s / C;  loss_b = -sum_c q_c log p_c.
  const double off = smoothing / classes, on = 1 - smoothing + off;
  const T* lp = log_probs->data();
  const double total = chunked_row_sum(batch, classes, kLossGrainCheap, [&](std::size_t b0, std::size_t b1) {
    double s = 0;
    for (std::size_t b = b0; b < b1; ++b)
      for (std::size_t c = 0; c < classes; ++c)
        s -= w(b * classes) * (static_cast<std::int64_t>(c) == labels[b] ? on : off) * double(lp[b * classes + c]);
    return s;
  });
  RowWeight weights = w;
  return Variable<T>::make_result(Tensor<T>(static_cast<T>(total / batch)), "cross_entropy", {logits},
                                  [log_probs, labels, batch, classes, on, off, w = std::move(w)](Node<T>& self) {
    const double scale = double(self.incoming_grad().data()[0]) / batch;
    const T* lp = log_probs->data();
    detail::accumulate_grad_parallel(*self.inputs[0], kLossGrainMath, [&](std::size_t i) {
      const double q = static_cast<std::int64_t>(i % classes) == labels[i / classes] ? on : off;
      return static_cast<T>(scale * w(i) * (std::exp(double(lp[i])) - q));
    });
  }, [labels, on, off, w = std::move(weights)](Node<T>& self) { cross_entropy_graph_backward(self, labels, on, off, w); });
}
}  // namespace detail

using W = std::vector<double>;
#define XGRAD_INSTANTIATE(T)                                                                                \
  template Variable<T> l1_loss(const Variable<T>&, const Variable<T>&, const W&);                          \
  template Variable<T> smooth_l1_loss(const Variable<T>&, const Variable<T>&, double, const W&);            \
  template Variable<T> huber_loss(const Variable<T>&, const Variable<T>&, double, const W&);                \
  template Variable<T> binary_cross_entropy(const Variable<T>&, const Variable<T>&, const W&);              \
  template Variable<T> nll_loss(const Variable<T>&, const std::vector<std::int64_t>&, const W&);            \
  template Variable<T> detail::general_cross_entropy(const Variable<T>&, const std::vector<std::int64_t>&, double, const W&);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
