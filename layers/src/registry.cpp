// The layer registry by type name: the built-in layers, and custom ones that join.
#include <mutex>
#include <stdexcept>

#include "xgrad/layers/activation.hpp"
#include "xgrad/layers/dense.hpp"
#include "xgrad/layers/dropout.hpp"
#include "xgrad/layers/module.hpp"
#include "xgrad/layers/normalization.hpp"
#include "xgrad/layers/prelu.hpp"

namespace xgrad {

double config_number(const LayerConfig& c, const std::string& key) {
  auto it = c.numbers.find(key);
  if (it == c.numbers.end())
    throw std::invalid_argument("layer config of type " + c.type + " lacks the number '" + key + "'");
  return it->second;
}

std::string config_string(const LayerConfig& c, const std::string& key) {
  auto it = c.strings.find(key);
  if (it == c.strings.end())
    throw std::invalid_argument("layer config of type " + c.type + " lacks the string '" + key + "'");
  return it->second;
}

std::size_t config_count(const LayerConfig& c, const std::string& key) {
  const double v = config_number(c, key);
  if (!(v >= 1 && v <= 1e9) || v != static_cast<double>(static_cast<std::size_t>(v)))
    throw std::invalid_argument("layer config of type " + c.type + ": '" + key + "' must be a positive integer");
  return static_cast<std::size_t>(v);
}

namespace {

ActivationSpec activation_spec(const LayerConfig& c) { return read_activation(c); }

template <class T>
struct Registry {
  std::mutex mutex;
  std::map<std::string, LayerFactory<T>> factories;

  // The built-ins are filled in here, on first use, rather than by static
  // objects in each layer's file, which a static library's link may drop.
  Registry() {
    factories["Dense"] = [](const LayerConfig& c) -> std::shared_ptr<Module<T>> {
      return std::make_shared<Dense<T>>(config_count(c, "in_features"), config_count(c, "units"), activation_spec(c),
                                        config_number(c, "use_bias") != 0,
                                        parse_initializer(config_string(c, "initializer")));
    };
    factories["Activation"] = [](const LayerConfig& c) -> std::shared_ptr<Module<T>> {
      return std::make_shared<Activation<T>>(activation_spec(c));
    };
    factories["PReLU"] = [](const LayerConfig& c) -> std::shared_ptr<Module<T>> {
      return std::make_shared<PReLU<T>>(config_count(c, "num_parameters"), config_number(c, "init"));
    };
    factories["Dropout"] = [](const LayerConfig& c) -> std::shared_ptr<Module<T>> {
      return std::make_shared<Dropout<T>>(config_number(c, "p"));
    };
    factories["BatchNorm1d"] = [](const LayerConfig& c) -> std::shared_ptr<Module<T>> {
      return std::make_shared<BatchNorm1d<T>>(config_count(c, "num_features"), config_number(c, "momentum"),
                                              config_number(c, "eps"));
    };
    factories["LayerNorm"] = [](const LayerConfig& c) -> std::shared_ptr<Module<T>> {
      return std::make_shared<LayerNorm<T>>(config_count(c, "normalized_shape"), config_number(c, "eps"));
    };
  }
};

template <class T>
Registry<T>& registry() {
  static Registry<T> r;
  return r;
}

}  // namespace

template <class T>
void register_layer(const std::string& type, LayerFactory<T> factory) {
  if (type.empty()) throw std::invalid_argument("register_layer: the type name is empty");
  if (!factory) throw std::invalid_argument("register_layer('" + type + "'): the factory is empty");
  Registry<T>& r = registry<T>();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.factories[type] = std::move(factory);
}

template <class T>
bool is_layer_registered(const std::string& type) {
  Registry<T>& r = registry<T>();
  std::lock_guard<std::mutex> lock(r.mutex);
  return r.factories.count(type) != 0;
}

template <class T>
std::vector<std::string> registered_layer_types() {
  Registry<T>& r = registry<T>();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::vector<std::string> out;
  for (const auto& entry : r.factories) out.push_back(entry.first);
  return out;
}

template <class T>
std::shared_ptr<Module<T>> make_layer(const LayerConfig& c) {
  LayerFactory<T> factory;
  {
    Registry<T>& r = registry<T>();
    std::lock_guard<std::mutex> lock(r.mutex);
    auto it = r.factories.find(c.type);
    if (it != r.factories.end()) factory = it->second;
  }
  if (!factory) {
    std::string known;
    for (const auto& name : registered_layer_types<T>()) known += (known.empty() ? "" : ", ") + name;
    throw std::invalid_argument("unknown layer type '" + c.type + "' (known: " + known +
                                "; register a custom layer with register_layer)");
  }
  std::shared_ptr<Module<T>> layer = factory(c);
  if (!layer) throw std::invalid_argument("the factory of layer type '" + c.type + "' returned no layer");
  return layer;
}

#define XGRAD_INSTANTIATE(T)                                                       \
  template void register_layer<T>(const std::string&, LayerFactory<T>);            \
  template bool is_layer_registered<T>(const std::string&);                        \
  template std::vector<std::string> registered_layer_types<T>();                   \
  template std::shared_ptr<Module<T>> make_layer<T>(const LayerConfig&);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
