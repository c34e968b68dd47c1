#pragma once
/// Variable: a cheap handle over shared node state (value, grad, the backward
/// rule and its inputs). Copying a Variable copies a pointer, not a tensor.
///
/// Ownership runs one way only: a node owns its inputs; a backward closure
/// receives its own output node as an argument and never owns it, so there
/// are no shared_ptr cycles. backward() releases closures and inputs unless
/// the graph is retained, which frees every intermediate buffer.
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "xgrad/core/tensor.hpp"

namespace xgrad {

template <class T>
struct Node {
  Tensor<T> value;
  /// Valid only while has_grad; the buffer is kept across zero_grad for reuse.
  Tensor<T> grad;
  bool has_grad = false;
  bool requires_grad = false;
  /// Set when backward freed the graph below this node.
  bool released = false;
  const char* op = "leaf";
  /// A leaf's parameter name ("0.weight", set by Sequential), or for an op
  /// recorded under AnomalyMode the layer it ran in; empty otherwise.
  std::string name;
  std::vector<std::shared_ptr<Node>> inputs;
  /// Reads this node's grad and accumulates (+=) into its inputs' grads.
  std::function<void(Node&)> backward;
  /// The same rule written with differentiable ops, used only by a backward
  /// with create_graph: reads grad_graph and accumulates into the inputs'
  /// grad_graph, so that the gradient is itself a graph. Null for an op that
  /// has none (a create_graph backward through it throws, naming the op).
  std::function<void(Node&)> graph_backward;
  /// Under create_graph, the gradient arriving at this node as a graph node
  /// (a leaf keeps it after backward(create_graph = true) until zero_grad).
  std::shared_ptr<Node> grad_graph;
  std::uint64_t visit_mark = 0;
  /// backward(upstream) from this node: the upstream tensor, read in place
  /// instead of being copied into grad.
  const Tensor<T>* upstream = nullptr;
  /// The one way a backward rule reads the gradient arriving at its output.
  const Tensor<T>& incoming_grad() const { return upstream ? *upstream : grad; }

  Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  /// Tears the graph down iteratively: a chain of a million ops must not
  /// recurse a million destructor frames deep.
  ~Node();
};

/// The number of graph nodes alive in this process (float and double); tests
/// use it to prove that backward and teardown free everything.
long live_node_count();

template <class T>
class Variable {
 public:
  using NodePtr = std::shared_ptr<Node<T>>;

  /// A leaf holding a 0-d zero; mostly a placeholder to assign to.
  Variable();
  /// A leaf holding `value`; `requires_grad` makes it a parameter that receives a gradient.
  explicit Variable(Tensor<T> value, bool requires_grad = false);
  explicit Variable(NodePtr node) : node_(std::move(node)) {}

  const Tensor<T>& value() const { return node_->value; }
  /// For optimizers and initialisers: change a leaf's value in place.
  Tensor<T>& mutable_value() { return node_->value; }
  /// The accumulated gradient (zeros of the value's shape when none has arrived yet).
  const Tensor<T>& grad() const;
  bool has_grad() const { return node_->has_grad; }
  bool requires_grad() const { return node_->requires_grad; }
  void set_requires_grad(bool requires);
  bool is_leaf() const { return !node_->backward && node_->inputs.empty(); }
  Shape shape() const { return to_shape(node_->value.shape()); }
  std::size_t size() const { return node_->value.size(); }
  std::size_t dim() const { return node_->value.dimension(); }
  /// The value of a one-element variable; throws std::invalid_argument otherwise.
  T item() const;
  const char* op() const { return node_->op; }
  /// A parameter's name (set by Sequential::add, e.g. "0.weight"); empty for others.
  const std::string& name() const { return node_->name; }
  void set_name(std::string name) { node_->name = std::move(name); }

  /// Reverse-mode differentiation from this scalar (one-element) variable.
  /// With retain_graph the intermediate nodes keep their gradients until the
  /// next backward through them (to_dot shows their norms).
  /// With create_graph the gradients are computed by differentiable ops and
  /// form a graph of their own (grad_graph()), which can be differentiated
  /// again; the graph is then always retained (PyTorch's default for it).
  void backward(bool retain_graph = false, bool create_graph = false);
  /// The same from a variable of any shape, with the upstream gradient d(out)/d(this).
  void backward(const Tensor<T>& upstream, bool retain_graph = false, bool create_graph = false);
  /// The gradient as a variable: after backward(create_graph = true) the graph
  /// that computed it (differentiate it again with grad() or backward());
  /// otherwise a constant holding grad(). As in PyTorch, a leaf's gradient
  /// graph refers back to the leaf: zero_grad() breaks that cycle.
  Variable grad_graph() const;
  /// Forgets the gradient (keeps the buffer for reuse) and its graph.
  void zero_grad() {
    node_->has_grad = false;
    node_->grad_graph.reset();
  }
  /// A new leaf sharing nothing with the graph: the value copied, no grad.
  Variable detach() const;

