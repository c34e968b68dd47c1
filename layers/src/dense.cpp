#include "xgrad/layers/dense.hpp"

#include <cmath>
#include <stdexcept>

#include <xtensor/xbuilder.hpp>

#include "xgrad/autograd/ops.hpp"
#include "xgrad/core/kernels.hpp"

namespace xgrad {

Initializer parse_initializer(const std::string& name) {
  if (name == "glorot_uniform") return Initializer::glorot_uniform;
  if (name == "he_uniform") return Initializer::he_uniform;
  if (name == "he_normal") return Initializer::he_normal;
  throw std::invalid_argument("unknown initializer '" + name + "' (known: glorot_uniform, he_uniform, he_normal)");
}

std::string initializer_name(Initializer init) {
  switch (init) {
    case Initializer::glorot_uniform: return "glorot_uniform";
    case Initializer::he_uniform: return "he_uniform";
    case Initializer::he_normal: return "he_normal";
  }
  return "?";
}

template <class T>
Dense<T>::Dense(std::size_t in_features, std::size_t units, ActivationSpec activation, bool use_bias,
                Initializer init, Generator& generator)
    : in_features_(in_features), units_(units), activation_(activation), use_bias_(use_bias), init_(init) {
  if (in_features == 0 || units == 0)
    throw std::invalid_argument("Dense: in_features and units must be > 0, got " + std::to_string(in_features) +
                                " and " + std::to_string(units));
  Activation<T> validate(activation);  // rejects bad activation parameters now
  const Shape shape{in_features, units};
  const double fan_in = static_cast<double>(in_features), fan_out = static_cast<double>(units);
  Tensor<T> w;
  switch (init) {
    case Initializer::glorot_uniform: {
      const double limit = std::sqrt(6.0 / (fan_in + fan_out));
      w = generator.uniform_tensor<T>(shape, -limit, limit);
      break;
    }
    case Initializer::he_uniform: {
      const double limit = std::sqrt(6.0 / fan_in);
      w = generator.uniform_tensor<T>(shape, -limit, limit);
      break;
    }
    case Initializer::he_normal: w = generator.normal_tensor<T>(shape, 0.0, std::sqrt(2.0 / fan_in)); break;
  }
  weight_ = this->register_parameter("weight", Variable<T>(std::move(w), true));
  if (use_bias_) bias_ = this->register_parameter("bias", Variable<T>(xt::zeros<T>({units}), true));
}

template <class T>
Variable<T> Dense<T>::forward(const Variable<T>& x) {
  if (x.dim() != 2 || x.shape()[1] != in_features_)
    throw std::invalid_argument("Dense(" + std::to_string(in_features_) + " -> " + std::to_string(units_) +
                                "): input has shape " + shape_to_string(x.shape()) + ", expected [batch, " +
                                std::to_string(in_features_) + "]");
  Variable<T> z = linear(x, weight_, use_bias_ ? &bias_ : nullptr);
  const ActivationInfo& info = activation_info(activation_.id);
  // No graph recorded (inference under NoGradGuard): z is this call's own leaf, so an elementwise
  // activation overwrites it in place, sparing a second output buffer and a pass over fresh memory.
  if (!z.requires_grad() && !anomaly_mode_enabled() && info.shape == ActivationShape::elementwise &&
      activation_.id != Act::linear && !(info.random_in_training && this->is_training())) {
    T* v = z.mutable_value().data();
    kernels::activation_forward<T>(activation_.id, v, v, z.size(), activation_.params);
    z.node()->op = info.name;
    return z;
  }
  return apply_activation(activation_, z, this->is_training());
}

template <class T>
LayerConfig Dense<T>::config() const {
  LayerConfig c{"Dense",
                {{"in_features", double(in_features_)}, {"units", double(units_)}, {"use_bias", use_bias_ ? 1.0 : 0.0}},
                {{"initializer", initializer_name(init_)}}};
  write_activation(activation_, c);
  return c;
}

template class Dense<float>;
template class Dense<double>;

}  // namespace xgrad
