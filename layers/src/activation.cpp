#include "xgrad/layers/activation.hpp"

#include <cmath>
#include <stdexcept>

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

ActivationSpec parse_activation(const std::string& name) {
  if (name == "none" || name.empty()) return ActivationSpec{Act::linear};
  return ActivationSpec{activation_by_name(name).id};
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
