#include "xgrad/layers/prelu.hpp"

#include <cmath>
#include <stdexcept>

#include <xtensor/xbuilder.hpp>

#include "xgrad/autograd/activations.hpp"

namespace xgrad {

template <class T>
PReLU<T>::PReLU(std::size_t num_parameters, double init) : init_(init) {
  if (num_parameters == 0) throw std::invalid_argument("PReLU: num_parameters must be >= 1");
  if (!std::isfinite(init)) throw std::invalid_argument("PReLU: init must be finite");
  alpha_ = this->register_parameter("alpha", Variable<T>(Tensor<T>(xt::ones<T>({num_parameters}) * static_cast<T>(init)), true));
}

template <class T>
Variable<T> PReLU<T>::forward(const Variable<T>& x) { return prelu(x, alpha_); }

template <class T>
LayerConfig PReLU<T>::config() const {
  return {"PReLU", {{"num_parameters", double(alpha_.size())}, {"init", init_}}, {}};
}

template class PReLU<float>;
template class PReLU<double>;

}  // namespace xgrad
