#pragma once
/// ELU (exponential linear unit), elementwise on any shape; alpha > 0.
///
///   f(x)  = x if x > 0 else alpha (e^x - 1)
///   f'(x) = 1 if x > 0 else alpha e^x          (left branch at 0: f'(0) = alpha)
///
/// e^x - 1 is expm1(x): exp(x) - 1 loses every digit near 0 (elu(1e-30) would be 0).
#include <array>
#include <cmath>

#include "xgrad/core/activations/definition_helpers.hpp"
#include "xgrad/core/activations/param.hpp"
#include "xgrad/core/activations/policy.hpp"

namespace xgrad::math {

inline double elu(double x, double alpha) { return x > 0 ? x : alpha * std::expm1(x); }
inline float elu(float x, double alpha) {
  return static_cast<float>(elu(static_cast<double>(x), alpha));
}
inline double elu_derivative(double x, double alpha) { return x > 0 ? 1.0 : alpha * std::exp(x); }
inline float elu_derivative(float x, double alpha) {
  return static_cast<float>(elu_derivative(static_cast<double>(x), alpha));
}

/// The catalogue's entry (activations/catalogue.hpp); float32 arrays: a hand-written kernel.
struct Elu {
  static constexpr const char* name = "elu";
  static constexpr bool rectifier = true;
  static constexpr const char* torch = "torch.nn.functional.elu(x, alpha)";
  static constexpr std::array<ParamSpec, 1> params{{{"alpha", 1.0, Domain::positive, "the negative saturation value is -alpha"}}};
  static constexpr std::array<double, 1> kinks{{0.0}};
  static constexpr bool tuned_kernel = true;
  template <class T> static T f(T x, const double* p) { return elu(x, p[0]); }
  template <class T> static T df(T x, const double* p) { return elu_derivative(x, p[0]); }
  /// f''(x) = alpha e^x if x < 0 else 0 (PyTorch's double backward: 0 at the kink).
  template <class M>
  static typename M::V d2f(typename M::V x, const double* p) {
    return keep_nan<M>(x, M::select(x < 0.0, M::c(p[0]) * M::exp(x), M::c(0)));
  }
};

}  // namespace xgrad::math
