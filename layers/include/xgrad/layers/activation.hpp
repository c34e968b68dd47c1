#pragma once
/// Activation functions by name, with their parameters, and the Activation layer.
///
/// Every activation of the catalogue (xgrad/core/activations/catalogue.hpp;
/// `activation_name_list()`) by its PyTorch name, parameters by their
/// PyTorch names with the catalogue's defaults: "leaky_relu" (negative_slope
/// 0.01), "elu" (alpha 1), "softplus" (beta 1, threshold 20), "hardtanh"
/// (min_val -1, max_val 1), ... softmax, log_softmax, softmin and glu act
/// along the last axis. prelu is a layer of its own (PReLU: it owns a
/// learnable alpha); rrelu draws random slopes in training mode only.
#include <string>
#include <string_view>
#include <vector>

#include "xgrad/core/activations/catalogue.hpp"
#include "xgrad/layers/module.hpp"

namespace xgrad {

struct ActivationSpec {
  Act id = Act::linear;
  ActivationParams params{};

  ActivationSpec() = default;
  /// `id` with its default parameters.
  ActivationSpec(Act id);  // NOLINT: an Act is a spec with defaults
  ActivationSpec(Act id, ActivationParams p) : id(id), params(p) {}
  /// Sets a parameter by its name; throws std::invalid_argument for a name the activation does not have.
  ActivationSpec& set(std::string_view param, double value);
  const char* name() const;
};

/// "relu" -> relu with its defaults ("none" and "" are linear);
/// "leaky_relu(negative_slope=0.2)", "threshold(threshold=0.1, value=20)": parameters by
/// their PyTorch names, the others at their defaults, checked against their domains.
/// Throws std::invalid_argument naming what is wrong (and the known names or parameters).
ActivationSpec parse_activation(const std::string& text);
std::string activation_name(const ActivationSpec& spec);
/// The names the Activation layer takes (every activation but prelu).
const std::vector<std::string>& activation_names();
/// The spec as model files keep it: the name under `activation`, each parameter under its name.
void write_activation(const ActivationSpec& spec, LayerConfig& config);
/// The inverse; parameters absent from the config take their defaults.
ActivationSpec read_activation(const LayerConfig& config);
/// The number of output features for `input` (glu halves it).
std::optional<std::size_t> activation_output_features(const ActivationSpec& spec, std::optional<std::size_t> input);

/// f(x); `training` draws rrelu's random slopes.
template <class T>
Variable<T> apply_activation(const ActivationSpec& spec, const Variable<T>& x, bool training = false);

template <class T>
class Activation : public Module<T> {
 public:
  explicit Activation(ActivationSpec spec);
  explicit Activation(const std::string& name) : Activation(parse_activation(name)) {}
  Variable<T> forward(const Variable<T>& x) override { return apply_activation(spec_, x, this->is_training()); }
  std::string type_name() const override { return "Activation"; }
  std::optional<std::size_t> output_features(std::optional<std::size_t> input) const override {
    return activation_output_features(spec_, input);
  }
  LayerConfig config() const override;
  const ActivationSpec& spec() const { return spec_; }

 private:
  ActivationSpec spec_;
};

}  // namespace xgrad