  const NodePtr& node() const { return node_; }
  bool same_node(const Variable& other) const { return node_ == other.node_; }

  /// The result of an op: records `inputs` and `backward` when grad mode is on
  /// and any input requires grad; otherwise a plain leaf.
  /// `graph_backward` is the differentiable form of `backward` (see Node).
  static Variable make_result(Tensor<T> value, const char* op, std::vector<Variable> inputs,
                              std::function<void(Node<T>&)> backward,
                              std::function<void(Node<T>&)> graph_backward = nullptr);

 private:
  void run_backward(const Tensor<T>* upstream, bool retain_graph);
  NodePtr node_;
};

/// Disables graph recording on this thread for its lifetime (RAII), as
/// torch.no_grad(): results of ops are plain leaves.
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

bool grad_enabled();

/// Enables graph recording on this thread for its lifetime (torch.enable_grad),
/// e.g. inside a NoGradGuard.
class EnableGradGuard {
 public:
  EnableGradGuard();
  ~EnableGradGuard();
  EnableGradGuard(const EnableGradGuard&) = delete;
  EnableGradGuard& operator=(const EnableGradGuard&) = delete;

 private:
  bool previous_;
};

/// The error AnomalyMode raises: which op, forward or backward, the shapes and the layer.
class AnomalyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Turns anomaly detection on for this thread for its lifetime (RAII), as
/// torch.autograd.detect_anomaly: the first op whose forward output, or whose
/// backward gradient for an input, holds a NaN or an infinity throws
/// AnomalyError naming the op, its input shapes, the layer it ran in (see
/// LayerScope) and the direction. Off, it costs one thread-local test per op.
class AnomalyMode {
 public:
  explicit AnomalyMode(bool enabled = true);
  ~AnomalyMode();
  AnomalyMode(const AnomalyMode&) = delete;
  AnomalyMode& operator=(const AnomalyMode&) = delete;

 private:
  bool previous_;
};

bool anomaly_mode_enabled();

/// Names the layer whose ops run during its lifetime (Sequential sets it only
/// when AnomalyMode is on); ops recorded meanwhile remember it for messages.
class LayerScope {
 public:
  explicit LayerScope(std::string name);
  ~LayerScope();
  LayerScope(const LayerScope&) = delete;
  LayerScope& operator=(const LayerScope&) = delete;

 private:
  std::string previous_;
};

/// The innermost LayerScope's name on this thread ("" outside any).
const std::string& current_layer();

namespace detail {

/// grad(n) += contribution(i) for every element i; writes instead of adding
/// when n has no gradient yet (no zero fill, and the old buffer is reused).
template <class T, class F>
void accumulate_grad_each(Node<T>& n, F&& contribution) {
  if (!n.requires_grad) return;
  const std::size_t count = n.value.size();
  if (!n.has_grad) {
    if (n.grad.shape() != n.value.shape()) n.grad.resize(n.value.shape());
    T* g = n.grad.data();
    for (std::size_t i = 0; i < count; ++i) g[i] = contribution(i);
    n.has_grad = true;
  } else {
    T* g = n.grad.data();
    for (std::size_t i = 0; i < count; ++i) g[i] += contribution(i);
  }
}

/// grad(n) += g, where g has n's shape.
template <class T>
void accumulate_grad(Node<T>& n, const Tensor<T>& g) {
  const T* src = g.data();
  accumulate_grad_each(n, [src](std::size_t i) { return src[i]; });
}

/// grad(n) += g summed back to n's shape (the reverse of broadcasting).
template <class T>
void accumulate_grad_reduced(Node<T>& n, const Tensor<T>& g) {
  if (!n.requires_grad) return;
  if (g.shape() == n.value.shape()) return accumulate_grad(n, g);
  accumulate_grad(n, sum_to_shape(g, to_shape(n.value.shape())));
}

/// The gradient buffer of n ready to be written (sized; has_grad reports whether it holds data).
template <class T>
T* grad_buffer(Node<T>& n, bool& accumulate_into) {
  accumulate_into = n.has_grad;
  if (!n.has_grad && n.grad.shape() != n.value.shape()) n.grad.resize(n.value.shape());
  n.has_grad = true;
  return n.grad.data();
}

/// Inside a graph_backward rule: input i of the op, and the incoming gradient, as variables.
template <class T>
Variable<T> input_variable(const Node<T>& self, std::size_t i) { return Variable<T>(self.inputs[i]); }
template <class T>
Variable<T> incoming_grad_graph(const Node<T>& self) { return Variable<T>(self.grad_graph); }

/// grad_graph(n) += g, summed back to n's shape when g is broadcast (a graph op).
template <class T>
void accumulate_grad_graph(Node<T>& n, const Variable<T>& g);

/// backward(create_graph = true): the engine of higher_order.cpp.
template <class T>
void backward_create_graph(const Variable<T>& root, const Tensor<T>* upstream);

}  // namespace detail

}  // namespace xgrad
