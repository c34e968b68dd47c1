#pragma once
// Shared by losses.cpp and more_losses.cpp: sample weights, the element-wise
// loss template, and the general cross-entropy (label smoothing, weights).
#include <algorithm>
#include <cmath>
#include <limits>
#include <cstdint>
#include <string>
#include <vector>

#include "xgrad/autograd/activations.hpp"
#include "xgrad/autograd/ops.hpp"
#include "xgrad/autograd/variable.hpp"
#include "xgrad/core/activations.hpp"
#include "xgrad/core/parallel.hpp"
#include "xgrad/train/losses.hpp"

namespace xgrad::detail {

/// Grains (elements per thread) of the losses: a few flops each, or a libm call or two each.
inline constexpr std::size_t kLossGrainCheap = parallel::kGrainCheap;
inline constexpr std::size_t kLossGrainMath = parallel::kGrainScalar;

/// partial(b, e) summed over [0, n): one call below parallel::kReduceChunk, else fixed chunks of that
/// many elements (boundaries from n only) over the threads, their sums added in chunk order, so the
/// total has the same bits on any thread count.
template <class F>
double chunked_sum(std::size_t n, std::size_t grain, F&& partial) {
  return parallel::sum_fixed_chunks(n, parallel::kReduceChunk, parallel::threads_for(n, grain), partial);
}

/// chunked_sum over rows of `width` elements: partial(row_begin, row_end), chunks of whole rows.
template <class F>
double chunked_row_sum(std::size_t rows, std::size_t width, std::size_t grain, F&& partial) {
  const std::size_t chunk_rows = std::max<std::size_t>(1, parallel::kReduceChunk / std::max<std::size_t>(width, 1));
  return parallel::sum_fixed_chunks(rows, chunk_rows, parallel::threads_for(rows * width, grain), partial);
}

/// accumulate_grad_each split over the threads (each element its own contribution: any split gives the same bits).
template <class T, class F>
void accumulate_grad_parallel(Node<T>& node, std::size_t grain, F&& contribution) {
  if (!node.requires_grad) return;
  bool add_into = false;
  T* g = grad_buffer(node, add_into);
  parallel::for_range(node.value.size(), grain, [&](std::size_t b, std::size_t e) {
    if (add_into) for (std::size_t i = b; i < e; ++i) g[i] += contribution(i);
    else for (std::size_t i = b; i < e; ++i) g[i] = contribution(i);
  });
}

/// log-softmax of the rows of a [rows, classes] array, rows spread over the threads: math::log_softmax_lanes's
/// formula in double for float and double alike (the activation carries float64 in long double for its
/// ulp contract; a loss, a mean of such terms, needs no more than double and spares the x87 exp).
template <class T>
void log_softmax_rows_parallel(const T* x, T* y, std::size_t rows, std::size_t classes) {
  parallel::for_range(rows, std::max<std::size_t>(1, kLossGrainMath / std::max<std::size_t>(classes, 1)),
                      [&](std::size_t r0, std::size_t r1) {
    for (std::size_t r = r0; r < r1; ++r) {
      const T* xr = x + r * classes;
      T* yr = y + r * classes;
      double m = -std::numeric_limits<double>::infinity();
      std::size_t k = 0;  // the first max (NaN compares false and never becomes m)
      for (std::size_t j = 0; j < classes; ++j)
        if (double(xr[j]) > m) {
          m = xr[j];
          k = j;
        }
      if (m == std::numeric_limits<double>::infinity()) m = std::numeric_limits<double>::quiet_NaN();
      double rest = 0;  // a NaN logit lands here and makes the row NaN
      for (std::size_t j = 0; j < classes; ++j)
        if (j != k) rest += std::exp(double(xr[j]) - m);
      const double log_sum = std::log1p(rest);
      for (std::size_t j = 0; j < classes; ++j) yr[j] = static_cast<T>((double(xr[j]) - m) - log_sum);
    }
  }, 1);
}

/// Sample weights: one finite weight >= 0 per row of the input, or none.
void check_sample_weight(const std::vector<double>& weight, std::size_t rows, const char* loss);

/// The weight of element i of a [rows, width...] input (1 without weights).
struct RowWeight {
  std::vector<double> weight;  // empty: all 1
  std::size_t width = 1;
  double operator()(std::size_t i) const { return weight.empty() ? 1.0 : weight[i / width]; }
};

template <class T>
RowWeight row_weight(const Variable<T>& input, const std::vector<double>& weight, const char* loss) {
  const std::size_t rows = input.shape().empty() ? 1 : input.shape()[0];
  check_sample_weight(weight, rows, loss);
  return RowWeight{weight, input.size() / std::max<std::size_t>(rows, 1)};
}

/// The weights of the elements of a node's value as a constant (none: an empty variable is not used).
template <class T>
Variable<T> weight_constant(const RowWeight& w, const Tensor<T>& like) {
  Tensor<T> out = Tensor<T>::from_shape(like.shape());
  for (std::size_t i = 0, n = out.size(); i < n; ++i) out.data()[i] = static_cast<T>(w(i));
  return Variable<T>(std::move(out));
}

/// v with the shape of `like` ([n] and [n, 1] are the same values for a loss).
template <class T>
Variable<T> shaped_like(const Variable<T>& v, const Node<T>& like) {
  const Shape shape = to_shape(like.value.shape());
  return v.shape() == shape ? v : reshape(v, shape);
}

/// A loss's f'(d) as an op, for the losses' differentiable backward rules:
/// forward df(d), backward g ddf(d); it has no differentiable rule, so a third
/// derivative through it throws (naming the op "loss_derivative").
template <class T, class DF, class DDF>
Variable<T> loss_derivative(const Variable<T>& d, DF df, DDF ddf) {
  Tensor<T> out = Tensor<T>::from_shape(d.value().shape());
  for (std::size_t i = 0, n = out.size(); i < n; ++i) out.data()[i] = static_cast<T>(df(double(d.value().data()[i])));
  return Variable<T>::make_result(std::move(out), "loss_derivative", {d}, [ddf](Node<T>& self) {
    const T* g = self.incoming_grad().data();
    const T* x = self.inputs[0]->value.data();
    accumulate_grad_each(*self.inputs[0], [&](std::size_t i) { return static_cast<T>(g[i] * ddf(double(x[i]))); });
  });
}

/// The differentiable backward of the cross-entropies: dx = (softmax(x) - q) w g / batch,
/// q = `on` at the label and `off` elsewhere, w the row's weight.
template <class T>
void cross_entropy_graph_backward(Node<T>& self, const std::vector<std::int64_t>& labels, double on, double off,
                                  const RowWeight& w) {
  const Tensor<T>& x = self.inputs[0]->value;
  const std::size_t classes = x.shape()[1], batch = x.shape()[0];
  Tensor<T> q = Tensor<T>::from_shape(x.shape());
  for (std::size_t i = 0, n = q.size(); i < n; ++i)
    q.data()[i] = static_cast<T>(static_cast<std::int64_t>(i % classes) == labels[i / classes] ? on : off);
  Variable<T> dx = (softmax(input_variable(self, 0), 1) - Variable<T>(std::move(q))) *
                   (incoming_grad_graph(self) * static_cast<T>(1.0 / batch));
  if (!w.weight.empty()) dx = dx * weight_constant(w, x);
  accumulate_grad_graph(*self.inputs[0], dx);
}

/// sum_i w(i) f(p_i - t_i) / n, with d/dp = w(i) f'(p - t) / n and d/dt = -w(i) f'(p - t) / n;
/// ddf = f'' for the differentiable backward.
template <class T, class F, class DF, class DDF>
Variable<T> elementwise_loss(const Variable<T>& prediction, const Variable<T>& target, const char* name, F f, DF df,
                             DDF ddf, const std::vector<double>& sample_weight) {
  require_matching_target(prediction, target, name);
  RowWeight w = row_weight(prediction, sample_weight, name);
  const T* p = prediction.value().data();
  const T* t = target.value().data();
  const std::size_t n = prediction.size();
  const double total = chunked_sum(n, kLossGrainMath, [&](std::size_t b, std::size_t e) {
    double s = 0;
    for (std::size_t i = b; i < e; ++i) s += w(i) * f(double(p[i]) - double(t[i]));
    return s;
  });
  RowWeight weights = w;
  return Variable<T>::make_result(Tensor<T>(static_cast<T>(total / n)), name, {prediction, target},
                                  [n, df, w = std::move(w)](Node<T>& self) {
    const double scale = double(self.incoming_grad().data()[0]) / n;
    Node<T>& pn = *self.inputs[0];
    Node<T>& tn = *self.inputs[1];
    const T* p = pn.value.data();
    const T* t = tn.value.data();
    accumulate_grad_parallel(pn, kLossGrainMath, [&](std::size_t i) { return static_cast<T>(scale * w(i) * df(double(p[i]) - double(t[i]))); });
    accumulate_grad_parallel(tn, kLossGrainMath, [&](std::size_t i) { return static_cast<T>(-scale * w(i) * df(double(p[i]) - double(t[i]))); });
  }, [n, df, ddf, w = std::move(weights)](Node<T>& self) {
    const Variable<T> p = input_variable(self, 0), t = shaped_like(input_variable(self, 1), *self.inputs[0]);
    Variable<T> dp = loss_derivative(p - t, df, ddf) * (incoming_grad_graph(self) * static_cast<T>(1.0 / n));
    if (!w.weight.empty()) dp = dp * weight_constant(w, self.inputs[0]->value);
    accumulate_grad_graph(*self.inputs[0], dp);
    if (self.inputs[1]->requires_grad) accumulate_grad_graph(*self.inputs[1], shaped_like(neg(dp), *self.inputs[1]));
  });
}

/// cross_entropy with label smoothing or sample weights (float32 and float64 alike).
template <class T>
Variable<T> general_cross_entropy(const Variable<T>& logits, const std::vector<std::int64_t>& labels, double smoothing,
                                  const std::vector<double>& sample_weight);

}  // namespace xgrad::detail
