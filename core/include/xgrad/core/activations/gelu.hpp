#pragma once
/// GELU, elementwise on any shape, exact or with the tanh approximation.
///
///   gelu(x)       = x Phi(x) = x/2 erfc(-x/sqrt 2)
///   gelu'(x)      = Phi(x) + x phi(x),  phi(x) = e^(-x^2/2) / sqrt(2 pi)
///   gelu_tanh(x)  = x/2 (1 + tanh(u)) = x sigmoid(2u),  u = sqrt(2/pi) (x + 0.044715 x^3)
///   gelu_tanh'(x) = s + 2 x u' s (1 - s),  s = sigmoid(2u),  u' = sqrt(2/pi) (1 + 3 * 0.044715 x^2)
///
/// In the negative tail 1 + erf and 1 + tanh cancel; erfc and the sigmoid form
/// do not. Both still amplify the rounding of their argument by about x^2, so
/// the float64 kernels form the argument in long double.
#include <cmath>

#include "xgrad/core/activations/common.hpp"
#include "xgrad/core/activations/sigmoid.hpp"

namespace xgrad::math {

enum class GeluApproximate { none, tanh };

template <class R>
inline R gelu_of(R x, R sqrt_half) { return R(0.5) * x * std::erfc(-x * sqrt_half); }

template <class R>
inline R gelu_derivative_of(R x, R sqrt_half, R inv_sqrt_2pi) {
  return R(0.5) * std::erfc(-x * sqrt_half) + x * std::exp(R(-0.5) * x * x) * inv_sqrt_2pi;
}

template <class R>
inline R gelu_tanh_of(R x, R sqrt_2_over_pi, R cubic) {
  const R u = sqrt_2_over_pi * (x + cubic * x * x * x);
  return x * sigmoid_of(R(2) * u);
}

template <class R>
inline R gelu_tanh_derivative_of(R x, R sqrt_2_over_pi, R cubic) {
  const R u = sqrt_2_over_pi * (x + cubic * x * x * x);
  const R s = sigmoid_of(R(2) * u);
  const R ds = sigmoid_derivative_of(R(2) * u);
  if (ds == R(0)) return s;  // saturated: avoids 0 * inf when x^2 overflows
  const R du = sqrt_2_over_pi * (R(1) + R(3) * cubic * x * x);
  return s + R(2) * x * du * ds;
}

inline double gelu(double x) { return static_cast<double>(gelu_of<long double>(x, kSqrtHalfL)); }
inline float gelu(float x) { return static_cast<float>(gelu_of<double>(x, kSqrtHalf)); }
inline double gelu_derivative(double x) {
  return static_cast<double>(gelu_derivative_of<long double>(x, kSqrtHalfL, kInvSqrt2PiL));
}
inline float gelu_derivative(float x) {
  return static_cast<float>(gelu_derivative_of<double>(x, kSqrtHalf, kInvSqrt2Pi));
}
inline double gelu_tanh(double x) {
  return static_cast<double>(gelu_tanh_of<long double>(x, kSqrt2OverPiL, kGeluTanhCubicL));
}
inline float gelu_tanh(float x) {
  return static_cast<float>(gelu_tanh_of<double>(x, kSqrt2OverPi, kGeluTanhCubic));
}
inline double gelu_tanh_derivative(double x) {
  return static_cast<double>(gelu_tanh_derivative_of<long double>(x, kSqrt2OverPiL, kGeluTanhCubicL));
}
inline float gelu_tanh_derivative(float x) {
  return static_cast<float>(gelu_tanh_derivative_of<double>(x, kSqrt2OverPi, kGeluTanhCubic));
}

}  // namespace xgrad::math
