#include "xgrad/train/losses.hpp"

#include <cmath>
#include <stdexcept>
#include <type_traits>

#include "xgrad/core/activations.hpp"
#include "xgrad/core/kernels.hpp"
#include "xgrad/core/parallel.hpp"
#include "xgrad/core/format.hpp"
#include "loss_detail.hpp"

namespace xgrad {

namespace detail {
template <class T>
void require_matching_target(const Variable<T>& a, const Variable<T>& b, const char* what) {
  const Shape& pa = a.shape();
  const Shape& pb = b.shape();
  // One output per row: [n] and [n, 1] are the same n values (Keras's rule; PyTorch would broadcast to [n, n]).
  const bool column_pair = (pa.size() == 2 && pb.size() == 1 && pa[1] == 1 && pa[0] == pb[0]) ||
                           (pa.size() == 1 && pb.size() == 2 && pb[1] == 1 && pa[0] == pb[0]);
  if (pa != pb && !column_pair)
    throw std::invalid_argument(std::string(what) + ": prediction of shape " + shape_to_string(pa) +
                                " and target of shape " + shape_to_string(pb) + " differ");
  if (a.size() == 0) throw std::invalid_argument(std::string(what) + ": empty batch");
}

void require_class_labels(const Shape& shape, const std::vector<std::int64_t>& labels, const char* what) {
  const std::string who(what);
  if (shape.size() != 2) throw std::invalid_argument(who + ": input must be [batch, classes], got " + shape_to_string(shape));
  const std::size_t batch = shape[0], classes = shape[1];
  if (labels.size() != batch)
    throw std::invalid_argument(who + ": " + std::to_string(labels.size()) + " labels for a batch of " + std::to_string(batch) +
                                " (input " + shape_to_string(shape) + ")");
  if (batch == 0) throw std::invalid_argument(who + ": empty batch");
  for (std::size_t b = 0; b < batch; ++b)
    if (labels[b] < 0 || labels[b] >= static_cast<std::int64_t>(classes))
      throw std::invalid_argument(who + ": label " + std::to_string(labels[b]) + " at row " + std::to_string(b) +
                                  " is out of range [0, " + std::to_string(classes) + ")");
}

void check_sample_weight(const std::vector<double>& weight, std::size_t rows, const char* loss) {
  if (weight.empty()) return;
  if (weight.size() != rows)
    throw std::invalid_argument(std::string(loss) + ": " + std::to_string(weight.size()) + " sample weights for " +
                                std::to_string(rows) + " rows");
  for (std::size_t r = 0; r < rows; ++r)
    if (!(std::isfinite(weight[r]) && weight[r] >= 0))
      throw std::invalid_argument(std::string(loss) + ": sample weight " + number_to_string(weight[r]) + " at row " +
                                  std::to_string(r) + " is not a finite number >= 0");
}

template void require_matching_target(const Variable<float>&, const Variable<float>&, const char*);
template void require_matching_target(const Variable<double>&, const Variable<double>&, const char*);
}  // namespace detail

namespace {
template <class T>
void require_same_shape(const Variable<T>& a, const Variable<T>& b, const char* what) {
  detail::require_matching_target(a, b, what);
}
}  // namespace

template <class T>
Variable<T> mse(const Variable<T>& prediction, const Variable<T>& target, const std::vector<double>& sample_weight) {
  if (!sample_weight.empty())
    return detail::elementwise_loss(prediction, target, "mse", [](double d) { return d * d; }, [](double d) { return 2 * d; },
                                    [](double) { return 2.0; }, sample_weight);
  require_same_shape(prediction, target, "mse");
  const T* p = prediction.value().data();
  const T* t = target.value().data();
  const std::size_t n = prediction.size();
  const double total = detail::chunked_sum(n, detail::kLossGrainCheap, [&](std::size_t b, std::size_t e) {
    double s = 0;
    for (std::size_t i = b; i < e; ++i) s += (double(p[i]) - t[i]) * (double(p[i]) - t[i]);
    return s;
  });
  return Variable<T>::make_result(Tensor<T>(static_cast<T>(total / n)), "mse", {prediction, target}, [n](Node<T>& self) {
    const T scale = self.incoming_grad().data()[0] * T(2) / static_cast<T>(n);
    Node<T>& pn = *self.inputs[0];
    Node<T>& tn = *self.inputs[1];
    const T* p = pn.value.data();
    const T* t = tn.value.data();
    detail::accumulate_grad_parallel(pn, detail::kLossGrainCheap, [&](std::size_t i) { return scale * (p[i] - t[i]); });
    detail::accumulate_grad_parallel(tn, detail::kLossGrainCheap, [&](std::size_t i) { return scale * (t[i] - p[i]); });
  }, [n](Node<T>& self) {  // dp = 2 (p - t) g / n, dt = -dp
    const Variable<T> p = detail::input_variable(self, 0), t = detail::shaped_like(detail::input_variable(self, 1), *self.inputs[0]);
    const Variable<T> dp = (p - t) * (detail::incoming_grad_graph(self) * static_cast<T>(2.0 / n));
    detail::accumulate_grad_graph(*self.inputs[0], dp);
    if (self.inputs[1]->requires_grad) detail::accumulate_grad_graph(*self.inputs[1], detail::shaped_like(neg(dp), *self.inputs[1]));
  });
}

template <class T>
Variable<T> binary_cross_entropy_with_logits(const Variable<T>& logits, const Variable<T>& target,
                                             const std::vector<double>& sample_weight) {
  require_same_shape(logits, target, "binary_cross_entropy_with_logits");
  detail::RowWeight w = detail::row_weight(logits, sample_weight, "binary_cross_entropy_with_logits");
  const T* x = logits.value().data();
  const T* t = target.value().data();
  const std::size_t n = logits.size();
  const std::size_t width = n / std::max<std::size_t>(logits.shape()[0], 1);
  for (std::size_t i = 0; i < n; ++i)
    if (!(t[i] >= 0 && t[i] <= 1))
      throw std::invalid_argument("binary_cross_entropy_with_logits: target " + number_to_string(t[i]) + " at row " +
                                  std::to_string(i / width) + " is outside [0, 1]");
  const double total = detail::chunked_sum(n, detail::kLossGrainMath, [&](std::size_t b, std::size_t e) {
    double s = 0;
    for (std::size_t i = b; i < e; ++i) {
      const double xi = x[i];
      s += w(i) * (std::max(xi, 0.0) - xi * t[i] + std::log1p(std::exp(-std::fabs(xi))));
    }
    return s;
  });
  detail::RowWeight weights = w;
  return Variable<T>::make_result(Tensor<T>(static_cast<T>(total / n)), "binary_cross_entropy_with_logits",
                                  {logits, target}, [n, w = std::move(w)](Node<T>& self) {
    const double scale = double(self.incoming_grad().data()[0]) / n;
    Node<T>& xn = *self.inputs[0];
    Node<T>& tn = *self.inputs[1];
    const T* x = xn.value.data();
    const T* t = tn.value.data();
    detail::accumulate_grad_parallel(xn, detail::kLossGrainMath, [&](std::size_t i) {
      return static_cast<T>(scale * w(i) * (math::sigmoid_of(double(x[i])) - t[i]));
    });
    detail::accumulate_grad_parallel(tn, detail::kLossGrainCheap, [&](std::size_t i) { return static_cast<T>(-scale * w(i) * x[i]); });
  }, [n, w = std::move(weights)](Node<T>& self) {  // dx = (sigmoid(x) - t) g w / n, dt = -x g w / n
    const Variable<T> x = detail::input_variable(self, 0), t = detail::shaped_like(detail::input_variable(self, 1), *self.inputs[0]);
    Variable<T> scale = detail::incoming_grad_graph(self) * static_cast<T>(1.0 / n);
    if (!w.weight.empty()) scale = scale * detail::weight_constant(w, self.inputs[0]->value);
    if (self.inputs[0]->requires_grad) detail::accumulate_grad_graph(*self.inputs[0], (sigmoid(x) - t) * scale);
    if (self.inputs[1]->requires_grad) detail::accumulate_grad_graph(*self.inputs[1], detail::shaped_like(neg(x * scale), *self.inputs[1]));
  });
}

template <class T>
Variable<T> cross_entropy(const Variable<T>& logits, const std::vector<std::int64_t>& labels, double label_smoothing,
                          const std::vector<double>& sample_weight) {
  const Shape shape = logits.shape();
  detail::require_class_labels(shape, labels, "cross_entropy");
  if (!(label_smoothing >= 0 && label_smoothing <= 1))
    throw std::invalid_argument("cross_entropy: label_smoothing must be in [0, 1], got " + number_to_string(label_smoothing));
  const std::size_t batch = shape[0], classes = shape[1];
  if (label_smoothing > 0 || !sample_weight.empty())
    return detail::general_cross_entropy(logits, labels, label_smoothing, sample_weight);
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
      parallel::for_range(n, parallel::kGrainCheap, [&](std::size_t b0, std::size_t b1) {
        if (add_into) for (std::size_t i = b0; i < b1; ++i) dx[i] += scale * p[i];
        else for (std::size_t i = b0; i < b1; ++i) dx[i] = scale * p[i];
      });
    }, [labels](Node<T>& self) { detail::cross_entropy_graph_backward(self, labels, 1.0, 0.0, detail::RowWeight{}); });
  }
  // log-softmax once; backward turns it into softmax - onehot.
  auto log_probs = std::make_shared<Tensor<T>>(Tensor<T>::from_shape(shape));
  detail::log_softmax_rows_parallel(logits.value().data(), log_probs->data(), batch, classes);
  double total = 0;  // one term per row: cheap next to the log-softmax
  for (std::size_t b = 0; b < batch; ++b) total -= (*log_probs)(b, static_cast<std::size_t>(labels[b]));
  return Variable<T>::make_result(Tensor<T>(static_cast<T>(total / batch)), "cross_entropy", {logits},
                                  [log_probs, labels, batch, classes](Node<T>& self) {
    const T scale = self.incoming_grad().data()[0] / static_cast<T>(batch);
    const T* lp = log_probs->data();
    detail::accumulate_grad_parallel(*self.inputs[0], detail::kLossGrainMath, [&](std::size_t i) {
      const std::size_t b = i / classes, c = i % classes;
      return scale * (std::exp(lp[i]) - (static_cast<std::int64_t>(c) == labels[b] ? T(1) : T(0)));
    });
  }, [labels](Node<T>& self) { detail::cross_entropy_graph_backward(self, labels, 1.0, 0.0, detail::RowWeight{}); });
}

