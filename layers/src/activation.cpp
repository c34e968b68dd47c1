#include "xgrad/layers/activation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "xgrad/autograd/activations.hpp"

namespace xgrad {

ActivationSpec::ActivationSpec(Act a) : id(a), params(default_params(a)) {}

const char* ActivationSpec::name() const { return activation_info(id).name; }

ActivationSpec& ActivationSpec::set(std::string_view param, double value) {
  const int i = param_index(id, param);
  if (i < 0) {
    const ActivationInfo& info = activation_info(id);
    std::string known;
    for (std::size_t k = 0; k < info.param_count; ++k) known += (k ? ", " : "") + std::string(info.params[k].name);
    throw std::invalid_argument(std::string(info.name) + " has no parameter '" + std::string(param) + "'" +
                                (known.empty() ? " (it takes none)" : " (it takes " + known + ")"));
  }
  params.v[static_cast<std::size_t>(i)] = value;
  return *this;
}

namespace {
std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}
}  // namespace

ActivationSpec parse_activation(const std::string& text) {
  const std::string spelled = trimmed(text);
  if (spelled == "none" || spelled.empty()) return ActivationSpec{Act::linear};
  const auto open = spelled.find('(');
  if (open == std::string::npos) return ActivationSpec{activation_by_name(spelled).id};
  // name(param=value, ...): each parameter by its PyTorch name.
  const std::string where = "activation '" + spelled + "'";
  if (spelled.back() != ')' || spelled.find('(', open + 1) != std::string::npos ||
      spelled.find(')') != spelled.size() - 1)
    throw std::invalid_argument(where + ": write name(param=value, ...), e.g. leaky_relu(negative_slope=0.2)");
  ActivationSpec spec{activation_by_name(trimmed(spelled.substr(0, open))).id};
  const std::string inside = spelled.substr(open + 1, spelled.size() - open - 2);
  if (trimmed(inside).empty()) return spec;
  std::vector<std::string> seen;
  std::size_t start = 0;
  while (start <= inside.size()) {
    const auto comma = std::min(inside.find(',', start), inside.size());
    const std::string item = trimmed(inside.substr(start, comma - start));
    start = comma + 1;
    const auto eq = item.find('=');
    if (eq == std::string::npos)
      throw std::invalid_argument(where + ": '" + item + "' is not param=value");
    const std::string param = trimmed(item.substr(0, eq)), value = trimmed(item.substr(eq + 1));
    if (std::find(seen.begin(), seen.end(), param) != seen.end())
      throw std::invalid_argument(where + ": " + param + " is given twice");
    seen.push_back(param);
    char* end = nullptr;
    const double v = value.empty() ? 0.0 : std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0')
      throw std::invalid_argument(where + ": " + param + " = '" + value + "' is not a number");
    spec.set(param, v);  // names the parameters it takes when `param` is not one
  }
  check_params(spec.id, spec.params);
  return spec;
}

std::string activation_name(const ActivationSpec& spec) { return spec.name(); }

const std::vector<std::string>& activation_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& a : activation_catalogue())
      if (!a.learnable) out.emplace_back(a.name);
    return out;
  }();
  return names;
}

void write_activation(const ActivationSpec& spec, LayerConfig& config) {
  const ActivationInfo& info = activation_info(spec.id);
  config.strings["activation"] = info.name;
  for (std::size_t i = 0; i < info.param_count; ++i) config.numbers[info.params[i].name] = spec.params[i];
}

ActivationSpec read_activation(const LayerConfig& config) {
  auto it = config.strings.find("activation");
  if (it == config.strings.end())
    throw std::invalid_argument("layer config of type " + config.type + " lacks the string 'activation'");
  ActivationSpec spec = parse_activation(it->second);
  const ActivationInfo& info = activation_info(spec.id);
  for (std::size_t i = 0; i < info.param_count; ++i)
    if (auto p = config.numbers.find(info.params[i].name); p != config.numbers.end()) spec.params.v[i] = p->second;
  // Files written before the catalogue kept leaky_relu's slope under "alpha".
  if (spec.id == Act::leaky_relu && !config.numbers.count("negative_slope"))
    if (auto p = config.numbers.find("alpha"); p != config.numbers.end()) spec.params.v[0] = p->second;
  return spec;
}

std::optional<std::size_t> activation_output_features(const ActivationSpec& spec, std::optional<std::size_t> input) {
  if (spec.id == Act::glu && input) return *input / 2;
  return input;
}

template <class T>
Variable<T> apply_activation(const ActivationSpec& s, const Variable<T>& x, bool training) {
  const ActivationInfo& info = activation_info(s.id);
  if (info.shape != ActivationShape::elementwise) return axis_activation(x, s.id, -1);
  if (info.random_in_training && training) return rrelu(x, s.params[0], s.params[1], true);
  return activation(x, s.id, s.params);
}

template <class T>
Activation<T>::Activation(ActivationSpec spec) : spec_(spec) {
  // Fail at construction, not at the first forward.
  if (activation_info(spec_.id).learnable)
    throw std::invalid_argument(std::string(spec_.name()) +
                                " has a learnable parameter: use the PReLU layer, not an Activation");
  check_params(spec_.id, spec_.params);
}

template <class T>
LayerConfig Activation<T>::config() const {
  LayerConfig c{"Activation", {}, {}};
  write_activation(spec_, c);
  return c;
}

template Variable<float> apply_activation(const ActivationSpec&, const Variable<float>&, bool);
template Variable<double> apply_activation(const ActivationSpec&, const Variable<double>&, bool);
template class Activation<float>;
template class Activation<double>;

}  // namespace xgrad
