#include "functions.hpp"

#include <stdexcept>

#include "command.hpp"
#include "numbers.hpp"

namespace xgrad::cli {

namespace {

// Which functions use which option.
const std::vector<std::string> uses_alpha{"leaky_relu", "prelu", "elu"};
const std::vector<std::string> uses_beta_threshold{"softplus"};
const std::vector<std::string> uses_approximate{"gelu"};

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string joined(const std::vector<std::string>& names, const std::string& last_separator) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i)
    out += (i == 0 ? "" : i + 1 == names.size() ? last_separator : ", ") + names[i];
  return out;
}

double default_alpha(const std::string& name) { return name == "leaky_relu" ? 0.01 : name == "prelu" ? 0.25 : 1.0; }

}  // namespace

void add_function_parameter_options(CLI::App& app, FunctionParameters& p) {
  add_number_option(app, "--alpha", p.alpha, "leaky_relu's negative slope (default 0.01), prelu's alpha (0.25), elu's alpha (1)");
  add_number_option(app, "--beta", p.beta, "softplus's beta, > 0 (default 1)");
  add_number_option(app, "--threshold", p.threshold, "softplus's threshold, >= 0: linear where beta x > threshold (default 20)");
  app.add_option("--approximate", p.approximate, "gelu: none (exact, the default) or tanh")
      ->check(CLI::IsMember({"none", "tanh"}));
}

const std::vector<std::string>& function_names() {
  static const std::vector<std::string> names{"sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "softplus",
                                              "gelu", "gelu_tanh", "softmax", "log_softmax", "linear"};
  return names;
}

void check_functions(const std::vector<std::string>& names, const FunctionParameters& p) {
  for (const auto& name : names)
    if (!contains(function_names(), name))
      throw UsageError("unknown function '" + name + "' (known: " + joined(function_names(), ", ") + ")");
  auto check = [&](bool given, const char* option, const std::vector<std::string>& users) {
    if (!given) return;
    for (const auto& name : names)
      if (contains(users, name)) return;
    throw UsageError(std::string(option) + " applies to " + joined(users, " and ") + " only, not to " +
                     joined(names, " and "));
  };
  check(p.alpha.has_value(), "--alpha", uses_alpha);
  check(p.beta.has_value(), "--beta", uses_beta_threshold);
  check(p.threshold.has_value(), "--threshold", uses_beta_threshold);
  check(p.approximate.has_value(), "--approximate", uses_approximate);
}

bool is_vector_function(const std::string& name) { return name == "softmax" || name == "log_softmax"; }

std::string describe_function(const std::string& name, const FunctionParameters& p) {
  std::string parameters;
  if (contains(uses_alpha, name)) parameters = "alpha = " + format_number(p.alpha.value_or(default_alpha(name)));
  if (name == "softplus")
    parameters = "beta = " + format_number(p.beta.value_or(1.0)) + ", threshold = " + format_number(p.threshold.value_or(20.0));
  if (name == "gelu") parameters = "approximate = " + p.approximate.value_or("none");
  return parameters.empty() ? name : name + " (" + parameters + ")";
}

template <class T>
FunctionValues<T> evaluate_function(const std::string& name, const FunctionParameters& p, const Tensor<T>& x_value,
                                    const Tensor<T>& upstream) {
  const Variable<T> x(x_value, /*requires_grad=*/true);
  const double alpha = p.alpha.value_or(default_alpha(name));
  Variable<T> y;
  try {
    if (name == "prelu") {  // a layer in the library (learnable alpha); here one alpha for every input
      y = prelu(x, Variable<T>(Tensor<T>({static_cast<T>(alpha)}), true));
    } else {
      ActivationSpec spec{parse_activation(name)};
      if (name == "gelu" && p.approximate.value_or("none") == "tanh") spec.kind = ActivationKind::gelu_tanh;
      spec.alpha = alpha;  // leaky_relu's slope or elu's alpha
      spec.beta = p.beta.value_or(1.0);
      spec.threshold = p.threshold.value_or(20.0);
      y = apply_activation(spec, x);
    }
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());  // the library's words: "softplus: beta must be a finite number > 0, got 0"
  }
  y.backward(upstream);
  return {y.value(), x.grad()};
}

template FunctionValues<float> evaluate_function<float>(const std::string&, const FunctionParameters&, const Tensor<float>&,
                                                        const Tensor<float>&);
template FunctionValues<double> evaluate_function<double>(const std::string&, const FunctionParameters&,
                                                          const Tensor<double>&, const Tensor<double>&);

}  // namespace xgrad::cli
