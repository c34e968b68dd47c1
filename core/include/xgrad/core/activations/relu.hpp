#pragma once
/// ReLU, Leaky ReLU and PReLU, elementwise on any shape.
///
///   relu(x)          = max(0, x)              relu'(x)          = 1 if x > 0 else 0
///   leaky_relu(x; a) = x if x > 0 else a x    leaky_relu'(x; a) = 1 if x > 0 else a
///   prelu(x; a)      = leaky_relu(x; a) with a learnable;  d prelu / d a = 0 if x > 0 else x
///
/// At the kink x = 0 the derivative takes the left branch (relu'(0) = 0,
/// leaky_relu'(0) = a), as PyTorch does. NaN in gives NaN out, for f and f'.
/// The slope is a double; float32 products are formed in float64 and rounded
/// once, so they are correctly rounded.
namespace xgrad::math {

template <class T>
inline T relu(T x) { return x < T(0) ? T(0) : x; }

template <class T>
inline T relu_derivative(T x) { return x > T(0) ? T(1) : (x <= T(0) ? T(0) : x); }

template <class T>
inline T leaky_relu(T x, double slope) {
  return x > T(0) ? x : static_cast<T>(static_cast<double>(x) * slope);
}

template <class T>
inline T leaky_relu_derivative(T x, double slope) {
  return x > T(0) ? T(1) : (x <= T(0) ? static_cast<T>(slope) : x);
}

template <class T>
inline T prelu(T x, T alpha) { return leaky_relu(x, static_cast<double>(alpha)); }

template <class T>
inline T prelu_derivative(T x, T alpha) { return leaky_relu_derivative(x, static_cast<double>(alpha)); }

/// d prelu(x; a) / d a.
template <class T>
inline T prelu_alpha_derivative(T x) { return x > T(0) ? T(0) : x; }

}  // namespace xgrad::math
