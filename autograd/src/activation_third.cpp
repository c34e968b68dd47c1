// f'''(x) of the smooth activations, for the backward of f''(x) (the op
// activation_second): what a physics-informed network needs, whose loss holds
// u'' and is differentiated once more with respect to the weights. Closed
// forms in double through the activations' own f and f''; piecewise-linear
// functions (and hardswish, whose f'' is piecewise constant) have f''' = 0.
// gelu_tanh and mish have none here: false, and the caller throws.
#include "activation_third.hpp"

#include <cmath>

#include "xgrad/core/activations.hpp"

namespace xgrad::detail {

namespace {
double sigmoid_of(double x) { return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x)); }
}  // namespace

// Every activation is named here (no default: -Werror=switch stops a new one
// until its third derivative is decided, instead of a silent 0).
bool has_activation_third(Act f) {
  switch (f) {
    case Act::sigmoid: case Act::tanh: case Act::tanhshrink: case Act::logsigmoid: case Act::softplus:
    case Act::silu: case Act::gelu: case Act::softsign: case Act::squareplus: case Act::elu: case Act::selu:
    case Act::celu:
      return true;  // closed forms below
    case Act::linear: case Act::relu: case Act::leaky_relu: case Act::prelu: case Act::rrelu: case Act::hardtanh:
    case Act::relu6: case Act::hardsigmoid: case Act::hardswish: case Act::softshrink: case Act::hardshrink:
    case Act::threshold:
      return true;  // piecewise linear (hardswish: piecewise quadratic): 0
    case Act::gelu_tanh: case Act::mish:
      return false;
    case Act::softmax: case Act::log_softmax: case Act::softmin: case Act::glu:
      return false;  // lane activations: composed of elementwise ops, never through here
  }
  return false;
}

double activation_third(Act f, const ActivationParams& p, double x, double second) {
  switch (f) {
    case Act::tanh: {
      const double t = std::tanh(x), u = 1 - t * t;
      return -2 * u * (1 - 3 * t * t);
    }
    case Act::tanhshrink: {
      const double t = std::tanh(x), u = 1 - t * t;
      return 2 * u * (1 - 3 * t * t);
    }
    case Act::sigmoid: {
      const double s = sigmoid_of(x);
      return s * (1 - s) * (1 - 6 * s + 6 * s * s);
    }
    case Act::logsigmoid: {
      const double s = sigmoid_of(x);
      return -s * (1 - s) * (1 - 2 * s);
    }
    case Act::softplus: {
      const double beta = p[0], z = beta * x;
      if (z > p[1]) return 0;
      const double s = sigmoid_of(z);
      return beta * beta * s * (1 - s) * (1 - 2 * s);
    }
    case Act::silu: {
      const double s = sigmoid_of(x), a = s * (1 - s), c = 1 - 2 * s;
      return a * (c * (2 + x * c) + c - 2 * x * a);
    }
    case Act::gelu: {
      const double phi = std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI);
      return phi * (x * x * x - 4 * x);
    }
    case Act::softsign: {
      const double d = 1 + std::fabs(x);
      return 6 / (d * d * d * d);
    }
    case Act::squareplus: {
      const double b = p[0], r = std::sqrt(x * x + b);
      return -1.5 * b * x / (r * r * r * r * r);
    }
    // f'' is e^x times a constant for x < 0 and 0 above: f''' = f'' (celu: f'' / alpha)
    case Act::elu:
    case Act::selu: return x < 0 ? second : 0;
    case Act::celu: return x < 0 ? second / p[0] : 0;
    default: return 0;  // the piecewise ones has_activation_third lists: f'' piecewise constant
  }
}

}  // namespace xgrad::detail
