#include "xgrad/autograd/graph.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>
#include <unordered_map>
#include <vector>

namespace xgrad {

namespace {

/// Lines joined into one DOT string literal: quotes and backslashes escaped, "\n" between lines.
std::string dot_label(const std::vector<std::string>& lines) {
  std::string out = "\"";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i) out += "\\n";
    for (char c : lines[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
  }
  return out + "\"";
}

std::string short_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

template <class T>
double l2_norm(const Tensor<T>& t) {
  double sum = 0;
  const T* p = t.data();
  for (std::size_t i = 0; i < t.size(); ++i) sum += double(p[i]) * double(p[i]);
  return std::sqrt(sum);
}

}  // namespace

template <class T>
std::string to_dot(const Variable<T>& root) {
  // Iterative walk (graphs can be a million nodes deep); ids in discovery order.
  std::unordered_map<const Node<T>*, std::size_t> ids;
  std::vector<const Node<T>*> nodes{root.node().get()};
  ids[nodes[0]] = 0;
  for (std::size_t k = 0; k < nodes.size(); ++k)
    for (const auto& input : nodes[k]->inputs)
      if (ids.emplace(input.get(), nodes.size()).second) nodes.push_back(input.get());

  std::ostringstream out;
  out << "digraph autograd {\n  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=11];\n";
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    const Node<T>& n = *nodes[k];
    const bool leaf = !n.backward && n.inputs.empty();
    std::vector<std::string> label;
    std::string style;
    if (leaf && std::string(n.op) == "leaf") {
      const bool scalar = n.value.dimension() == 0;
      label.push_back(!n.name.empty() ? n.name : n.requires_grad ? "parameter" : scalar ? "constant" : "input");
      style = n.requires_grad ? "shape=box, style=filled, fillcolor=\"#cfe2f3\"" : "shape=box, style=filled, fillcolor=\"#eeeeee\"";
    } else {
      label.push_back(n.op);
      if (!n.name.empty()) label.push_back("layer " + n.name);
      style = "shape=ellipse, style=filled, fillcolor=\"#fff2cc\"";
    }
    label.push_back(shape_of(n.value));
    if (n.has_grad && n.grad.size() == n.value.size()) label.push_back("|grad| = " + short_number(l2_norm(n.grad)));
    out << "  n" << k << " [label=" << dot_label(label) << ", " << style << "];\n";
  }
  for (std::size_t k = 0; k < nodes.size(); ++k)
    for (const auto& input : nodes[k]->inputs) out << "  n" << ids.at(input.get()) << " -> n" << k << ";\n";
  out << "}\n";
  return out.str();
}

template std::string to_dot(const Variable<float>&);
template std::string to_dot(const Variable<double>&);

}  // namespace xgrad
