#pragma once
/// Dense (fully connected): y = activation(x W + b).
///   x [batch, in_features], W [in_features, units], b [units] -> y [batch, units]
/// Initialisation: Glorot-uniform by default (as Keras): W ~ U(-l, l),
/// l = sqrt(6 / (in + units)); He-uniform (l = sqrt(6 / in)) or He-normal
/// (std = sqrt(2 / in)) as options. The bias starts at 0.
#include "xgrad/core/random.hpp"
#include "xgrad/layers/activation.hpp"

namespace xgrad {

enum class Initializer { glorot_uniform, he_uniform, he_normal };
Initializer parse_initializer(const std::string& name);
std::string initializer_name(Initializer init);

template <class T>
class Dense : public Module<T> {
 public:
  Dense(std::size_t in_features, std::size_t units, ActivationSpec activation = {}, bool use_bias = true,
        Initializer init = Initializer::glorot_uniform, Generator& generator = default_generator());
  Dense(std::size_t in_features, std::size_t units, const std::string& activation, bool use_bias = true,
        Initializer init = Initializer::glorot_uniform, Generator& generator = default_generator())
      : Dense(in_features, units, parse_activation(activation), use_bias, init, generator) {}

  Variable<T> forward(const Variable<T>& x) override;
  std::string type_name() const override { return "Dense"; }
  std::optional<std::size_t> output_features(std::optional<std::size_t>) const override {
    return activation_output_features(activation_, units_);
  }
  std::optional<std::size_t> input_features() const override { return in_features_; }
  LayerConfig config() const override;

  /// The registered parameters (change them through mutable_value()).
  Variable<T>& weight() { return weight_; }
  Variable<T>& bias() { return bias_; }
  std::size_t in_features() const { return in_features_; }
  std::size_t units() const { return units_; }

 private:
  std::size_t in_features_, units_;
  ActivationSpec activation_;
  bool use_bias_;
  Initializer init_;
  Variable<T> weight_, bias_;
};

}  // namespace xgrad
