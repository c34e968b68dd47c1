#pragma once
/// PReLU with a learnable alpha: y = x if x > 0 else alpha x,
/// dy/dx = 1 if x > 0 else alpha, dy/dalpha = 0 if x > 0 else x.
/// alpha has shape [num_parameters]: 1 (shared) or the feature count
/// (broadcast along the last axis of x [batch, features]).
#include "xgrad/layers/module.hpp"

namespace xgrad {

template <class T>
class PReLU : public Module<T> {
 public:
  explicit PReLU(std::size_t num_parameters = 1, double init = 0.25);
  Variable<T> forward(const Variable<T>& x) override;
  std::string type_name() const override { return "PReLU"; }
  std::optional<std::size_t> input_features() const override {
    return alpha_.size() > 1 ? std::optional<std::size_t>(alpha_.size()) : std::nullopt;
  }
  LayerConfig config() const override;
  Variable<T>& alpha() { return alpha_; }

 private:
  double init_;
  Variable<T> alpha_;
};

}  // namespace xgrad
