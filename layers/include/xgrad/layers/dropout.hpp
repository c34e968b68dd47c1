#pragma once
/// Dropout(p), inverted as PyTorch's and Keras's: while training, each
/// element is zeroed with probability p and the others are scaled by
/// 1 / (1 - p), so that eval mode is the identity (and costs nothing).
/// dy/dx = mask / (1 - p), the same mask as the forward. The masks come from
/// a Generator (the process-wide one by default: manual_seed reproduces them).
#include "xgrad/core/random.hpp"
#include "xgrad/layers/module.hpp"

namespace xgrad {

template <class T>
class Dropout : public Module<T> {
 public:
  /// p in [0, 1]; p = 1 zeroes everything (as PyTorch). The generator must
  /// outlive the layer.
  explicit Dropout(double p = 0.5, Generator& generator = default_generator());
  Variable<T> forward(const Variable<T>& x) override;
  std::string type_name() const override { return "Dropout"; }
  LayerConfig config() const override { return {"Dropout", {{"p", p_}}, {}}; }
  double p() const { return p_; }

 private:
  double p_;
  Generator* generator_;
};

}  // namespace xgrad
