#pragma once
// A PyTorch-style custom module for the tests: a residual block whose
// sub-modules register themselves (no hand-written naming or plumbing).
#include <memory>

#include "xgrad/autograd/ops.hpp"
#include "xgrad/layers/layers.hpp"

namespace xgrad_test {

template <class T>
class Residual : public xgrad::Module<T> {
 public:
  explicit Residual(std::size_t features) : features_(features) {
    body_ = this->register_module("body", std::make_shared<xgrad::Sequential<T>>());
    body_->template add<xgrad::Dense<T>>(features, features, "tanh").template add<xgrad::Dropout<T>>(0.25);
    norm_ = this->register_module("norm", std::make_shared<xgrad::BatchNorm1d<T>>(features));
  }
  static std::shared_ptr<xgrad::Module<T>> from_config(const xgrad::LayerConfig& c) {
    return std::make_shared<Residual<T>>(xgrad::config_count(c, "features"));
  }
  xgrad::Variable<T> forward(const xgrad::Variable<T>& x) override { return (*norm_)(x + (*body_)(x)); }
  std::string type_name() const override { return "ResidualBlock"; }
  std::optional<std::size_t> input_features() const override { return features_; }
  xgrad::LayerConfig config() const override { return {"ResidualBlock", {{"features", double(features_)}}, {}}; }
  xgrad::Sequential<T>& body() { return *body_; }
  xgrad::BatchNorm1d<T>& norm() { return *norm_; }

 private:
  std::size_t features_;
  std::shared_ptr<xgrad::Sequential<T>> body_;
  std::shared_ptr<xgrad::BatchNorm1d<T>> norm_;
};

}  // namespace xgrad_test
