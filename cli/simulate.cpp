// xgrad simulate: the seed tutorial's neuron simulation (as examples/simulation).
#include <iostream>
#include <memory>

#include <xgrad.hpp>

#include "simulation.hpp"

#include "command.hpp"
#include "numbers.hpp"

namespace xgrad::cli {

namespace {

struct SimulateOptions {
  std::uint64_t seed = 0;
  std::vector<std::string> input, weight, bias;
  std::optional<double> neuron_bias;
};

std::vector<double> finite_values(const std::vector<std::string>& values, const std::string& option) {
  std::vector<double> numbers = parse_number_arguments<double>(values, option);
  for (double v : numbers)
    if (!std::isfinite(v)) throw UsageError(option + ": the values must be finite, got " + format_number(v));
  return numbers;
}

void run_simulate(const SimulateOptions& o) {
  SimulationSetup setup = draw_simulation(o.seed);
  if (!o.input.empty()) setup.input = finite_values(o.input, "--input");
  if (!o.weight.empty()) setup.weight = finite_values(o.weight, "--weight");
  if (!o.bias.empty()) setup.bias = finite_values(o.bias, "--bias");
  if (o.neuron_bias) setup.neuron_bias = *o.neuron_bias;
  const std::size_t n = setup.input.size();
  if (setup.weight.size() != n || setup.bias.size() != n)
    throw UsageError("--input, --weight and --bias must have the same length (the drawn ones have 5), got " +
                     std::to_string(n) + ", " + std::to_string(setup.weight.size()) + " and " +
                     std::to_string(setup.bias.size()));
  std::cout << run_simulation(setup, simulation_functions());
}

}  // namespace

Command add_simulate_command(CLI::App& parent) {
  auto o = std::make_shared<SimulateOptions>();
  CLI::App* app = parent.add_subcommand("simulate", "Run the seed tutorial's neuron simulation");
  app->footer(
      "Five inputs (random integers in [-100, 100)), weights randn/10 and biases randn, drawn from --seed; each "
      "activation applied to input * weight + bias neuron by neuron, then to one Dense(5 -> 1) neuron: "
      "f(input . weight + neuron bias). Any of the values can be given instead (comma separated).\n\nExample:\n"
      "  xgrad simulate --seed 4\n  xgrad simulate --input=-11,31,44,-58,-34 --weight 0,0,0,0,0");
  app->add_option("--seed", o->seed, "Random seed for the values not given (default 0)")->check(whole_number_check());
  app->add_option("--input", o->input, "The inputs, comma separated")->delimiter(',');
  app->add_option("--weight", o->weight, "The weights, comma separated")->delimiter(',');
  app->add_option("--bias", o->bias, "The per-neuron biases, comma separated")->delimiter(',');
  add_number_option(*app, "--neuron-bias", o->neuron_bias, "The Dense neuron's bias");
  return {app, [o] { run_simulate(*o); }};
}

}  // namespace xgrad::cli
