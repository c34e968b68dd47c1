#pragma once
// The one graph walk of backward and grad(): an iterative depth-first post-order (no recursion, so a
// million-op chain cannot overflow the stack). Inputs come before the nodes that use them.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "xgrad/autograd/variable.hpp"

namespace xgrad::detail {

/// Appends to `order` every node reachable from `root` through inputs that require grad and are not yet
/// marked with `mark` (a number fresh for this walk); a released node on the way throws `freed`.
template <class T>
void post_order(Node<T>& root, std::uint64_t mark, std::vector<Node<T>*>& order, const char* freed) {
  if (root.visit_mark == mark) return;
  root.visit_mark = mark;
  std::vector<std::pair<Node<T>*, std::size_t>> stack{{&root, 0}};
  while (!stack.empty()) {
    auto& [n, next] = stack.back();
    if (next < n->inputs.size()) {
      Node<T>* child = n->inputs[next++].get();
      if (child->requires_grad && child->visit_mark != mark) {
        if (child->released) throw std::logic_error(freed);
        child->visit_mark = mark;
        stack.emplace_back(child, 0);
      }
    } else {
      order.push_back(n);
      stack.pop_back();
    }
  }
}

/// Frees what backward no longer needs: the node's gradient and rules, and its inputs (moved into
/// `released`, whose destruction the caller leaves to Node's iterative teardown).
template <class T>
void release_node(Node<T>& n, std::vector<std::shared_ptr<Node<T>>>& released) {
  n.has_grad = false;
  n.grad = Tensor<T>();
  n.backward = nullptr;
  n.graph_backward = nullptr;
  for (auto& input : n.inputs) released.push_back(std::move(input));
  n.inputs.clear();
  n.released = true;
}

}  // namespace xgrad::detail
