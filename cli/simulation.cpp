#include "simulation.hpp"

#include <cstdio>
#include <stdexcept>

#include "xgrad/core/format.hpp"
#include "xgrad/core/random.hpp"
#include "xgrad/layers/dense.hpp"

namespace xgrad {

SimulationSetup draw_simulation(std::uint64_t seed) {
  Generator gen(seed);
  SimulationSetup s;
  for (int i = 0; i < 5; ++i) s.input.push_back(static_cast<double>(gen.integer(-100, 100)));
  for (int i = 0; i < 5; ++i) s.weight.push_back(gen.normal() / 10);
  for (int i = 0; i < 5; ++i) s.bias.push_back(gen.normal());
  s.neuron_bias = gen.normal();
  return s;
}

const std::vector<std::string>& simulation_functions() {
  static const std::vector<std::string> names = {"sigmoid", "tanh", "relu", "leaky_relu", "elu",
                                                 "softplus", "gelu", "gelu_tanh", "softmax"};
  return names;
}

std::string run_simulation(const SimulationSetup& s, const std::vector<std::string>& functions) {
  const std::size_t n = s.input.size();
  if (n == 0 || s.weight.size() != n || s.bias.size() != n)
    throw std::invalid_argument("simulation: input, weight and bias must have the same non-zero length, got " +
                                std::to_string(n) + ", " + std::to_string(s.weight.size()) + " and " +
                                std::to_string(s.bias.size()));
  NoGradGuard no_grad;
  Tensor<double> z = Tensor<double>::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) z(i) = s.input[i] * s.weight[i] + s.bias[i];
  // The single neuron: Dense(n -> 1) holding the same weights.
  Generator unused(0);  // the weights are overwritten; leave the default generator alone
  Dense<double> neuron(n, 1, ActivationSpec{}, true, Initializer::glorot_uniform, unused);
  for (std::size_t i = 0; i < n; ++i) neuron.weight().mutable_value()(i, 0) = s.weight[i];
  neuron.bias().mutable_value()(0) = s.neuron_bias;
  Tensor<double> row = Tensor<double>::from_shape({1, n});
  for (std::size_t i = 0; i < n; ++i) row(0, i) = s.input[i];
  const Variable<double> dot = neuron(Variable<double>(row));

  std::string out;
  char line[128];
  for (const auto& name : functions) {
    const ActivationSpec spec{parse_activation(name)};
    out += name + "  function:\n";
    // softmax normalises across the neurons; the others act on each alone.
    const Tensor<double> y = apply_activation(spec, Variable<double>(z)).value();
    for (std::size_t i = 0; i < n; ++i) {
      std::snprintf(line, sizeof line, "%.1f   =>   ", s.input[i]);
      out += line + number_to_string(y(i)) + "\n";
    }
  }
  out += "Dense(" + std::to_string(n) + " -> 1), input . weight + " + number_to_string(s.neuron_bias) + " = " +
         number_to_string(dot.value()(0, 0)) + ":\n";
  for (const auto& name : functions) {
    const ActivationSpec spec{parse_activation(name)};
    out += name + " " + number_to_string(apply_activation(spec, dot).value()(0, 0)) + "\n";
  }
  return out;
}

}  // namespace xgrad
