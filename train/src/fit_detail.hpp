#pragma once
// What fit.cpp and evaluate.cpp share: targets of a batch, the loss of a batch, scoring.
#include <cstdint>
#include <string>
#include <vector>

#include "xgrad/train/fit.hpp"

namespace xgrad::detail {

/// Targets of a batch: class ids or a target tensor.
template <class T>
struct Targets {
  const std::vector<std::int64_t>* labels = nullptr;
  const Tensor<T>* values = nullptr;
  std::size_t rows() const { return labels ? labels->size() : values->shape()[0]; }
};

template <class T>
struct BatchResult {
  Variable<T> loss;
  std::size_t correct = 0;
  bool has_accuracy = false;
};

struct LossSettings {
  LossKind kind = LossKind::cross_entropy;
  double delta = 1.0, label_smoothing = 0.0;
  /// Keras's sample_weight (per row of x) and class_weight (per class id); nullptr or empty: none.
  const std::vector<double>* sample_weight = nullptr;
  const std::vector<double>* class_weight = nullptr;
};

template <class T>
BatchResult<T> batch_loss(const Variable<T>& out, const Targets<T>& targets, const std::vector<std::size_t>& index,
                          std::size_t begin, std::size_t end, const LossSettings& loss);

/// Loss (and accuracy) over the rows `index` of x, in eval mode without a graph.
template <class T>
Evaluation evaluate_rows(Module<T>& model, const Tensor<T>& x, const Targets<T>& targets,
                         const std::vector<std::size_t>& index, const LossSettings& loss);

/// Binary losses: every label 0 or 1, every target in [0, 1], with the row of the data
/// named (the losses themselves can only name the row of a shuffled batch).
template <class T>
void check_binary_targets(const Targets<T>& targets, LossKind kind);

void check_rows(const char* who, std::size_t x_rows, std::size_t target_rows, const Shape& x_shape);

/// Sets a module's training mode for a scope and restores the previous one.
template <class T>
class ModeGuard {
 public:
  ModeGuard(Module<T>& model, bool training) : model_(model), previous_(model.is_training()) {
    if (previous_ != training) model_.train(training);
  }
  ~ModeGuard() {
    if (model_.is_training() != previous_) model_.train(previous_);
  }
  ModeGuard(const ModeGuard&) = delete;
  ModeGuard& operator=(const ModeGuard&) = delete;

 private:
  Module<T>& model_;
  bool previous_;
};

}  // namespace xgrad::detail