LossKind parse_loss(const std::string& name) {
  if (name == "cross_entropy") return LossKind::cross_entropy;
  if (name == "binary_cross_entropy_with_logits" || name == "bce_with_logits") return LossKind::binary_cross_entropy_with_logits;
  if (name == "mse") return LossKind::mse;
  if (name == "l1" || name == "mae") return LossKind::l1;
  if (name == "smooth_l1") return LossKind::smooth_l1;
  if (name == "huber") return LossKind::huber;
  if (name == "binary_cross_entropy" || name == "bce") return LossKind::binary_cross_entropy;
  if (name == "nll") return LossKind::nll;
  throw std::invalid_argument("unknown loss '" + name +
                              "' (known: cross_entropy, binary_cross_entropy_with_logits, mse, l1, smooth_l1, huber, "
                              "binary_cross_entropy, nll)");
}

const char* loss_name(LossKind kind) {
  switch (kind) {
    case LossKind::cross_entropy: return "cross_entropy";
    case LossKind::binary_cross_entropy_with_logits: return "binary_cross_entropy_with_logits";
    case LossKind::mse: return "mse";
    case LossKind::l1: return "l1";
    case LossKind::smooth_l1: return "smooth_l1";
    case LossKind::huber: return "huber";
    case LossKind::binary_cross_entropy: return "binary_cross_entropy";
    case LossKind::nll: return "nll";
  }
  return "?";
}

#define XGRAD_INSTANTIATE(T)                                                                       \
  template Variable<T> mse(const Variable<T>&, const Variable<T>&, const std::vector<double>&);    \
  template Variable<T> binary_cross_entropy_with_logits(const Variable<T>&, const Variable<T>&,   \
                                                        const std::vector<double>&);               \
  template Variable<T> cross_entropy(const Variable<T>&, const std::vector<std::int64_t>&, double, \
                                     const std::vector<double>&);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
