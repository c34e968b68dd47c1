#pragma once
/// Sequential: layers applied in order, registered as the sub-modules "0",
/// "1", ...: parameters named "<index>.<name>".
#include <memory>
#include <string>
#include <vector>

#include "xgrad/layers/module.hpp"

namespace xgrad {

template <class T>
class Sequential : public Module<T> {
 public:
  Sequential() = default;
  Sequential& add(std::shared_ptr<Module<T>> layer);
  template <class Layer, class... Args>
  Sequential& add(Args&&... args) { return add(std::make_shared<Layer>(std::forward<Args>(args)...)); }

  Variable<T> forward(const Variable<T>& x) override;
  std::string type_name() const override { return "Sequential"; }
  std::optional<std::size_t> output_features(std::optional<std::size_t> input) const override;
  std::optional<std::size_t> input_features() const override;
  LayerConfig config() const override { return {"Sequential", {}, {}}; }

  /// Keras-style table: each layer, its output shape and parameter count, and
  /// the totals (buffers such as BatchNorm's running statistics count as
  /// non-trainable). Checks first that each layer's output fits the next
  /// layer's input (check_shapes).
  std::string summary(std::optional<std::size_t> input_features = std::nullopt) const;
  /// Throws std::invalid_argument naming both layers and both feature counts
  /// where one layer's output does not fit the next one's input (or the input
  /// does not fit the first layer).
  void check_shapes(std::optional<std::size_t> input_features = std::nullopt) const;

  const std::vector<std::shared_ptr<Module<T>>>& layers() const { return layers_; }
  std::size_t size() const { return layers_.size(); }

 private:
  std::vector<std::shared_ptr<Module<T>>> layers_;
};

}  // namespace xgrad
