#pragma once
/// Losses. Each returns a 0-d variable and owns the batch average: it is the
/// mean over the batch (layers never rescale gradients). d = prediction - target.
///
///   mse(p, t)                          = mean(d^2)
///   l1_loss(p, t)  (MAE)               = mean(|d|)
///   smooth_l1_loss(p, t, beta = 1)     = mean(|d| < beta ? d^2 / (2 beta) : |d| - beta / 2)
///   huber_loss(p, t, delta = 1)        = mean(|d| < delta ? d^2 / 2 : delta (|d| - delta / 2))
///   binary_cross_entropy_with_logits   = mean(max(x, 0) - x t + log1p(e^-|x|)),  d/dx = (sigmoid(x) - t) / N
///   binary_cross_entropy(p, t)         = -mean(t max(log p, -100) + (1 - t) max(log(1 - p), -100))  (PyTorch's clamp)
///   cross_entropy(logits [B, C], ids)  = -mean_b sum_c q_bc log_softmax(logits)_bc,  d/dx = (softmax - q) / B,
///                                        q = (1 - label_smoothing) onehot + label_smoothing / C
///   nll_loss(log_probs [B, C], ids)    = -mean_b log_probs_b,ids[b]
///
/// All are stable for logits of +-1e4 (max-shifted log-softmax, sign-split softplus).
/// Every loss checks its targets and throws std::invalid_argument naming the loss,
/// the row and the value: a shape that does not match, a binary target outside
/// [0, 1], a probability outside [0, 1], a class label out of range. For one
/// output per row, a [n] target goes with a [n, 1] prediction (and the reverse).
///
/// sample_weight (optional, one finite weight >= 0 per row) weighs each row's
/// terms as Keras does: sum_rows w_r sum(terms of row r) / (number of terms),
/// so weights of 1 give the unweighted loss (not PyTorch's division by sum(w)).
#include <cstdint>
#include <string>
#include <vector>

#include "xgrad/autograd/variable.hpp"

namespace xgrad {

using SampleWeight = std::vector<double>;

template <class T>
Variable<T> mse(const Variable<T>& prediction, const Variable<T>& target, const SampleWeight& sample_weight = {});
template <class T>
Variable<T> l1_loss(const Variable<T>& prediction, const Variable<T>& target, const SampleWeight& sample_weight = {});
template <class T>
Variable<T> smooth_l1_loss(const Variable<T>& prediction, const Variable<T>& target, double beta = 1.0,
                           const SampleWeight& sample_weight = {});
template <class T>
Variable<T> huber_loss(const Variable<T>& prediction, const Variable<T>& target, double delta = 1.0,
                       const SampleWeight& sample_weight = {});
template <class T>
Variable<T> binary_cross_entropy_with_logits(const Variable<T>& logits, const Variable<T>& target,
                                             const SampleWeight& sample_weight = {});
template <class T>
Variable<T> binary_cross_entropy(const Variable<T>& probabilities, const Variable<T>& target,
                                 const SampleWeight& sample_weight = {});
/// labels[b] in [0, C); throws std::invalid_argument for a wrong count or a label out of range.
template <class T>
Variable<T> cross_entropy(const Variable<T>& logits, const std::vector<std::int64_t>& labels, double label_smoothing = 0.0,
                          const SampleWeight& sample_weight = {});
template <class T>
Variable<T> nll_loss(const Variable<T>& log_probs, const std::vector<std::int64_t>& labels,
                     const SampleWeight& sample_weight = {});

enum class LossKind { cross_entropy, binary_cross_entropy_with_logits, mse, l1, smooth_l1, huber, binary_cross_entropy, nll };
/// "cross_entropy", "binary_cross_entropy_with_logits" ("bce_with_logits"), "mse", "l1" ("mae"),
/// "smooth_l1", "huber", "binary_cross_entropy" ("bce"), "nll".
LossKind parse_loss(const std::string& name);
const char* loss_name(LossKind kind);
/// Losses of class ids: cross_entropy and nll.
inline bool takes_class_ids(LossKind kind) { return kind == LossKind::cross_entropy || kind == LossKind::nll; }

namespace detail {
/// The shape check every two-tensor loss makes (equal shapes, or [n] with [n, 1]).
template <class T>
void require_matching_target(const Variable<T>& prediction, const Variable<T>& target, const char* loss);
/// Labels: one per row of a [B, C] input, each in [0, C).
void require_class_labels(const Shape& shape, const std::vector<std::int64_t>& labels, const char* loss);
}  // namespace detail

}  // namespace xgrad
