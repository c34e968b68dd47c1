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
#include <array>

#include "xgrad/core/activations/definition_helpers.hpp"
#include "xgrad/core/activations/param.hpp"
#include "xgrad/core/activations/policy.hpp"

namespace xgrad::math {

template <class T>
inline T relu(T x) { return x < T(0) ? T(0) : x; }

// Written as selects, not nested branches: random signs mispredict a branch half the time (float64 arrays).
template <class T>
inline T relu_derivative(T x) {
  const T d = x > T(0) ? T(1) : T(0);
  return x != x ? x : d;
}

template <class T>
inline T leaky_relu(T x, double slope) {
  return x > T(0) ? x : static_cast<T>(static_cast<double>(x) * slope);
}

template <class T>
inline T leaky_relu_derivative(T x, double slope) {
  const T d = x > T(0) ? T(1) : static_cast<T>(slope);
  return x != x ? x : d;
}

template <class T>
inline T prelu(T x, T alpha) { return leaky_relu(x, static_cast<double>(alpha)); }

template <class T>
inline T prelu_derivative(T x, T alpha) { return leaky_relu_derivative(x, static_cast<double>(alpha)); }

/// d prelu(x; a) / d a.
template <class T>
inline T prelu_alpha_derivative(T x) { return x > T(0) ? T(0) : x; }

/// The catalogue's entries (activations/catalogue.hpp). float32 arrays go
/// through hand-written float-lane kernels (memory-bound: no widening).
struct Relu : PiecewiseLinear {
  static constexpr const char* name = "relu";
  static constexpr bool rectifier = true;
  static constexpr const char* torch = "torch.relu(x)";
  static constexpr std::array<ParamSpec, 0> params{};
  static constexpr std::array<double, 1> kinks{{0.0}};
  static constexpr bool tuned_kernel = true;
  template <class T> static T f(T x, const double*) { return relu(x); }
  template <class T> static T df(T x, const double*) { return relu_derivative(x); }
};

struct LeakyRelu : PiecewiseLinear {
  static constexpr const char* name = "leaky_relu";
  static constexpr bool rectifier = true;
  static constexpr const char* torch = "torch.nn.functional.leaky_relu(x, negative_slope)";
  static constexpr std::array<ParamSpec, 1> params{{{"negative_slope", 0.01, Domain::finite, "the slope for x < 0"}}};
  static constexpr std::array<double, 1> kinks{{0.0}};
  static constexpr bool tuned_kernel = true;
  template <class T> static T f(T x, const double* p) { return leaky_relu(x, p[0]); }
  template <class T> static T df(T x, const double* p) { return leaky_relu_derivative(x, p[0]); }
};

/// PReLU: leaky_relu with a learnable slope per feature (a tensor in the op
/// and the PReLU layer); here with one slope, as `xgrad eval prelu --alpha` uses it.
struct Prelu : PiecewiseLinear {
  static constexpr const char* name = "prelu";
  static constexpr bool rectifier = true;
  static constexpr const char* torch = "torch.nn.functional.prelu(x, alpha)";
  static constexpr std::array<ParamSpec, 1> params{{{"alpha", 0.25, Domain::finite, "the learnable slope's value (PReLU's init)"}}};
  static constexpr std::array<double, 1> kinks{{0.0}};
  static constexpr bool tuned_kernel = true;
  template <class T> static T f(T x, const double* p) { return leaky_relu(x, p[0]); }
  template <class T> static T df(T x, const double* p) { return leaky_relu_derivative(x, p[0]); }
};

/// RReLU: in training each element x < 0 gets its own slope drawn uniformly
/// from [lower, upper] (xgrad's Generator); in eval mode the mean slope
/// (lower + upper) / 2, which is the f and f' here.
struct Rrelu : PiecewiseLinear {
  static constexpr const char* name = "rrelu";
  static constexpr bool rectifier = true;
  static constexpr const char* torch = "torch.nn.functional.rrelu(x, lower, upper, training=False)";
  static constexpr std::array<ParamSpec, 2> params{{{"lower", 1.0 / 8, Domain::finite, "the smallest random slope"},
                                                     {"upper", 1.0 / 3, Domain::finite, "the largest random slope"}}};
  static constexpr std::array<double, 1> kinks{{0.0}};
  static constexpr bool tuned_kernel = true;
  static double slope(const double* p) { return (p[0] + p[1]) / 2; }
  template <class T> static T f(T x, const double* p) { return leaky_relu(x, slope(p)); }
  template <class T> static T df(T x, const double* p) { return leaky_relu_derivative(x, slope(p)); }
  static std::string invalid(const double* p) {
    if (p[0] <= p[1]) return "";
    return "rrelu: lower (" + number_to_string(p[0]) + ") must not exceed upper (" + number_to_string(p[1]) + ")";
  }
};

/// The identity (Keras's "linear", a Dense layer without activation):
/// f(x) = x, f'(x) = 1 (NaN for NaN).
struct Linear : PiecewiseLinear {
  static constexpr const char* name = "linear";
  static constexpr const char* torch = "x";
  static constexpr std::array<ParamSpec, 0> params{};
  static constexpr std::array<double, 0> kinks{};
  template <class M> static typename M::V f(typename M::V x, const double*) { return x; }
  template <class M> static typename M::V df(typename M::V x, const double*) { return M::select(M::isnan(x), x, x * 0.0 + 1.0); }
};

}  // namespace xgrad::math
