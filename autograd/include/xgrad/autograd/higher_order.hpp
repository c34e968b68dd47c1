#pragma once
/// Gradients of gradients: torch.autograd.grad.
///
/// Every op has two backward rules side by side: the fast one on raw tensors
/// (Node::backward, what a plain backward() runs) and a differentiable one
/// written with ops (Node::graph_backward, run only with create_graph), so
/// that the gradient it produces is a graph that can be differentiated again.
/// An elementwise activation's differentiable rule is g * f'(x) through the op
/// activation_derivative, whose own backward is g * f''(x) from the exact
/// kernel kernels::activation_second: second derivatives of activations are
/// as exact as the kernels; a third derivative through it throws (see
/// activation_derivative in activations.hpp).
#include <optional>
#include <vector>

#include "xgrad/autograd/variable.hpp"

namespace xgrad {

namespace detail {
template <class T>
std::vector<Variable<T>> grad(const std::vector<Variable<T>>& outputs, const std::vector<Variable<T>>& inputs,
                              const std::vector<Variable<T>>& grad_outputs, bool create_graph,
                              std::optional<bool> retain_graph, bool allow_unused);
}  // namespace detail

/// The gradients of sum_k <grad_outputs[k], outputs[k]> with respect to each
/// of `inputs` (leaves or intermediate results), as torch.autograd.grad. An
/// empty grad_outputs means ones (each output must then have one element).
/// Inputs' .grad are left untouched. With create_graph the returned variables
/// carry the graph that computed them; retain_graph defaults to create_graph.
/// An input the outputs do not depend on is an error unless allow_unused,
/// and then its gradient is zeros of its shape (where PyTorch gives None).
inline std::vector<Variable<double>> grad(const std::vector<Variable<double>>& outputs,
                                          const std::vector<Variable<double>>& inputs,
                                          const std::vector<Variable<double>>& grad_outputs = {},
                                          bool create_graph = false, std::optional<bool> retain_graph = std::nullopt,
                                          bool allow_unused = false) {
  return detail::grad(outputs, inputs, grad_outputs, create_graph, retain_graph, allow_unused);
}
inline std::vector<Variable<float>> grad(const std::vector<Variable<float>>& outputs,
                                         const std::vector<Variable<float>>& inputs,
                                         const std::vector<Variable<float>>& grad_outputs = {},
                                         bool create_graph = false, std::optional<bool> retain_graph = std::nullopt,
                                         bool allow_unused = false) {
  return detail::grad(outputs, inputs, grad_outputs, create_graph, retain_graph, allow_unused);
}

}  // namespace xgrad
