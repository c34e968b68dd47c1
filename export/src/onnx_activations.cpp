// THE activation -> ONNX mapping: one entry per catalogue activation, in the
// catalogue's order (a static_assert holds it to that), each either a rule
// writing the ONNX nodes or the reason ONNX (opset 17) cannot express it.
#include <array>
#include <cmath>
#include <stdexcept>

#include "xgrad/export/onnx.hpp"

namespace xgrad {

namespace {

using G = OnnxGraphWriter;
using Rule = std::string (*)(G&, const double* p, const std::string& x);

struct OnnxForm {
  Act id;
  Rule rule;                   ///< nullptr when ONNX cannot express it
  const char* not_expressible;  ///< why, when rule is nullptr
};

std::string mul(G& g, const std::string& a, double c) { return g.node("Mul", {a, g.scalar(c)}); }

/// Opset 17 has no Gelu (it came in opset 20): both forms are written out.
std::string gelu(G& g, const double*, const std::string& x) {
  // 0.5 x (1 + erf(x / sqrt 2))
  const std::string erf = g.node("Erf", {g.node("Div", {x, g.scalar(std::sqrt(2.0))})});
  return g.node("Mul", {mul(g, x, 0.5), g.node("Add", {erf, g.scalar(1.0)})});
}

std::string gelu_tanh(G& g, const double*, const std::string& x) {
  // 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
  const std::string cube = g.node("Mul", {g.node("Mul", {x, x}), x});
  const std::string inner = g.node("Add", {x, mul(g, cube, 0.044715)});
  const std::string t = g.node("Tanh", {mul(g, inner, std::sqrt(2.0 / M_PI))});
  return g.node("Mul", {mul(g, x, 0.5), g.node("Add", {t, g.scalar(1.0)})});
}

/// softplus(x; beta, threshold) = x where beta x > threshold, else log(1 + exp(beta x)) / beta (PyTorch's).
/// ONNX's Softplus is the beta = 1 case without the threshold, which changes
/// nothing in float32 once the threshold is past 15 (1 + e^-15 rounds to 1 next to x).
std::string softplus(G& g, const double* p, const std::string& x) {
  const double beta = p[0], threshold = p[1];
  if (beta == 1.0 && threshold >= 15.0) return g.node("Softplus", {x});
  const std::string bx = beta == 1.0 ? x : mul(g, x, beta);
  const std::string soft = beta == 1.0 ? g.node("Softplus", {bx}) : g.node("Div", {g.node("Softplus", {bx}), g.scalar(beta)});
  return g.node("Where", {g.node("Greater", {bx, g.scalar(threshold)}), x, soft});
}

/// leaky_relu with one slope (prelu's scalar form; rrelu in eval mode: the mean slope).
std::string leaky(G& g, double slope, const std::string& x) { return g.node("LeakyRelu", {x}, {{"alpha", slope}}); }

/// (x + r) / 2 for x >= 0 and b / (2 (r - x)) below, r = sqrt(x^2 + b): the
/// catalogue's cancellation-free form (Where never lets the other branch's NaN through).
std::string squareplus(G& g, const double* p, const std::string& x) {
  const std::string b = g.scalar(p[0]);
  const std::string r = g.node("Sqrt", {g.node("Add", {g.node("Mul", {x, x}), b})});
  const std::string right = mul(g, g.node("Add", {x, r}), 0.5);
  const std::string left = g.node("Div", {b, mul(g, g.node("Sub", {r, x}), 2.0)});
  return g.node("Where", {g.node("GreaterOrEqual", {x, g.scalar(0.0)}), right, left});
}

/// a sigmoid(b), a and b the halves of the last axis.
std::string glu(G& g, const double*, const std::string& x) {
  const std::vector<std::string> halves = g.nodes("Split", {x}, 2, {}, {{"axis", -1}});
  return g.node("Mul", {halves[0], g.node("Sigmoid", {halves[1]})});
}

constexpr std::array<OnnxForm, kActivations> kForms{{
    {Act::linear, [](G&, const double*, const std::string& x) { return x; }, nullptr},
    {Act::sigmoid, [](G& g, const double*, const std::string& x) { return g.node("Sigmoid", {x}); }, nullptr},
    {Act::tanh, [](G& g, const double*, const std::string& x) { return g.node("Tanh", {x}); }, nullptr},
    {Act::relu, [](G& g, const double*, const std::string& x) { return g.node("Relu", {x}); }, nullptr},
    {Act::leaky_relu, [](G& g, const double* p, const std::string& x) { return leaky(g, p[0], x); }, nullptr},
    // One slope here; the PReLU layer's per-feature slopes are PRelu (onnx_export.cpp).
    {Act::prelu, [](G& g, const double* p, const std::string& x) { return leaky(g, p[0], x); }, nullptr},
    {Act::rrelu, [](G& g, const double* p, const std::string& x) { return leaky(g, math::Rrelu::slope(p), x); }, nullptr},
    {Act::elu, [](G& g, const double* p, const std::string& x) { return g.node("Elu", {x}, {{"alpha", p[0]}}); }, nullptr},
    {Act::softplus, softplus, nullptr},
    {Act::gelu, gelu, nullptr},
    {Act::gelu_tanh, gelu_tanh, nullptr},
    {Act::selu,
     [](G& g, const double*, const std::string& x) {
       return g.node("Selu", {x}, {{"alpha", double(math::Selu::alpha)}, {"gamma", double(math::Selu::scale)}});
     },
     nullptr},
    {Act::celu, [](G& g, const double* p, const std::string& x) { return g.node("Celu", {x}, {{"alpha", p[0]}}); }, nullptr},
    {Act::silu, [](G& g, const double*, const std::string& x) { return g.node("Mul", {x, g.node("Sigmoid", {x})}); }, nullptr},
    {Act::mish,
     [](G& g, const double*, const std::string& x) { return g.node("Mul", {x, g.node("Tanh", {g.node("Softplus", {x})})}); },
     nullptr},
    {Act::hardtanh,
     [](G& g, const double* p, const std::string& x) { return g.node("Clip", {x, g.scalar(p[0]), g.scalar(p[1])}); },
     nullptr},
    {Act::relu6, [](G& g, const double*, const std::string& x) { return g.node("Clip", {x, g.scalar(0), g.scalar(6)}); },
     nullptr},
    {Act::hardsigmoid,
     [](G& g, const double*, const std::string& x) { return g.node("HardSigmoid", {x}, {{"alpha", 1.0 / 6}, {"beta", 0.5}}); },
     nullptr},
    {Act::hardswish, [](G& g, const double*, const std::string& x) { return g.node("HardSwish", {x}); }, nullptr},
    {Act::softsign, [](G& g, const double*, const std::string& x) { return g.node("Softsign", {x}); }, nullptr},
    {Act::tanhshrink, [](G& g, const double*, const std::string& x) { return g.node("Sub", {x, g.node("Tanh", {x})}); },
     nullptr},
    {Act::logsigmoid,
     [](G& g, const double*, const std::string& x) { return g.node("Neg", {g.node("Softplus", {g.node("Neg", {x})})}); },
     nullptr},
    {Act::softshrink,
     [](G& g, const double* p, const std::string& x) { return g.node("Shrink", {x}, {{"bias", p[0]}, {"lambd", p[0]}}); },
     nullptr},
    {Act::hardshrink,
     [](G& g, const double* p, const std::string& x) { return g.node("Shrink", {x}, {{"bias", 0.0}, {"lambd", p[0]}}); },
     nullptr},
    {Act::threshold,
     [](G& g, const double* p, const std::string& x) {
       return g.node("Where", {g.node("Greater", {x, g.scalar(p[0])}), x, g.scalar(p[1])});
     },
     nullptr},
    {Act::squareplus, squareplus, nullptr},
    {Act::softmax, [](G& g, const double*, const std::string& x) { return g.node("Softmax", {x}, {}, {{"axis", -1}}); },
     nullptr},
    {Act::log_softmax,
     [](G& g, const double*, const std::string& x) { return g.node("LogSoftmax", {x}, {}, {{"axis", -1}}); }, nullptr},
    {Act::softmin,
     [](G& g, const double*, const std::string& x) { return g.node("Softmax", {g.node("Neg", {x})}, {}, {{"axis", -1}}); },
     nullptr},
    {Act::glu, glu, nullptr},
}};

constexpr bool covers_the_catalogue() {
  for (std::size_t i = 0; i < kForms.size(); ++i) {
    if (kForms[i].id != static_cast<Act>(i)) return false;                        // in the catalogue's order
    if ((kForms[i].rule == nullptr) == (kForms[i].not_expressible == nullptr)) return false;  // a rule or a reason
  }
  return true;
}
static_assert(covers_the_catalogue(),
              "every catalogue activation needs an ONNX form or a reason it has none, in the catalogue's order");

}  // namespace

const char* onnx_not_expressible(Act id) { return kForms.at(static_cast<std::size_t>(id)).not_expressible; }

std::string onnx_activation(OnnxGraphWriter& graph, const ActivationSpec& spec, const std::string& input,
                            std::optional<std::size_t> width) {
  const OnnxForm& form = kForms.at(static_cast<std::size_t>(spec.id));
  if (!form.rule)
    throw std::invalid_argument(std::string("ONNX export: the activation '") + spec.name() + "' has no ONNX (opset " +
                                std::to_string(kOnnxOpset) + ") form: " + form.not_expressible);
  if (spec.id == Act::glu && width && *width % 2 != 0)
    throw std::invalid_argument("ONNX export: glu halves the last axis, which needs an even width, not " +
                                std::to_string(*width));
  return form.rule(graph, spec.params.data(), input);
}

}  // namespace xgrad
