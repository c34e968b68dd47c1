// The engine of backward(create_graph = true) and grad(): one walk over the
// graph from several roots, either on raw tensors (the ops' fast rules) or on
// variables (their graph_backward rules). Variable::backward without
// create_graph never comes here: its loop in variable.cpp is unchanged.
#include "xgrad/autograd/higher_order.hpp"

#include <atomic>
#include <stdexcept>
#include <string>
#include <utility>

#include <xtensor/xbuilder.hpp>

#include "xgrad/autograd/ops.hpp"
#include "post_order.hpp"

namespace xgrad {

namespace detail {

template <class T>
void accumulate_grad_graph(Node<T>& n, const Variable<T>& g) {
  if (!n.requires_grad) return;
  Variable<T> contribution = g.shape() == to_shape(n.value.shape()) ? g : sum_to_size(g, to_shape(n.value.shape()));
  if (!n.grad_graph) {
    n.grad_graph = contribution.node();
  } else {
    n.grad_graph = add(Variable<T>(n.grad_graph), contribution).node();
  }
}

namespace {

const char* kFreed =
    "backward: the graph was already freed by an earlier backward; pass retain_graph = true "
    "to the first backward to go through it again";

template <class T>
struct Engine {
  bool create_graph = false;
  bool retain_graph = false;
  /// backward(): leaves accumulate; grad(): leaves are left as they were.
  bool accumulate_leaves = true;
  std::vector<Node<T>*> order;

  void sort(const std::vector<Node<T>*>& roots) {
    static std::atomic<std::uint64_t> epoch{std::uint64_t(1) << 62};  // apart from variable.cpp's marks
    const std::uint64_t mark = ++epoch;
    for (Node<T>* root : roots) detail::post_order(*root, mark, order, kFreed);
  }

  void seed(Node<T>& root, const Variable<T>& g) {
    if (create_graph) accumulate_grad_graph(root, g);
    else accumulate_grad(root, g.value());
  }

  void run() {
    EnableGradGuard enable;  // the graph rules record even under NoGradGuard
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      Node<T>* n = *it;
      if (!n->backward) continue;
      if (!create_graph) {
        if (n->has_grad) n->backward(*n);
        continue;
      }
      if (!n->grad_graph) continue;
      if (!n->graph_backward)
        throw std::logic_error(std::string("backward with create_graph: op '") + n->op +
                               "' has no differentiable backward rule (its gradient cannot be differentiated again)");
      n->graph_backward(*n);
    }
  }

  /// Frees the intermediate gradients and, unless retained, the graph.
  void finish() {
    std::vector<std::shared_ptr<Node<T>>> released_inputs;
    for (Node<T>* n : order) {
      if (!n->backward) continue;
      n->has_grad = false;
      n->grad_graph.reset();
      if (retain_graph) continue;
      detail::release_node(*n, released_inputs);
    }
  }
};

template <class T>
void check_root(const Node<T>& root, const char* who) {
  if (root.released) throw std::logic_error(kFreed);
  if (!root.requires_grad)
    throw std::logic_error(std::string(who) +
                           ": an output does not require grad (no input requires grad, or it was computed under "
                           "NoGradGuard)");
}

}  // namespace

template <class T>
void backward_create_graph(const Variable<T>& root, const Tensor<T>* upstream) {
  Node<T>& r = *root.node();
  check_root(r, "backward");
  if (!upstream && r.value.size() != 1)
    throw std::invalid_argument("backward: the output has shape " + shape_of(r.value) +
                                "; a non-scalar output needs an explicit upstream gradient of that shape");
  if (upstream && upstream->shape() != r.value.shape())
    throw std::invalid_argument("backward: the upstream gradient has shape " + shape_of(*upstream) +
                                " but the output has shape " + shape_of(r.value));
  Engine<T> e;
  e.create_graph = true;
  e.retain_graph = true;
  e.sort({&r});
  for (Node<T>* n : e.order) {
    if (n->backward) {
      n->has_grad = false;
      n->grad_graph.reset();
    } else if (n->has_grad && !n->grad_graph) {  // a gradient from an earlier backward: the sum starts there
      n->grad_graph = Variable<T>(Tensor<T>(n->grad)).node();
    }
  }
  e.seed(r, Variable<T>(upstream ? Tensor<T>(*upstream) : Tensor<T>(xt::ones<T>(r.value.shape()))));
  e.run();
  for (Node<T>* n : e.order) {
    if (n->backward || !n->grad_graph) continue;
    n->grad = n->grad_graph->value;
    n->has_grad = true;
  }
  e.finish();
}

template <class T>
std::vector<Variable<T>> grad(const std::vector<Variable<T>>& outputs, const std::vector<Variable<T>>& inputs,
                              const std::vector<Variable<T>>& grad_outputs, bool create_graph,
                              std::optional<bool> retain_graph, bool allow_unused) {
  if (outputs.empty()) throw std::invalid_argument("grad: no outputs");
  if (!grad_outputs.empty() && grad_outputs.size() != outputs.size())
    throw std::invalid_argument("grad: " + std::to_string(grad_outputs.size()) + " grad_outputs for " +
                                std::to_string(outputs.size()) + " outputs");
  std::vector<Variable<T>> seeds;
  std::vector<Node<T>*> roots;
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    Node<T>& r = *outputs[k].node();
    check_root(r, "grad");
    if (grad_outputs.empty()) {
      if (r.value.size() != 1)
        throw std::invalid_argument("grad: output " + std::to_string(k) + " has shape " + shape_of(r.value) +
                                    "; a non-scalar output needs grad_outputs of its shape");
      seeds.push_back(Variable<T>(Tensor<T>(xt::ones<T>(r.value.shape()))));
    } else {
      if (grad_outputs[k].shape() != to_shape(r.value.shape()))
        throw std::invalid_argument("grad: grad_outputs " + std::to_string(k) + " has shape " +
                                    shape_to_string(grad_outputs[k].shape()) + " but output " + std::to_string(k) +
                                    " has shape " + shape_of(r.value));
      seeds.push_back(grad_outputs[k]);
    }
    roots.push_back(&r);
  }
  for (std::size_t k = 0; k < inputs.size(); ++k)
    if (!inputs[k].requires_grad())
      throw std::invalid_argument("grad: input " + std::to_string(k) + " does not require grad");

