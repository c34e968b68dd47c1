#pragma once
/// Optimizers, with PyTorch's update rules.
///
///   SGD:  g = grad + wd p;  v = momentum v + g (v = g at the first step);  p -= lr v
///   Adam: g = grad + wd p;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
///         p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
/// Parameters without a gradient are skipped.
#include <memory>
#include <string>
#include <vector>

#include "xgrad/autograd/variable.hpp"

namespace xgrad {

template <class T>
class Optimizer {
 public:
  explicit Optimizer(std::vector<Variable<T>> parameters);
  virtual ~Optimizer() = default;
  virtual void step() = 0;
  void zero_grad();
  double learning_rate() const { return lr_; }

 protected:
  std::vector<Variable<T>> parameters_;
  double lr_ = 0;
};

template <class T>
class SGD : public Optimizer<T> {
 public:
  SGD(std::vector<Variable<T>> parameters, double lr, double momentum = 0.0, double weight_decay = 0.0);
  void step() override;

 private:
  double momentum_, weight_decay_;
  std::vector<Tensor<T>> velocity_;
  bool started_ = false;
};

template <class T>
class Adam : public Optimizer<T> {
 public:
  Adam(std::vector<Variable<T>> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
       double eps = 1e-8, double weight_decay = 0.0);
  void step() override;

 private:
  double beta1_, beta2_, eps_, weight_decay_;
  std::vector<Tensor<T>> m_, v_;
  long t_ = 0;
};

/// "sgd" or "adam" with a learning rate (other settings at their defaults).
template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const std::string& name, std::vector<Variable<T>> parameters, double lr);

}  // namespace xgrad
