#pragma once
/// Sequential: layers applied in order; parameters named "<index>.<name>".
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
  std::vector<std::pair<std::string, Variable<T>>> named_parameters() const override;
  void train(bool mode = true) override;
  std::string type_name() const override { return "Sequential"; }
  std::optional<std::size_t> output_features(std::optional<std::size_t> input) const override;
  LayerConfig config() const override { return {"Sequential", {}, {}}; }

  /// Keras-style table: each layer, its output shape and parameter count, and the totals.
  std::string summary(std::optional<std::size_t> input_features = std::nullopt) const;

  const std::vector<std::shared_ptr<Module<T>>>& layers() const { return layers_; }
  std::size_t size() const { return layers_.size(); }

 private:
  std::vector<std::shared_ptr<Module<T>>> layers_;
};

}  // namespace xgrad