  Engine<T> e;
  e.create_graph = create_graph;
  e.retain_graph = retain_graph.value_or(create_graph);
  e.sort(roots);
  // Leaves keep their .grad: set aside here, put back after.
  struct Stash {
    Node<T>* node;
    bool has_grad;
    Tensor<T> grad;
    std::shared_ptr<Node<T>> graph;
  };
  std::vector<Stash> stash;
  for (Node<T>* n : e.order) {
    if (n->backward) {
      n->has_grad = false;
      n->grad_graph.reset();
    } else {
      stash.push_back({n, n->has_grad, std::move(n->grad), std::move(n->grad_graph)});
      n->grad = Tensor<T>::from_shape(n->value.shape());  // a moved-from tensor may keep its shape, not its buffer
      n->has_grad = false;
      n->grad_graph.reset();
    }
  }
  struct Restore {
    std::vector<Stash>& stash;
    ~Restore() {
      for (auto& s : stash) {
        s.node->has_grad = s.has_grad;
        s.node->grad = std::move(s.grad);
        s.node->grad_graph = std::move(s.graph);
      }
    }
  } restore{stash};
  for (std::size_t k = 0; k < roots.size(); ++k) e.seed(*roots[k], seeds[k]);
  e.run();

  std::vector<Variable<T>> result;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    Node<T>& n = *inputs[k].node();
    const bool reached = n.visit_mark == e.order.front()->visit_mark;
    const bool has = reached && (create_graph ? bool(n.grad_graph) : n.has_grad);
    if (!has) {
      if (!allow_unused)
        throw std::invalid_argument("grad: input " + std::to_string(k) +
                                    " was not used to compute the outputs (pass allow_unused = true for zeros)");
      result.push_back(Variable<T>(Tensor<T>(xt::zeros<T>(n.value.shape()))));
    } else if (create_graph) {
      result.push_back(Variable<T>(n.grad_graph));
    } else {
      result.push_back(Variable<T>(Tensor<T>(n.grad)));
    }
  }
  e.finish();
  return result;
}

#define XGRAD_INSTANTIATE(T)                                                                                   \
  template void accumulate_grad_graph(Node<T>&, const Variable<T>&);                                           \
  template void backward_create_graph(const Variable<T>&, const Tensor<T>*);                                   \
  template std::vector<Variable<T>> grad(const std::vector<Variable<T>>&, const std::vector<Variable<T>>&,     \
                                         const std::vector<Variable<T>>&, bool, std::optional<bool>, bool);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace detail

}  // namespace xgrad
