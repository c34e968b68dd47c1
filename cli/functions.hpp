#pragma once
// The activation functions by name, with their parameters, for `eval` and
// `plot`: f(x) and the input's gradient from backward through the graph.
// Names, parameters and defaults all come from the library's catalogue.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <xgrad.hpp>

namespace xgrad::cli {

/// The parameters given on the command line, by their PyTorch names
/// (--negative-slope, --alpha, --beta, --threshold, --min-val, ...); unset
/// ones take each function's default.
struct FunctionParameters {
  std::map<std::string, std::optional<double>> given;
};

/// One option per parameter name of the catalogue (underscores as dashes).
void add_function_parameter_options(CLI::App& app, FunctionParameters& parameters);

/// The names `eval` and `plot` know: every activation of the catalogue.
const std::vector<std::string>& function_names();

/// Throws UsageError for an unknown name (listing the known ones), and for a
/// parameter given that none of `names` uses ("--beta applies to softplus only").
void check_functions(const std::vector<std::string>& names, const FunctionParameters& parameters);

/// The function's spec with the given parameters (UsageError for a value
/// outside the parameter's domain, in the library's words).
ActivationSpec function_spec(const std::string& name, const FunctionParameters& parameters);

/// softmax, log_softmax, softmin and glu take their input as one vector; the rest act elementwise.
bool is_vector_function(const std::string& name);

/// "leaky_relu (negative_slope = 0.2)": the function and its parameters, for titles.
std::string describe_function(const std::string& name, const FunctionParameters& parameters);

template <class T>
struct FunctionValues {
  Tensor<T> y;     ///< f(x) (glu: half as many values)
  Tensor<T> grad;  ///< d(upstream . f(x)) / dx, by backward
  Tensor<T> grad2;  ///< with order 2: d(sum of grad) / dx by double backward (f''(x) for an elementwise f)
};

/// Runs f on x (1-D) and backward with `upstream` (y's shape); with order 2
/// also differentiates the gradient once more (grad with create_graph).
template <class T>
FunctionValues<T> evaluate_function(const std::string& name, const FunctionParameters& parameters, const Tensor<T>& x,
                                    const Tensor<T>& upstream, int order = 1);

}  // namespace xgrad::cli
