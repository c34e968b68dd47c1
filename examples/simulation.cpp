// The seed tutorial's simulation: random inputs, weights randn/10 and biases;
// each activation on input * weight + bias per neuron, then on one Dense(5 -> 1)
// neuron. Seeded; every value can also be given explicitly.
//   simulation [--seed N] [--input a,b,c,d,e] [--weight ...] [--bias ...] [--neuron-bias b]
#include <iostream>

#include <CLI/CLI.hpp>
#include <xgrad.hpp>

#include "simulation.hpp"

int main(int argc, char** argv) {
  CLI::App app{"The seed tutorial's neuron simulation"};
  std::uint64_t seed = 0;
  std::vector<double> input, weight, bias;
  double neuron_bias = 0;
  app.add_option("--seed", seed, "Random seed for the values not given");
  app.add_option("--input", input, "The inputs (comma separated)")->delimiter(',');
  app.add_option("--weight", weight, "The weights (comma separated)")->delimiter(',');
  app.add_option("--bias", bias, "The per-neuron biases (comma separated)")->delimiter(',');
  auto* nb = app.add_option("--neuron-bias", neuron_bias, "The Dense neuron's bias");
  CLI11_PARSE(app, argc, argv);
  try {
    xgrad::SimulationSetup setup = xgrad::draw_simulation(seed);
    if (!input.empty()) setup.input = input;
    if (!weight.empty()) setup.weight = weight;
    if (!bias.empty()) setup.bias = bias;
    if (nb->count()) setup.neuron_bias = neuron_bias;
    std::cout << xgrad::run_simulation(setup, xgrad::simulation_functions());
  } catch (const std::exception& e) {
    std::cerr << "simulation: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
