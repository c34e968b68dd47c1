#include "xgrad/autograd/variable.hpp"

#include <atomic>
#include <cmath>
#include <stdexcept>
#include <string>

#include <xtensor/xbuilder.hpp>

#include "post_order.hpp"

namespace xgrad {

namespace {
std::atomic<long> live_nodes{0};
thread_local bool grad_mode_enabled = true;
thread_local bool anomaly_enabled = false;
thread_local std::string layer_scope;
std::atomic<std::uint64_t> visit_epoch{0};
}  // namespace

long live_node_count() { return live_nodes.load(); }
bool grad_enabled() { return grad_mode_enabled; }
NoGradGuard::NoGradGuard() : previous_(grad_mode_enabled) { grad_mode_enabled = false; }
NoGradGuard::~NoGradGuard() { grad_mode_enabled = previous_; }
EnableGradGuard::EnableGradGuard() : previous_(grad_mode_enabled) { grad_mode_enabled = true; }
EnableGradGuard::~EnableGradGuard() { grad_mode_enabled = previous_; }

bool anomaly_mode_enabled() { return anomaly_enabled; }
AnomalyMode::AnomalyMode(bool enabled) : previous_(anomaly_enabled) { anomaly_enabled = enabled; }
AnomalyMode::~AnomalyMode() { anomaly_enabled = previous_; }
LayerScope::LayerScope(std::string name) : previous_(std::move(layer_scope)) { layer_scope = std::move(name); }
LayerScope::~LayerScope() { layer_scope = std::move(previous_); }
const std::string& current_layer() { return layer_scope; }

namespace {

/// The index of the first NaN or infinity in t, or t.size() when all are finite.
template <class T>
std::size_t first_non_finite(const Tensor<T>& t) {
  const T* p = t.data();
  const std::size_t n = t.size();
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(p[i])) return i;
  return n;
}

template <class T>
std::string describe_value(T v) {
  return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
}

template <class T>
std::string input_shapes(const std::vector<std::shared_ptr<Node<T>>>& inputs) {
  std::string out;
  for (const auto& input : inputs) out += (out.empty() ? "" : ", ") + shape_of(input->value);
  return out.empty() ? "none" : out;
}

std::string where(const std::string& layer) { return layer.empty() ? "" : " in layer " + layer; }

/// Forward check: run on the output before the inputs are moved into the node.
template <class T>
void check_forward(const Tensor<T>& value, const char* op, const std::vector<Variable<T>>& inputs) {
  const std::size_t bad = first_non_finite(value);
  if (bad == value.size()) return;
  std::vector<std::shared_ptr<Node<T>>> nodes;
  for (const auto& v : inputs) nodes.push_back(v.node());
  throw AnomalyError("anomaly detected in forward: op '" + std::string(op) + "'" + where(layer_scope) + " produced " +
                     describe_value(value.data()[bad]) + " at element " + std::to_string(bad) + " of its output " +
                     shape_of(value) + " (input shapes " + input_shapes(nodes) + ")");
}

/// Backward check: every input gradient the node's backward wrote must be finite.
template <class T>
void check_backward(const Node<T>& n) {
  for (std::size_t i = 0; i < n.inputs.size(); ++i) {
    const Node<T>& input = *n.inputs[i];
    if (!input.requires_grad || !input.has_grad) continue;
    const std::size_t bad = first_non_finite(input.grad);
    if (bad == input.grad.size()) continue;
    throw AnomalyError("anomaly detected in backward: op '" + std::string(n.op) + "'" + where(n.name) + " produced " +
                       describe_value(input.grad.data()[bad]) + " at element " + std::to_string(bad) +
                       " of the gradient for its input " + std::to_string(i) +
                       (input.name.empty() || input.backward ? "" : " ('" + input.name + "')") + " (input shapes " +
                       input_shapes(n.inputs) + ", output " + shape_of(n.value) + ")");
  }
}

}  // namespace

template <class T>
Node<T>::Node() { ++live_nodes; }

template <class T>
Node<T>::~Node() {
  --live_nodes;
  backward = nullptr;
  graph_backward = nullptr;
  std::vector<std::shared_ptr<Node>> pending = std::move(inputs);
  if (grad_graph) pending.push_back(std::move(grad_graph));
  while (!pending.empty()) {
    std::shared_ptr<Node> n = std::move(pending.back());
    pending.pop_back();
    if (n && n.use_count() == 1) {  // we hold the last reference: take its inputs first
      for (auto& input : n->inputs) pending.push_back(std::move(input));
      if (n->grad_graph) pending.push_back(std::move(n->grad_graph));
      n->inputs.clear();
      n->backward = nullptr;
      n->graph_backward = nullptr;
    }
  }
}

template <class T>
Variable<T>::Variable() : Variable(Tensor<T>(T(0))) {}

template <class T>
Variable<T>::Variable(Tensor<T> value, bool requires_grad) : node_(std::make_shared<Node<T>>()) {
  node_->value = std::move(value);
  node_->requires_grad = requires_grad;
}

