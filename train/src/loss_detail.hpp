#pragma once
// Shared by losses.cpp and more_losses.cpp: sample weights, the element-wise
// loss template, and the general cross-entropy (label smoothing, weights).
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "xgrad/autograd/variable.hpp"
#include "xgrad/train/losses.hpp"

namespace xgrad::detail {

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

/// sum_i w(i) f(p_i - t_i) / n, with d/dp = w(i) f'(p - t) / n and d/dt = -w(i) f'(p - t) / n.
template <class T, class F, class DF>
Variable<T> elementwise_loss(const Variable<T>& prediction, const Variable<T>& target, const char* name, F f, DF df,
                             const std::vector<double>& sample_weight) {
  require_matching_target(prediction, target, name);
  RowWeight w = row_weight(prediction, sample_weight, name);
  const T* p = prediction.value().data();
  const T* t = target.value().data();
  const std::size_t n = prediction.size();
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) total += w(i) * f(double(p[i]) - double(t[i]));
  return Variable<T>::make_result(Tensor<T>(static_cast<T>(total / n)), name, {prediction, target},
                                  [n, df, w = std::move(w)](Node<T>& self) {
    const double scale = double(self.incoming_grad().data()[0]) / n;
    Node<T>& pn = *self.inputs[0];
    Node<T>& tn = *self.inputs[1];
    const T* p = pn.value.data();
    const T* t = tn.value.data();
    accumulate_grad_each(pn, [&](std::size_t i) { return static_cast<T>(scale * w(i) * df(double(p[i]) - double(t[i]))); });
    accumulate_grad_each(tn, [&](std::size_t i) { return static_cast<T>(-scale * w(i) * df(double(p[i]) - double(t[i]))); });
  });
}

/// cross_entropy with label smoothing or sample weights (float32 and float64 alike).
template <class T>
Variable<T> general_cross_entropy(const Variable<T>& logits, const std::vector<std::int64_t>& labels, double smoothing,
                                  const std::vector<double>& sample_weight);

}  // namespace xgrad::detail
