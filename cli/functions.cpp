#include "functions.hpp"

#include <algorithm>
#include <stdexcept>

#include "command.hpp"
#include "numbers.hpp"

namespace xgrad::cli {

namespace {

std::string option_name(const std::string& param) {
  std::string o = "--" + param;
  std::replace(o.begin(), o.end(), '_', '-');
  return o;
}

std::string joined(const std::vector<std::string>& names, const std::string& last_separator) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i)
    out += (i == 0 ? "" : i + 1 == names.size() ? last_separator : ", ") + names[i];
  return out;
}

/// The functions that take a parameter of this name.
std::vector<std::string> users_of(const std::string& param) {
  std::vector<std::string> users;
  for (const auto& a : activation_catalogue())
    if (param_index(a.id, param) >= 0) users.emplace_back(a.name);
  return users;
}

/// Every parameter name of the catalogue, in the order first met.
std::vector<std::string> parameter_names() {
  std::vector<std::string> names;
  for (const auto& a : activation_catalogue())
    for (std::size_t i = 0; i < a.param_count; ++i)
      if (std::find(names.begin(), names.end(), a.params[i].name) == names.end()) names.emplace_back(a.params[i].name);
  return names;
}

NumberCheck any_number() { return {"a number", [](double) { return true; }}; }

}  // namespace

void add_function_parameter_options(CLI::App& app, FunctionParameters& p) {
  for (const auto& param : parameter_names()) {
    std::string help;
    for (const auto& a : activation_catalogue()) {
      const int i = param_index(a.id, param);
      if (i < 0) continue;
      const math::ParamSpec& spec = a.params[i];
      help += (help.empty() ? "" : "; ") + std::string(a.name) + ": " + spec.doc +
              (spec.required() ? " (required)" : " (default " + format_number(spec.default_value) + ")");
    }
    add_number_option(app, option_name(param), p.given[param], help, any_number());
  }
}

const std::vector<std::string>& function_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& a : activation_catalogue()) out.emplace_back(a.name);
    return out;
  }();
  return names;
}

void check_functions(const std::vector<std::string>& names, const FunctionParameters& p) {
  for (const auto& name : names)
    if (!find_activation(name))
      throw UsageError("unknown function '" + name + "' (known: " + activation_name_list() + ")");
  for (const auto& [param, value] : p.given) {
    if (!value) continue;
    bool used = false;
    for (const auto& name : names) used = used || param_index(find_activation(name)->id, param) >= 0;
    if (!used)
      throw UsageError(option_name(param) + " applies to " + joined(users_of(param), " and ") + " only, not to " +
                       joined(names, " and "));
  }
}

ActivationSpec function_spec(const std::string& name, const FunctionParameters& p) {
  ActivationSpec spec = parse_activation(name);
  const ActivationInfo& info = activation_info(spec.id);
  for (std::size_t i = 0; i < info.param_count; ++i)
    if (auto it = p.given.find(info.params[i].name); it != p.given.end() && it->second) spec.params.v[i] = *it->second;
  for (std::size_t i = 0; i < info.param_count; ++i)
    if (info.params[i].required() && std::isnan(spec.params[i]))
      throw UsageError(name + " needs " + option_name(info.params[i].name) + " (" + info.params[i].doc +
                       "; it has no default)");
  try {
    check_params(spec.id, spec.params);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());  // the library's words: "softplus: beta must be a finite number > 0, got 0"
  }
  return spec;
}

bool is_vector_function(const std::string& name) {
  const ActivationInfo* a = find_activation(name);
  return a && a->shape != ActivationShape::elementwise;
}

std::string describe_function(const std::string& name, const FunctionParameters& p) {
  const ActivationSpec spec = function_spec(name, p);
  const ActivationInfo& info = activation_info(spec.id);
  std::string parameters;
  for (std::size_t i = 0; i < info.param_count; ++i)
    parameters += (i ? ", " : "") + std::string(info.params[i].name) + " = " + format_number(spec.params[i]);
  return parameters.empty() ? name : name + " (" + parameters + ")";
}

template <class T>
FunctionValues<T> evaluate_function(const std::string& name, const FunctionParameters& p, const Tensor<T>& x_value,
                                    const Tensor<T>& upstream, int order) {
  const ActivationSpec spec = function_spec(name, p);
  const Variable<T> x(x_value, /*requires_grad=*/true);
  Variable<T> y;
  try {
    if (activation_info(spec.id).learnable)  // prelu: a layer in the library; here one alpha for every input
      y = prelu(x, Variable<T>(Tensor<T>({static_cast<T>(spec.params[0])}), true));
    else
      y = apply_activation(spec, x);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());  // "glu: the length along axis -1 of shape [3] must be even ..."
  }
  if (order < 2) {
    y.backward(upstream);
    return {y.value(), x.grad(), Tensor<T>()};
  }
  const Variable<T> g = grad({y}, {x}, {Variable<T>(upstream)}, true)[0];
  // A gradient that does not depend on x (linear) is a constant: its derivative is 0.
  Tensor<T> g2 = g.requires_grad() ? grad({g}, {x}, {Variable<T>(Tensor<T>(xt::ones<T>(x_value.shape())))}, false,
                                          std::nullopt, true)[0].value()
                                   : Tensor<T>(xt::zeros<T>(x_value.shape()));
  return {y.value(), g.value(), std::move(g2)};
}

template FunctionValues<float> evaluate_function<float>(const std::string&, const FunctionParameters&, const Tensor<float>&,
                                                        const Tensor<float>&, int);
template FunctionValues<double> evaluate_function<double>(const std::string&, const FunctionParameters&,
                                                          const Tensor<double>&, const Tensor<double>&, int);

}  // namespace xgrad::cli
