#pragma once
/// Module: the base of every layer. forward (and the call operator) builds
/// the autograd graph; backward is the graph's. Parameters are named ("weight",
/// "bias"; Sequential prefixes the layer index: "0.weight").
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

template <class T>
class Module {
 public:
  virtual ~Module() = default;
  virtual Variable<T> forward(const Variable<T>& x) = 0;
  Variable<T> operator()(const Variable<T>& x) { return forward(x); }

  virtual std::vector<std::pair<std::string, Variable<T>>> named_parameters() const { return {}; }
  std::vector<Variable<T>> parameters() const;
  std::size_t parameter_count() const;
  void zero_grad();

  /// train() / eval(): no layer of xgrad behaves differently yet, but the mode
  /// is kept and propagated, as in Keras and PyTorch.
  virtual void train(bool mode = true) { training_ = mode; }
  void eval() { train(false); }
  bool is_training() const { return training_; }

  /// "Dense", "Activation", ...
  virtual std::string type_name() const = 0;
  /// The number of output features for `input` features (unknown stays unknown).
  virtual std::optional<std::size_t> output_features(std::optional<std::size_t> input) const { return input; }
  virtual LayerConfig config() const = 0;

 private:
  bool training_ = true;
};

/// Rebuilds a layer from its config (fresh parameters of the right shapes).
template <class T>
std::shared_ptr<Module<T>> make_layer(const LayerConfig& config);

}  // namespace xgrad
