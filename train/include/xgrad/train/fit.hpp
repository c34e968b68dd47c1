#pragma once
/// The training loop: mini-batches with shuffling, per-epoch loss and
/// accuracy (and validation figures), a progress bar on a terminal and plain
/// lines otherwise; evaluate and predict.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <vector>

#include "xgrad/layers/module.hpp"
#include "xgrad/train/losses.hpp"
#include "xgrad/train/optimizers.hpp"

namespace xgrad {

enum class Progress { automatic, bar, lines, silent };

struct FitOptions {
  std::size_t epochs = 10;
  std::size_t batch_size = 32;
  /// The last fraction of the rows (as given, before shuffling) is held out for
  /// validation, as in Keras.
  double validation_split = 0.0;
  bool shuffle = true;
  std::uint64_t seed = 0;
  LossKind loss = LossKind::cross_entropy;
  Progress progress = Progress::automatic;
  std::ostream* out = nullptr;  ///< nullptr: std::cout
};

struct EpochStats {
  double loss = 0, accuracy = 0;
  std::optional<double> val_loss, val_accuracy;
  double seconds = 0;
};

struct History {
  std::vector<EpochStats> epochs;
};

struct Evaluation {
  double loss = 0, accuracy = 0;
};

/// Classification: `labels[row]` are class ids (cross_entropy), or 0/1 targets
/// for a one-output model (binary_cross_entropy_with_logits).
template <class T>
History fit(Module<T>& model, const Tensor<T>& x, const std::vector<std::int64_t>& labels,
            Optimizer<T>& optimizer, const FitOptions& options);

/// Regression or multi-target: `targets` has the model's output shape per row (mse or BCE).
template <class T>
History fit(Module<T>& model, const Tensor<T>& x, const Tensor<T>& targets, Optimizer<T>& optimizer,
            const FitOptions& options);

template <class T>
Evaluation evaluate(Module<T>& model, const Tensor<T>& x, const std::vector<std::int64_t>& labels,
                    LossKind loss = LossKind::cross_entropy);

/// The model's outputs for every row, computed without a graph.
template <class T>
Tensor<T> predict(Module<T>& model, const Tensor<T>& x);

/// argmax of each row of predict (or output > 0 for a single output column).
template <class T>
std::vector<std::int64_t> predict_classes(Module<T>& model, const Tensor<T>& x);

/// Rows [begin, end) of `x` in the order of `index` (for mini-batches and splits).
template <class T>
Tensor<T> take_rows(const Tensor<T>& x, const std::vector<std::size_t>& index, std::size_t begin, std::size_t end);

/// A shuffled split of 0..rows-1: (train, test) with round(rows * test_fraction) test rows.
std::pair<std::vector<std::size_t>, std::vector<std::size_t>> train_test_split(std::size_t rows, double test_fraction,
                                                                               std::uint64_t seed);

}  // namespace xgrad
