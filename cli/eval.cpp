// xgrad eval FUNCTION [X ...]: f(x) and the input's gradient, as CSV.
#include <unistd.h>

#include <iostream>
#include <iterator>
#include <memory>

#include "command.hpp"
#include "functions.hpp"
#include "numbers.hpp"

namespace xgrad::cli {

namespace {

struct EvalOptions {
  std::string function;
  std::vector<std::string> inputs, upstream;
  FunctionParameters parameters;
  std::string dtype = "float32";
  int order = 1;
};

template <class T>
void run_eval(const EvalOptions& o) {
  check_functions({o.function}, o.parameters);
  std::vector<T> inputs;
  if (!o.inputs.empty()) {
    inputs = parse_number_arguments<T>(o.inputs, "X");
  } else {
    if (isatty(STDIN_FILENO)) std::cerr << "xgrad eval: reading X values from standard input (end with Ctrl-D)\n";
    const std::string text(std::istreambuf_iterator<char>(std::cin), {});
    inputs = parse_number_list<T>(text, "standard input");
  }
  if (inputs.empty()) throw UsageError("no input: give X values as arguments or on standard input");
  const std::size_t n = inputs.size();
  const bool halves = activation_by_name(o.function).shape == ActivationShape::halves;
  const std::size_t outputs = halves ? n / 2 : n;  // glu: one output per pair (a_i, b_i); an odd n is refused below
  Tensor<T> upstream = xt::ones<T>({outputs});
  if (!o.upstream.empty()) {
    const std::vector<T> values = parse_number_arguments<T>(o.upstream, "--upstream");
    if (values.size() != outputs)
      throw UsageError("--upstream has " + std::to_string(values.size()) + " value" + (values.size() == 1 ? "" : "s") +
                       " but there " + (outputs == 1 ? "is 1 output" : "are " + std::to_string(outputs) + " outputs"));
    std::copy(values.begin(), values.end(), upstream.begin());
  }
  Tensor<T> x = Tensor<T>::from_shape({n});
  std::copy(inputs.begin(), inputs.end(), x.begin());
  const FunctionValues<T> values = evaluate_function(o.function, o.parameters, x, upstream, o.order);
  std::string csv = o.order == 2 ? "x,y,grad,grad2\n" : "x,y,grad\n";
  for (std::size_t i = 0; i < n; ++i)
    csv += format_number(x(i)) + "," + (i < values.y.size() ? format_number(values.y(i)) : "") + "," +
           format_number(values.grad(i)) + (o.order == 2 ? "," + format_number(values.grad2(i)) : std::string()) + "\n";
  std::cout << csv;
}

}  // namespace

Command add_eval_command(CLI::App& parent) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* app = parent.add_subcommand("eval", "Evaluate an activation function and its gradient (by autograd) as CSV");
  app->footer(
      "Prints the CSV header x,y,grad and one row per input: y = f(x) and grad = the gradient reaching x when "
      "backward runs from y with the upstream gradient (f'(x) for an elementwise function and the default upstream of "
      "ones). With --order 2 a fourth column grad2 is the gradient of the sum of grad, by double backward: f''(x) for an "
      "elementwise function. softmax, log_softmax, softmin and glu take all the inputs as one vector; glu's y has a value for each of "
      "the first half of the rows (a_i sigmoid(b_i)), and --upstream one per output. Numbers print with 9 significant digits for "
      "float32 and 17 for float64, so they read back exactly.\n\nExamples:\n  xgrad eval sigmoid -2 0 2\n"
      "  echo '1, 2, 3' | xgrad eval softmax --upstream 1,0,0 --dtype float64");
  app->add_option("FUNCTION", o->function, "One of: " + [] {
    return activation_name_list();
  }())->required();
  app->add_option("X", o->inputs,
                  "Input values (commas also separate; nan, inf and -inf accepted). None: read them from standard "
                  "input, separated by whitespace or commas")
      ->type_name("NUMBER");
  add_function_parameter_options(*app, o->parameters);
  app->add_option("--dtype", o->dtype, "float32 (the default) or float64")->check(CLI::IsMember({"float32", "float64"}));
  app->add_option("--order", o->order, "1 (the default) or 2: also print grad2, the second derivative by double backward")
      ->check(CLI::IsMember({1, 2}));
  app->add_option("--upstream", o->upstream, "The upstream gradient, one value per input (default: all ones)")
      ->type_name("NUMBER");
  return {app, [o] { o->dtype == "float64" ? run_eval<double>(*o) : run_eval<float>(*o); }};
}

}  // namespace xgrad::cli
