#pragma once
/// Losses. Each returns a 0-d variable and owns the batch average: it is the
/// mean over the batch (layers never rescale gradients).
///
///   mse(p, t)                          = mean((p - t)^2)
///   binary_cross_entropy_with_logits   = mean(max(x, 0) - x t + log1p(e^-|x|)),  d/dx = (sigmoid(x) - t) / N
///   cross_entropy(logits [B, C], ids)  = -mean_b log_softmax(logits)_b,ids[b],   d/dx = (softmax - onehot) / B
///
/// All are stable for logits of +-1e4 (max-shifted log-softmax, sign-split softplus).
#include <cstdint>
#include <string>
#include <vector>

#include "xgrad/autograd/variable.hpp"

namespace xgrad {

template <class T> Variable<T> mse(const Variable<T>& prediction, const Variable<T>& target);
template <class T> Variable<T> binary_cross_entropy_with_logits(const Variable<T>& logits, const Variable<T>& target);
/// labels[b] in [0, C); throws std::invalid_argument for a wrong count or a label out of range.
template <class T> Variable<T> cross_entropy(const Variable<T>& logits, const std::vector<std::int64_t>& labels);

enum class LossKind { cross_entropy, binary_cross_entropy_with_logits, mse };
LossKind parse_loss(const std::string& name);

}  // namespace xgrad
