#pragma once
/// The seed tutorial's neuron simulation (seed 004), tutorial output rather than
/// library: `xgrad simulate` prints it, and examples/simulation compiles this file too.
///: five inputs, weights and
/// biases; each activation applied to input * weight + bias neuron by neuron,
/// then to one Dense(5 -> 1) neuron with those weights: f(input . weight + b).
///
///   input  = 5 random integers in [-100, 100)   (np.random.choice(range(-100, 100), 5))
///   weight = randn(5) / 10
///   bias   = randn(5), and the Dense neuron's bias b = randn()
#include <cstdint>
#include <string>
#include <vector>

namespace xgrad {

struct SimulationSetup {
  std::vector<double> input, weight, bias;
  double neuron_bias = 0;
};

/// Draws a setup from `seed` (the values of any option given explicitly replace the drawn ones).
SimulationSetup draw_simulation(std::uint64_t seed);

/// The activations the simulation runs by default: the seed's four, then the others.
const std::vector<std::string>& simulation_functions();

/// The report, in the seed's format ("-11.0   =>   0.818..."); values printed
/// as the shortest decimal that round-trips. Throws std::invalid_argument when
/// input, weight and bias differ in length or are empty, or for an unknown function.
std::string run_simulation(const SimulationSetup& setup, const std::vector<std::string>& functions);

}  // namespace xgrad
