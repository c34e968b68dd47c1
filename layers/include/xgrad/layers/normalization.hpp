#pragma once
/// Normalisation layers, as PyTorch's, each with a learnable scale ("weight",
/// starting at 1) and shift ("bias", starting at 0) per feature:
///
/// BatchNorm1d(num_features, momentum = 0.1, eps = 1e-5) on x [batch, features]:
///   training: y = (x - mean) / sqrt(var + eps) * weight + bias with the batch's
///     mean and biased variance per feature; then, as PyTorch,
///     running_mean = (1 - momentum) running_mean + momentum mean and
///     running_var = (1 - momentum) running_var + momentum var * n / (n - 1)
///     (the unbiased variance). A batch of one row is refused, as PyTorch does.
///   eval: the same with running_mean and running_var, which are buffers (saved
///     in model files and state dicts, not trained; they start at 0 and 1).
/// LayerNorm(normalized_shape, eps = 1e-5) on x [..., features]: each row
///   normalised by its own mean and biased variance, in training and eval alike.
///
/// Backward (xhat the normalised x, g the incoming gradient, n the count
/// normalised over): dbias = sum g, dweight = sum g xhat,
///   dx = weight / sqrt(var + eps) (g - mean(g) - xhat mean(g xhat))
/// when the statistics come from x, and dx = weight g / sqrt(var + eps) when
/// they are running statistics.
#include "xgrad/layers/module.hpp"

namespace xgrad {

template <class T>
class BatchNorm1d : public Module<T> {
 public:
  explicit BatchNorm1d(std::size_t num_features, double momentum = 0.1, double eps = 1e-5);
  Variable<T> forward(const Variable<T>& x) override;
  std::string type_name() const override { return "BatchNorm1d"; }
  std::optional<std::size_t> input_features() const override { return num_features_; }
  LayerConfig config() const override;

  Variable<T>& weight() { return weight_; }
  Variable<T>& bias() { return bias_; }
  Variable<T>& running_mean() { return running_mean_; }
  Variable<T>& running_var() { return running_var_; }

 private:
  std::size_t num_features_;
  double momentum_, eps_;
  Variable<T> weight_, bias_, running_mean_, running_var_;
};

template <class T>
class LayerNorm : public Module<T> {
 public:
  explicit LayerNorm(std::size_t normalized_shape, double eps = 1e-5);
  Variable<T> forward(const Variable<T>& x) override;
  std::string type_name() const override { return "LayerNorm"; }
  std::optional<std::size_t> input_features() const override { return features_; }
  LayerConfig config() const override;

  Variable<T>& weight() { return weight_; }
  Variable<T>& bias() { return bias_; }

 private:
  std::size_t features_;
  double eps_;
  Variable<T> weight_, bias_;
};

}  // namespace xgrad
