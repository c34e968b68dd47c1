#include "xgrad/layers/sequential.hpp"

#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace xgrad {

template <class T>
Sequential<T>& Sequential<T>::add(std::shared_ptr<Module<T>> layer) {
  if (!layer) throw std::invalid_argument("Sequential::add: null layer");
  // Parameters carry their names ("0.weight") for to_dot and anomaly messages.
  const std::string prefix = std::to_string(layers_.size()) + ".";
  for (auto& [name, p] : layer->named_parameters()) {
    Variable<T> handle = p;
    handle.set_name(prefix + name);
  }
  layers_.push_back(std::move(layer));
  return *this;
}

template <class T>
Variable<T> Sequential<T>::forward(const Variable<T>& x) {
  Variable<T> h = x;
  if (anomaly_mode_enabled()) {  // name the layer in anomaly messages; off, this costs nothing
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      LayerScope scope(std::to_string(i) + " (" + layers_[i]->type_name() + ")");
      h = layers_[i]->forward(h);
    }
    return h;
  }
  for (auto& layer : layers_) h = layer->forward(h);
  return h;
}

template <class T>
std::vector<std::pair<std::string, Variable<T>>> Sequential<T>::named_parameters() const {
  std::vector<std::pair<std::string, Variable<T>>> out;
  for (std::size_t i = 0; i < layers_.size(); ++i)
    for (auto& [name, p] : layers_[i]->named_parameters()) out.emplace_back(std::to_string(i) + "." + name, p);
  return out;
}

template <class T>
void Sequential<T>::train(bool mode) {
  Module<T>::train(mode);
  for (auto& layer : layers_) layer->train(mode);
}

template <class T>
std::optional<std::size_t> Sequential<T>::output_features(std::optional<std::size_t> input) const {
  for (auto& layer : layers_) input = layer->output_features(input);
  return input;
}

template <class T>
std::string Sequential<T>::summary(std::optional<std::size_t> input_features) const {
  std::ostringstream out;
  char line[160];
  const std::string rule(65, '_'), thick(65, '=');
  out << "Model: \"sequential\"\n" << rule << "\n";
  std::snprintf(line, sizeof line, " %-28s %-20s %12s\n", "Layer (type)", "Output Shape", "Param #");
  out << line << thick << "\n";
  std::optional<std::size_t> features = input_features;
  std::size_t total = 0;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const auto& layer = layers_[i];
    features = layer->output_features(features);
    const std::string name = std::to_string(i) + " (" + layer->type_name() + ")";
    const std::string shape = "(None, " + (features ? std::to_string(*features) : std::string("?")) + ")";
    const std::size_t params = layer->parameter_count();
    total += params;
    std::snprintf(line, sizeof line, " %-28s %-20s %12zu\n", name.c_str(), shape.c_str(), params);
    out << line << (i + 1 < layers_.size() ? "\n" : "");
  }
  out << thick << "\nTotal params: " << total << "\nTrainable params: " << total
      << "\nNon-trainable params: 0\n" << rule << "\n";
  return out.str();
}

template class Sequential<float>;
template class Sequential<double>;

}  // namespace xgrad
