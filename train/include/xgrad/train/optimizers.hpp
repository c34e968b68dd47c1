#pragma once
/// Optimizers, with PyTorch's update rules and defaults (g = grad + wd p where weight_decay is L2):
///
///   SGD:     v = momentum v + g (v = g at the first step);  p -= lr v
///            nesterov: p -= lr (g + momentum v)
///   Adam:    m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
///            p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
///   AdamW:   p *= 1 - lr wd (decoupled decay, default 1e-2), then Adam's step on grad
///   RMSprop: s = alpha s + (1 - alpha) g^2;  a = sqrt(s) + eps  (centered: sqrt(s - gbar^2) + eps)
///            p -= lr g / a  (momentum: b = momentum b + g / a;  p -= lr b)
/// Parameters without a gradient are skipped.
///
/// Every optimizer has a learning-rate setter (what the schedulers call) and
/// counts its steps (iterations(), as Keras's optimizer.iterations).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "xgrad/autograd/variable.hpp"

namespace xgrad {

/// What schedulers and callbacks need of an optimizer, whatever its element type.
class OptimizerBase {
 public:
  virtual ~OptimizerBase() = default;
  double learning_rate() const { return lr_; }
  /// A finite lr >= 0 (schedulers may bring it to 0); std::invalid_argument otherwise.
  void set_learning_rate(double lr);
  /// The number of step() calls so far.
  std::uint64_t iterations() const { return iterations_; }

 protected:
  double lr_ = 0;
  std::uint64_t iterations_ = 0;
};

template <class T>
class Optimizer : public OptimizerBase {
 public:
  explicit Optimizer(std::vector<Variable<T>> parameters);
  virtual void step() = 0;
  void zero_grad();
  const std::vector<Variable<T>>& parameters() const { return parameters_; }

 protected:
  std::vector<Variable<T>> parameters_;
};

template <class T>
class SGD : public Optimizer<T> {
 public:
  SGD(std::vector<Variable<T>> parameters, double lr, double momentum = 0.0, double weight_decay = 0.0,
      bool nesterov = false);
  void step() override;

 private:
  double momentum_, weight_decay_;
  bool nesterov_;
  std::vector<Tensor<T>> velocity_;
  bool started_ = false;
};

template <class T>
class Adam : public Optimizer<T> {
 public:
  Adam(std::vector<Variable<T>> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
       double eps = 1e-8, double weight_decay = 0.0);
  void step() override;

 protected:
  /// Adam's moment update and step; `wd` is the L2 term added to the gradient (0 for AdamW).
  void adam_step(double wd);
  double beta1_, beta2_, eps_, weight_decay_;
  std::vector<Tensor<T>> m_, v_;
  long t_ = 0;
};

/// torch.optim.AdamW: the weight decay shrinks the weights directly, not through the moments.
template <class T>
class AdamW : public Adam<T> {
 public:
  AdamW(std::vector<Variable<T>> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weight_decay = 1e-2);
  void step() override;
};

template <class T>
class RMSprop : public Optimizer<T> {
 public:
  RMSprop(std::vector<Variable<T>> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8,
          double weight_decay = 0.0, double momentum = 0.0, bool centered = false);
  void step() override;

 private:
  double alpha_, eps_, weight_decay_, momentum_;
  bool centered_;
  std::vector<Tensor<T>> square_avg_, grad_avg_, buffer_;
};

/// "sgd", "adam", "adamw" or "rmsprop" with a learning rate (other settings at their defaults).
template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const std::string& name, std::vector<Variable<T>> parameters, double lr);

/// torch.nn.utils.clip_grad_norm_: scales every gradient by max_norm / (norm + 1e-6)
/// when the global L2 norm over all of them exceeds max_norm; returns that norm
/// (before clipping). Parameters without a gradient are skipped.
template <class T>
double clip_grad_norm(const std::vector<Variable<T>>& parameters, double max_norm);

/// torch.nn.utils.clip_grad_value_: clamps every gradient element to [-clip_value, clip_value].
template <class T>
void clip_grad_value(const std::vector<Variable<T>>& parameters, double clip_value);

}  // namespace xgrad
