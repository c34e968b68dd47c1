#pragma once
/// to_dot: the autograd graph that leads to a variable, in Graphviz DOT
/// (render with `dot -Tsvg graph.dot -o graph.svg`).
#include <string>

#include "xgrad/autograd/variable.hpp"

namespace xgrad {

/// One node per op (its name and output shape, and the layer it ran in when it
/// was recorded under AnomalyMode), one per leaf (its parameter name, or
/// "input"/"constant"), an edge from each input to the op that uses it. Nodes
/// holding a gradient (leaves after backward; every node after a backward with
/// retain_graph) show its L2 norm. Edges point the way the forward pass runs.
template <class T>
std::string to_dot(const Variable<T>& root);

}  // namespace xgrad
