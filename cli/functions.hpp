#pragma once
// The activation functions by name, with their parameters, for `eval` and
// `plot`: f(x) and the input's gradient from backward through the graph.
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <xgrad.hpp>

namespace xgrad::cli {

/// The options --alpha, --beta, --threshold and --approximate; unset ones take
/// each function's default (leaky_relu 0.01, prelu 0.25, elu 1; softplus beta 1,
/// threshold 20; gelu none).
struct FunctionParameters {
  std::optional<double> alpha, beta, threshold;
  std::optional<std::string> approximate;
};

void add_function_parameter_options(CLI::App& app, FunctionParameters& parameters);

/// The names `eval` and `plot` know, the library's own.
const std::vector<std::string>& function_names();

/// Throws UsageError for an unknown name (listing the known ones), and for a
/// parameter given that none of `names` uses ("--beta applies to softplus only").
void check_functions(const std::vector<std::string>& names, const FunctionParameters& parameters);

/// softmax and log_softmax take their input as one vector; the rest act elementwise.
bool is_vector_function(const std::string& name);

/// "leaky_relu (alpha = 0.2)": the function and the parameters it uses, for titles.
std::string describe_function(const std::string& name, const FunctionParameters& parameters);

template <class T>
struct FunctionValues {
  Tensor<T> y;     ///< f(x)
  Tensor<T> grad;  ///< d(upstream . f(x)) / dx, by backward
};

/// Runs f on x (1-D) and backward with `upstream` (x's shape). An invalid
/// parameter value (beta = 0, ...) is a UsageError with the library's message.
template <class T>
FunctionValues<T> evaluate_function(const std::string& name, const FunctionParameters& parameters, const Tensor<T>& x,
                                    const Tensor<T>& upstream);

}  // namespace xgrad::cli
