#include "xgrad/layers/activation.hpp"

#include <cmath>
#include <stdexcept>

#include "xgrad/autograd/activations.hpp"
#include "xgrad/core/activations.hpp"

namespace xgrad {

namespace {
const std::vector<std::pair<std::string, ActivationKind>>& table() {
  static const std::vector<std::pair<std::string, ActivationKind>> entries = {
      {"linear", ActivationKind::linear},         {"sigmoid", ActivationKind::sigmoid},
      {"tanh", ActivationKind::tanh},             {"relu", ActivationKind::relu},
      {"leaky_relu", ActivationKind::leaky_relu}, {"elu", ActivationKind::elu},
      {"softplus", ActivationKind::softplus},     {"softmax", ActivationKind::softmax},
      {"log_softmax", ActivationKind::log_softmax}, {"gelu", ActivationKind::gelu},
      {"gelu_tanh", ActivationKind::gelu_tanh}};
  return entries;
}
double alpha_or(const ActivationSpec& s, double fallback) { return std::isnan(s.alpha) ? fallback : s.alpha; }
}  // namespace

const std::vector<std::string>& activation_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (auto& [name, kind] : table()) out.push_back(name);
    return out;
  }();
  return names;
}

ActivationKind parse_activation(const std::string& name) {
  for (auto& [known, kind] : table())
    if (known == name) return kind;
  if (name == "none" || name.empty()) return ActivationKind::linear;
  std::string list;
  for (auto& n : activation_names()) list += (list.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown activation '" + name + "' (known: " + list + ")");
}

std::string activation_name(ActivationKind kind) {
  for (auto& [name, k] : table())
    if (k == kind) return name;
  return "?";
}

template <class T>
Variable<T> apply_activation(const ActivationSpec& s, const Variable<T>& x) {
  switch (s.kind) {
    case ActivationKind::linear: return x;
    case ActivationKind::sigmoid: return sigmoid(x);
    case ActivationKind::tanh: return tanh(x);
    case ActivationKind::relu: return relu(x);
    case ActivationKind::leaky_relu: return leaky_relu(x, alpha_or(s, 0.01));
    case ActivationKind::elu: return elu(x, alpha_or(s, 1.0));
    case ActivationKind::softplus: return softplus(x, s.beta, s.threshold);
    case ActivationKind::softmax: return softmax(x, -1);
    case ActivationKind::log_softmax: return log_softmax(x, -1);
    case ActivationKind::gelu: return gelu(x, GeluApproximate::none);
    case ActivationKind::gelu_tanh: return gelu(x, GeluApproximate::tanh);
  }
  throw std::invalid_argument("apply_activation: unknown activation kind");
}

template <class T>
void Activation<T>::check() const {
  // Fail at construction, not at the first forward.
  if (spec_.kind == ActivationKind::elu) math::check_elu_alpha(alpha_or(spec_, 1.0));
  if (spec_.kind == ActivationKind::leaky_relu) math::check_slope(alpha_or(spec_, 0.01), "leaky_relu");
  if (spec_.kind == ActivationKind::softplus) math::check_softplus_parameters(spec_.beta, spec_.threshold);
}

template <class T>
LayerConfig Activation<T>::config() const {
  LayerConfig c{"Activation", {}, {{"activation", activation_name(spec_.kind)}}};
  if (!std::isnan(spec_.alpha)) c.numbers["alpha"] = spec_.alpha;
  if (spec_.kind == ActivationKind::softplus) {
    c.numbers["beta"] = spec_.beta;
    c.numbers["threshold"] = spec_.threshold;
  }
  return c;
}

template Variable<float> apply_activation(const ActivationSpec&, const Variable<float>&);
template Variable<double> apply_activation(const ActivationSpec&, const Variable<double>&);
template class Activation<float>;
template class Activation<double>;

}  // namespace xgrad
