#pragma once
/// Activation functions by name, with their parameters, and the Activation layer.
///
/// Names: linear (identity), sigmoid, tanh, relu, leaky_relu (alpha = slope,
/// default 0.01), elu (alpha, default 1), softplus (beta 1, threshold 20),
/// softmax, log_softmax (along the last axis), gelu, gelu_tanh.
/// prelu is a layer of its own (it owns a learnable alpha).
#include <limits>
#include <string>
#include <vector>

#include "xgrad/layers/module.hpp"

namespace xgrad {

enum class ActivationKind { linear, sigmoid, tanh, relu, leaky_relu, elu, softplus, softmax, log_softmax, gelu, gelu_tanh };

struct ActivationSpec {
  ActivationKind kind = ActivationKind::linear;
  /// leaky_relu's slope or elu's alpha; NaN means the function's default.
  double alpha = std::numeric_limits<double>::quiet_NaN();
  double beta = 1.0;
  double threshold = 20.0;
};

/// "relu" -> ActivationKind::relu; throws std::invalid_argument listing the known names.
ActivationKind parse_activation(const std::string& name);
std::string activation_name(ActivationKind kind);
const std::vector<std::string>& activation_names();

template <class T>
Variable<T> apply_activation(const ActivationSpec& spec, const Variable<T>& x);

template <class T>
class Activation : public Module<T> {
 public:
  explicit Activation(ActivationSpec spec) : spec_(spec) { check(); }
  explicit Activation(ActivationKind kind) : Activation(ActivationSpec{kind}) {}
  explicit Activation(const std::string& name) : Activation(parse_activation(name)) {}
  Variable<T> forward(const Variable<T>& x) override { return apply_activation(spec_, x); }
  std::string type_name() const override { return "Activation"; }
  LayerConfig config() const override;
  const ActivationSpec& spec() const { return spec_; }

 private:
  void check() const;
  ActivationSpec spec_;
};

}  // namespace xgrad
