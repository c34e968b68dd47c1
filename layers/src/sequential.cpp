#include "xgrad/layers/sequential.hpp"

#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace xgrad {

template <class T>
Sequential<T>& Sequential<T>::add(std::shared_ptr<Module<T>> layer) {
  if (!layer) throw std::invalid_argument("Sequential::add: null layer");
  this->register_module(std::to_string(layers_.size()), layer);
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
std::optional<std::size_t> Sequential<T>::output_features(std::optional<std::size_t> input) const {
  for (auto& layer : layers_) input = layer->output_features(input);
  return input;
}

template <class T>
std::optional<std::size_t> Sequential<T>::input_features() const {
  for (auto& layer : layers_) {
    if (auto need = layer->input_features()) return need;
    if (layer->output_features(std::nullopt)) return std::nullopt;  // the first layer that fixes a width decides
  }
  return std::nullopt;
}

template <class T>
void Sequential<T>::check_shapes(std::optional<std::size_t> input_features) const {
  std::optional<std::size_t> features = input_features;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const auto need = layers_[i]->input_features();
    if (features && need && *features != *need) {
      const std::string from = i == 0 ? std::string("the input has ")
                                      : "layer " + std::to_string(i - 1) + " (" + layers_[i - 1]->type_name() +
                                            ") outputs ";
      throw std::invalid_argument("Sequential: " + from + std::to_string(*features) + " features, but layer " +
                                  std::to_string(i) + " (" + layers_[i]->type_name() + ") expects " +
                                  std::to_string(*need));
    }
    features = layers_[i]->output_features(features ? features : need);
  }
}

template <class T>
std::string Sequential<T>::summary(std::optional<std::size_t> input_features) const {
  std::ostringstream out;
  char line[160];
  const std::string rule(65, '_'), thick(65, '=');
  out << "Model: \"sequential\"\n" << rule << "\n";
  std::snprintf(line, sizeof line, " %-28s %-20s %12s\n", "Layer (type)", "Output Shape", "Param #");
  out << line << thick << "\n";
  check_shapes(input_features);
  std::optional<std::size_t> features = input_features;
  std::size_t total = 0, fixed = 0;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const auto& layer = layers_[i];
    features = layer->output_features(features ? features : layer->input_features());
    const std::string name = std::to_string(i) + " (" + layer->type_name() + ")";
    const std::string shape = "(None, " + (features ? std::to_string(*features) : std::string("?")) + ")";
    const std::size_t trainable = layer->parameter_count(), buffers = layer->buffer_count();
    const std::size_t params = trainable + buffers;
    total += params;
    fixed += buffers;
    std::snprintf(line, sizeof line, " %-28s %-20s %12zu\n", name.c_str(), shape.c_str(), params);
    out << line << (i + 1 < layers_.size() ? "\n" : "");
  }
  out << thick << "\nTotal params: " << total << "\nTrainable params: " << total - fixed
      << "\nNon-trainable params: " << fixed << "\n" << rule << "\n";
  return out.str();
}

template class Sequential<float>;
template class Sequential<double>;

}  // namespace xgrad
