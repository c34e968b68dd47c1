// The activation -> ONNX mapping: one place, keyed by name.
#include <cmath>
#include <functional>
#include <stdexcept>

#include "xgrad/export/onnx.hpp"

namespace xgrad {

namespace {

double parameter(const std::map<std::string, double>& p, const std::string& key, double fallback) {
  auto it = p.find(key);
  return it == p.end() || std::isnan(it->second) ? fallback : it->second;
}

using Rule = std::function<std::string(OnnxGraphWriter&, const std::map<std::string, double>&, const std::string&)>;

/// Opset 17 has no Gelu (it came in opset 20): both forms are written out.
std::string gelu(OnnxGraphWriter& g, const std::string& x) {
  // 0.5 x (1 + erf(x / sqrt 2))
  const std::string erf = g.node("Erf", {g.node("Div", {x, g.scalar(std::sqrt(2.0))})});
  return g.node("Mul", {g.node("Mul", {x, g.scalar(0.5)}), g.node("Add", {erf, g.scalar(1.0)})});
}

std::string gelu_tanh(OnnxGraphWriter& g, const std::string& x) {
  // 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
  const std::string cube = g.node("Mul", {g.node("Mul", {x, x}), x});
  const std::string inner = g.node("Add", {x, g.node("Mul", {cube, g.scalar(0.044715)})});
  const std::string t = g.node("Tanh", {g.node("Mul", {inner, g.scalar(std::sqrt(2.0 / M_PI))})});
  return g.node("Mul", {g.node("Mul", {x, g.scalar(0.5)}), g.node("Add", {t, g.scalar(1.0)})});
}

/// softplus(x; beta, threshold) = x where beta x > threshold, else log(1 + exp(beta x)) / beta (PyTorch's).
/// ONNX's Softplus is the beta = 1 case without the threshold, which changes
/// nothing in float32 once the threshold is past 15 (1 + e^-15 rounds to 1 next to x).
std::string softplus(OnnxGraphWriter& g, const std::map<std::string, double>& p, const std::string& x) {
  const double beta = parameter(p, "beta", 1.0), threshold = parameter(p, "threshold", 20.0);
  if (beta == 1.0 && threshold >= 15.0) return g.node("Softplus", {x});
  const std::string bx = beta == 1.0 ? x : g.node("Mul", {x, g.scalar(beta)});
  const std::string soft = beta == 1.0 ? g.node("Softplus", {bx}) : g.node("Div", {g.node("Softplus", {bx}), g.scalar(beta)});
  return g.node("Where", {g.node("Greater", {bx, g.scalar(threshold)}), x, soft});
}

const std::map<std::string, Rule>& rules() {
  static const std::map<std::string, Rule> table{
      {"linear", [](OnnxGraphWriter&, const auto&, const std::string& x) { return x; }},
      {"sigmoid", [](OnnxGraphWriter& g, const auto&, const std::string& x) { return g.node("Sigmoid", {x}); }},
      {"tanh", [](OnnxGraphWriter& g, const auto&, const std::string& x) { return g.node("Tanh", {x}); }},
      {"relu", [](OnnxGraphWriter& g, const auto&, const std::string& x) { return g.node("Relu", {x}); }},
      {"leaky_relu",
       [](OnnxGraphWriter& g, const auto& p, const std::string& x) {
         return g.node("LeakyRelu", {x}, {{"alpha", parameter(p, "negative_slope", parameter(p, "alpha", 0.01))}});
       }},
      {"elu",
       [](OnnxGraphWriter& g, const auto& p, const std::string& x) {
         return g.node("Elu", {x}, {{"alpha", parameter(p, "alpha", 1.0)}});
       }},
      {"softplus", [](OnnxGraphWriter& g, const auto& p, const std::string& x) { return softplus(g, p, x); }},
      {"softmax", [](OnnxGraphWriter& g, const auto&, const std::string& x) { return g.node("Softmax", {x}, {}, {{"axis", -1}}); }},
      {"log_softmax",
       [](OnnxGraphWriter& g, const auto&, const std::string& x) { return g.node("LogSoftmax", {x}, {}, {{"axis", -1}}); }},
      {"gelu", [](OnnxGraphWriter& g, const auto&, const std::string& x) { return gelu(g, x); }},
      {"gelu_tanh", [](OnnxGraphWriter& g, const auto&, const std::string& x) { return gelu_tanh(g, x); }},
  };
  return table;
}

}  // namespace

std::string onnx_activation(OnnxGraphWriter& graph, const std::string& name, const std::map<std::string, double>& parameters,
                            const std::string& input) {
  const auto& table = rules();
  auto it = table.find(name);
  if (it == table.end()) {
    std::string known;
    for (const auto& [key, rule] : table) known += (known.empty() ? "" : ", ") + key;
    throw std::invalid_argument("ONNX export: the activation '" + name + "' has no ONNX (opset " +
                                std::to_string(kOnnxOpset) + ") form in xgrad's exporter (exportable: " + known + ")");
  }
  return it->second(graph, parameters, input);
}

std::vector<std::string> onnx_activation_names() {
  std::vector<std::string> names;
  for (const auto& [key, rule] : rules()) names.push_back(key);
  return names;
}

}  // namespace xgrad
