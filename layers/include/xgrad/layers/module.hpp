#pragma once
/// Module: the base of every layer. forward (and the call operator) builds
/// the autograd graph; backward is the graph's.
///
/// A module registers what it owns, as PyTorch's register_parameter /
/// register_buffer / register_module: parameters ("weight", "bias"), buffers
/// (state that is saved but not trained, such as BatchNorm's running
/// statistics) and sub-modules. Names then follow by themselves: a sub-module
/// "block" holding a "weight" gives "block.weight"; Sequential registers its
/// layers as "0", "1", ... ("0.weight"). train()/eval() and zero_grad() reach
/// every registered sub-module; state_dict() / load_state_dict() move all
/// parameters and buffers by name.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "xgrad/autograd/variable.hpp"

namespace xgrad {

/// A layer's architecture as plain data, enough to rebuild it (weights aside):
/// what model files store as JSON.
struct LayerConfig {
  std::string type;
  std::map<std::string, double> numbers;
  std::map<std::string, std::string> strings;
};

/// Names to tensors (copies: a snapshot that later training does not change).
template <class T>
using StateDict = std::map<std::string, Tensor<T>>;

/// What load_state_dict(..., strict = false) skipped.
struct LoadStateResult {
  std::vector<std::string> missing_keys;     ///< in the module, not in the dict
  std::vector<std::string> unexpected_keys;  ///< in the dict, not in the module
};

template <class T>
class Module {
 public:
  using Named = std::vector<std::pair<std::string, Variable<T>>>;
  using NamedModules = std::vector<std::pair<std::string, std::shared_ptr<Module<T>>>>;

  virtual ~Module() = default;
  virtual Variable<T> forward(const Variable<T>& x) = 0;
  Variable<T> operator()(const Variable<T>& x) { return forward(x); }

  /// Own parameters, then each sub-module's with its name as prefix. Virtual
  /// so that a module listing its parameters by hand (the way before
  /// registration) keeps working.
  virtual Named named_parameters() const;
  /// Own buffers, then each sub-module's, prefixed the same way.
  Named named_buffers() const;
  /// The directly registered sub-modules.
  const NamedModules& named_children() const { return children_; }
  std::vector<Variable<T>> parameters() const;
  std::size_t parameter_count() const;
  /// Elements held in buffers (Keras counts them as non-trainable parameters).
  std::size_t buffer_count() const;
  void zero_grad();

  /// Training mode (the default) or evaluation mode, for this module and every
  /// registered sub-module: Dropout drops and BatchNorm uses batch statistics
  /// only while training.
  virtual void train(bool mode = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  /// Parameters and buffers by name, copied.
  StateDict<T> state_dict() const;
  /// Copies the values of `state` into this module's parameters and buffers
  /// (the same nodes: optimizers holding them keep working). Checks everything
  /// before changing anything; throws std::invalid_argument naming the key and
  /// both shapes for a shape mismatch, and, when strict, every missing and
  /// unexpected key.
  LoadStateResult load_state_dict(const StateDict<T>& state, bool strict = true);

  /// "Dense", "Activation", ...; the name a model file stores.
  virtual std::string type_name() const = 0;
  /// The number of output features for `input` features (unknown stays unknown).
  virtual std::optional<std::size_t> output_features(std::optional<std::size_t> input) const { return input; }
  /// The number of input features this layer requires, when it requires one.
  virtual std::optional<std::size_t> input_features() const { return std::nullopt; }
  /// The architecture as data; by default the type name alone (enough for a
  /// layer without options).
  virtual LayerConfig config() const { return {type_name(), {}, {}}; }

 protected:
  /// Registration: names are non-empty, free of '.', and unique within the
  /// module (std::invalid_argument otherwise). Each returns what it registered.
  Variable<T> register_parameter(const std::string& name, Variable<T> parameter);
  Variable<T> register_buffer(const std::string& name, Variable<T> buffer);
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }

 private:
  void check_name(const std::string& name, const char* what) const;
  void add_child(const std::string& name, std::shared_ptr<Module<T>> module);
  bool training_ = true;
  Named params_, buffers_;
  NamedModules children_;
};

/// Sets a module's mode for a scope and restores the previous one (that of the
/// module itself, applied to every sub-module) at its end: e.g. validation in
/// eval mode inside a training loop, `TrainingModeGuard<float> eval_mode(model, false);`.
template <class T>
class TrainingModeGuard {
 public:
  TrainingModeGuard(Module<T>& module, bool mode) : module_(module), previous_(module.is_training()) {
    module_.train(mode);
  }
  ~TrainingModeGuard() { module_.train(previous_); }
  TrainingModeGuard(const TrainingModeGuard&) = delete;
  TrainingModeGuard& operator=(const TrainingModeGuard&) = delete;

 private:
  Module<T>& module_;
  bool previous_;
};

/// Rebuilds a layer from its config (fresh parameters of the right shapes)
/// through the layer registry; throws std::invalid_argument for an unknown type,
/// listing the known ones.
template <class T>
std::shared_ptr<Module<T>> make_layer(const LayerConfig& config);

/// A registry by type name, which the built-in layers use too: register a
/// custom layer's factory and model files holding it save and load.
template <class T>
using LayerFactory = std::function<std::shared_ptr<Module<T>>(const LayerConfig&)>;
/// Registers (or replaces) the factory of `type` for dtype T.
template <class T>
void register_layer(const std::string& type, LayerFactory<T> factory);
/// Registers Layer<float> and Layer<double> through Layer<T>::from_config(config).
template <template <class> class Layer>
void register_layer(const std::string& type) {
  register_layer<float>(type, [](const LayerConfig& c) { return Layer<float>::from_config(c); });
  register_layer<double>(type, [](const LayerConfig& c) { return Layer<double>::from_config(c); });
}
template <class T>
bool is_layer_registered(const std::string& type);
template <class T>
std::vector<std::string> registered_layer_types();

/// Reading a config in a factory, with errors that name the type and the key.
double config_number(const LayerConfig& config, const std::string& key);
/// A positive integer (at most 1e9).
std::size_t config_count(const LayerConfig& config, const std::string& key);
std::string config_string(const LayerConfig& config, const std::string& key);

}  // namespace xgrad