template <class T>
const Tensor<T>& Variable<T>::grad() const {
  if (!node_->has_grad) {
    node_->grad = xt::zeros<T>(node_->value.shape());
    node_->has_grad = true;
  }
  return node_->grad;
}

template <class T>
void Variable<T>::set_requires_grad(bool requires) {
  if (!is_leaf())
    throw std::logic_error("set_requires_grad: only a leaf variable's requires_grad can be changed");
  node_->requires_grad = requires;
}

template <class T>
T Variable<T>::item() const {
  if (node_->value.size() != 1)
    throw std::invalid_argument("item: the variable has shape " + shape_of(node_->value) +
                                ", not exactly one element");
  return node_->value.data()[0];
}

template <class T>
Variable<T> Variable<T>::detach() const { return Variable(Tensor<T>(node_->value)); }

template <class T>
Variable<T> Variable<T>::make_result(Tensor<T> value, const char* op, std::vector<Variable> inputs,
                                     std::function<void(Node<T>&)> backward,
                                     std::function<void(Node<T>&)> graph_backward) {
  if (anomaly_enabled) check_forward(value, op, inputs);
  Variable out(std::move(value));
  out.node_->op = op;
  if (anomaly_enabled) out.node_->name = layer_scope;
  if (!grad_mode_enabled) return out;
  bool any = false;
  for (const auto& v : inputs) any = any || v.node_->requires_grad;
  if (!any) return out;
  out.node_->requires_grad = true;
  out.node_->inputs.reserve(inputs.size());
  for (auto& v : inputs) out.node_->inputs.push_back(std::move(v.node_));
  out.node_->backward = std::move(backward);
  out.node_->graph_backward = std::move(graph_backward);
  return out;
}

template <class T>
void Variable<T>::backward(bool retain_graph, bool create_graph) {
  if (create_graph) return detail::backward_create_graph<T>(*this, nullptr);
  run_backward(nullptr, retain_graph);
}

template <class T>
void Variable<T>::backward(const Tensor<T>& upstream, bool retain_graph, bool create_graph) {
  if (create_graph) return detail::backward_create_graph(*this, &upstream);
  run_backward(&upstream, retain_graph);
}

template <class T>
Variable<T> Variable<T>::grad_graph() const {
  if (node_->grad_graph) return Variable(node_->grad_graph);
  return Variable(Tensor<T>(grad()));
}

template <class T>
void Variable<T>::run_backward(const Tensor<T>* upstream, bool retain_graph) {
  Node<T>& root = *node_;
  const char* freed =
      "backward: the graph was already freed by an earlier backward; pass retain_graph = true "
      "to the first backward to go through it again";
  if (root.released) throw std::logic_error(freed);
  if (!root.requires_grad)
    throw std::logic_error(
        "backward: this variable does not require grad (no input requires grad, or it was "
        "computed under NoGradGuard)");
  if (!upstream && root.value.size() != 1)
    throw std::invalid_argument("backward: the output has shape " + shape_of(root.value) +
                                "; a non-scalar output needs an explicit upstream gradient of "
                                "that shape");
  if (upstream && upstream->shape() != root.value.shape())
    throw std::invalid_argument("backward: the upstream gradient has shape " + shape_of(*upstream) +
                                " but the output has shape " + shape_of(root.value));

  std::vector<Node<T>*> order;
  detail::post_order(root, ++visit_epoch, order, freed);

  // Intermediate gradients start empty: a retained graph must not count twice.
  for (Node<T>* n : order)
    if (n->backward) n->has_grad = false;
  struct ClearUpstream {
    Node<T>& root;
    ~ClearUpstream() { root.upstream = nullptr; }
  } clear_upstream{root};
  if (upstream && root.backward) {
    root.upstream = upstream;  // read in place: no copy of a possibly large tensor
    root.has_grad = true;
  } else if (upstream) {
    detail::accumulate_grad(root, *upstream);
  } else {
    detail::accumulate_grad_each(root, [](std::size_t) { return T(1); });
  }
  const bool check = anomaly_enabled;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Node<T>* n = *it;
    if (n->backward && n->has_grad) {
      n->backward(*n);
      if (check) check_backward(*n);
    }
  }

  // Intermediate gradients are not kept (as in PyTorch) unless the graph is
  // retained (for to_dot); leaves keep theirs.
  std::vector<std::shared_ptr<Node<T>>> released_inputs;
  for (Node<T>* n : order) {
    if (!n->backward) continue;
    if (retain_graph) {
      if (n->upstream) n->has_grad = false;  // its gradient was read in place, never stored
      continue;
    }
    detail::release_node(*n, released_inputs);
  }
  // released_inputs dies here; Node's destructor keeps the teardown iterative.
}

template struct Node<float>;
template struct Node<double>;
template class Variable<float>;
template class Variable<double>;

}  // namespace xgrad
