#pragma once
/// SoftPlus, elementwise on any shape; beta > 0, threshold >= 0 (PyTorch's definition).
///
///   f(x)  = x                          if beta x > threshold
///         = log(1 + e^(beta x)) / beta otherwise
///   f'(x) = 1 if beta x > threshold else sigmoid(beta x)
///
/// log1p(exp(z)) never overflows below the threshold (z <= threshold) and keeps
/// full precision for very negative z, where log(1 + e^z) would round to 0.
#include <array>
#include <cmath>

#include "xgrad/core/activations/definition_helpers.hpp"
#include "xgrad/core/activations/param.hpp"
#include "xgrad/core/activations/policy.hpp"

#include "xgrad/core/activations/sigmoid.hpp"

namespace xgrad::math {

inline double softplus(double x, double beta, double threshold) {
  const double z = beta * x;
  return z > threshold ? x : std::log1p(std::exp(z)) / beta;
}
inline float softplus(float x, double beta, double threshold) {
  return static_cast<float>(softplus(static_cast<double>(x), beta, threshold));
}
inline double softplus_derivative(double x, double beta, double threshold) {
  const double z = beta * x;
  return z > threshold ? 1.0 : sigmoid_of(z);
}
inline float softplus_derivative(float x, double beta, double threshold) {
  return static_cast<float>(softplus_derivative(static_cast<double>(x), beta, threshold));
}

/// The catalogue's entry (activations/catalogue.hpp); float32 arrays: a hand-written kernel.
struct Softplus {
  static constexpr const char* name = "softplus";
  static constexpr const char* torch = "torch.nn.functional.softplus(x, beta, threshold)";
  static constexpr std::array<ParamSpec, 2> params{{{"beta", 1.0, Domain::positive, "the sharpness"},
                                                     {"threshold", 20.0, Domain::nonnegative, "linear where beta x > threshold"}}};
  static constexpr std::array<double, 0> kinks{};
  static constexpr bool tuned_kernel = true;
  template <class T> static T f(T x, const double* p) { return softplus(x, p[0], p[1]); }
  template <class T> static T df(T x, const double* p) { return softplus_derivative(x, p[0], p[1]); }
  /// f''(x) = beta sigmoid(z) sigmoid(-z) = beta e / (1 + e)^2, e = e^-|z|, z = beta x,
  /// where z < threshold; 0 from the threshold on (PyTorch's double backward: 0 at it).
  template <class M>
  static typename M::V d2f(typename M::V x, const double* p) {
    const typename M::V z = M::c(p[0]) * x;
    const typename M::V e = M::exp(-M::abs(z));
    const typename M::V d = 1.0 + e;
    return keep_nan<M>(x, M::select(z < M::c(p[1]), M::c(p[0]) * e / (d * d), M::c(0)));
  }
};

}  // namespace xgrad::math
