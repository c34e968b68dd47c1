#pragma once
/// ELU (exponential linear unit), elementwise on any shape; alpha > 0.
///
///   f(x)  = x if x > 0 else alpha (e^x - 1)
///   f'(x) = 1 if x > 0 else alpha e^x          (left branch at 0: f'(0) = alpha)
///
/// e^x - 1 is expm1(x): exp(x) - 1 loses every digit near 0 (elu(1e-30) would be 0).
#include <cmath>

namespace xgrad::math {

inline double elu(double x, double alpha) { return x > 0 ? x : alpha * std::expm1(x); }
inline float elu(float x, double alpha) {
  return static_cast<float>(elu(static_cast<double>(x), alpha));
}
inline double elu_derivative(double x, double alpha) { return x > 0 ? 1.0 : alpha * std::exp(x); }
inline float elu_derivative(float x, double alpha) {
  return static_cast<float>(elu_derivative(static_cast<double>(x), alpha));
}

}  // namespace xgrad::math
