#include "xgrad/layers/module.hpp"

#include <stdexcept>

#include "xgrad/layers/activation.hpp"
#include "xgrad/layers/dense.hpp"
#include "xgrad/layers/prelu.hpp"

namespace xgrad {

template <class T>
std::vector<Variable<T>> Module<T>::parameters() const {
  std::vector<Variable<T>> out;
  for (auto& [name, p] : named_parameters()) out.push_back(p);
  return out;
}

template <class T>
std::size_t Module<T>::parameter_count() const {
  std::size_t n = 0;
  for (auto& [name, p] : named_parameters()) n += p.size();
  return n;
}

template <class T>
void Module<T>::zero_grad() {
  for (auto& [name, p] : named_parameters()) {
    Variable<T> handle = p;
    handle.zero_grad();
  }
}

namespace {
double number(const LayerConfig& c, const std::string& key) {
  auto it = c.numbers.find(key);
  if (it == c.numbers.end())
    throw std::invalid_argument("layer config of type " + c.type + " lacks the number '" + key + "'");
  return it->second;
}
std::string text(const LayerConfig& c, const std::string& key) {
  auto it = c.strings.find(key);
  if (it == c.strings.end())
    throw std::invalid_argument("layer config of type " + c.type + " lacks the string '" + key + "'");
  return it->second;
}
std::size_t count(const LayerConfig& c, const std::string& key) {
  const double v = number(c, key);
  if (!(v >= 1 && v <= 1e9) || v != static_cast<double>(static_cast<std::size_t>(v)))
    throw std::invalid_argument("layer config of type " + c.type + ": '" + key + "' must be a positive integer");
  return static_cast<std::size_t>(v);
}
ActivationSpec activation_spec(const LayerConfig& c) { return read_activation(c); }
}  // namespace

template <class T>
std::shared_ptr<Module<T>> make_layer(const LayerConfig& c) {
  if (c.type == "Dense")
    return std::make_shared<Dense<T>>(count(c, "in_features"), count(c, "units"), activation_spec(c),
                                      number(c, "use_bias") != 0, parse_initializer(text(c, "initializer")));
  if (c.type == "Activation") return std::make_shared<Activation<T>>(activation_spec(c));
  if (c.type == "PReLU") return std::make_shared<PReLU<T>>(count(c, "num_parameters"), number(c, "init"));
  throw std::invalid_argument("unknown layer type '" + c.type + "' (known: Dense, Activation, PReLU)");
}

template class Module<float>;
template class Module<double>;
template std::shared_ptr<Module<float>> make_layer<float>(const LayerConfig&);
template std::shared_ptr<Module<double>> make_layer<double>(const LayerConfig&);

}  // namespace xgrad
