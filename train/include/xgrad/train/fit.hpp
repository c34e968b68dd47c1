#pragma once
/// The training loop: mini-batches with shuffling, per-epoch loss and
/// accuracy (and validation figures), a progress bar on a terminal and plain
/// lines otherwise, callbacks (callbacks.hpp, schedulers.hpp); evaluate and predict.
///
/// Modes: fit trains in training mode and scores validation data in eval mode
/// without a graph (a Dropout is off there), and leaves the model in eval mode.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <vector>

#include "xgrad/core/random.hpp"
#include "xgrad/layers/module.hpp"
#include "xgrad/train/callbacks.hpp"
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
  /// The shuffle: with no `generator`, fit seeds one from `seed` and the
  /// optimizer's step count (iterations()), so a fresh model and optimizer with
  /// the same seed repeat a run bit for bit, and a loop of fit(epochs = 1) on
  /// the same optimizer goes on to new shuffles. A `generator` given is used and
  /// advanced instead: its state carries over between calls.
  std::uint64_t seed = 0;
  Generator* generator = nullptr;
  LossKind loss = LossKind::cross_entropy;
  double delta = 1.0;            ///< huber's delta, smooth_l1's beta
  double label_smoothing = 0.0;  ///< cross_entropy's
  /// Keras's sample_weight: one weight >= 0 per row of x; and class_weight: one per
  /// class id (0/1 for a binary model). A row's loss counts w times (the product of
  /// both), the batch loss staying a mean over rows (see losses.hpp). Validation is unweighted.
  std::vector<double> sample_weight, class_weight;
  /// > 0: clip_grad_norm / clip_grad_value on the gradients before every step (Keras's clipnorm / clipvalue).
  double clip_grad_norm = 0.0, clip_grad_value = 0.0;
  /// Called in order at every epoch end (and batch end for those that ask); see callbacks.hpp.
  std::vector<std::shared_ptr<Callback>> callbacks;
  Progress progress = Progress::automatic;
  std::ostream* out = nullptr;  ///< nullptr: std::cout
};

struct EpochStats {
  double loss = 0, accuracy = 0;
  std::optional<double> val_loss, val_accuracy;
  double seconds = 0;
  /// The optimizer's learning rate during the epoch (before a scheduler's step at its end).
  double learning_rate = 0;
};

struct History {
  std::vector<EpochStats> epochs;
  /// A callback stopped the run (EarlyStopping, TerminateOnNaN, ...); an epoch stopped
  /// part-way by a batch callback is not in `epochs`.
  bool stopped = false;
};

struct Evaluation {
  double loss = 0;
  double accuracy = 0;  ///< NaN for regression targets
  /// The regression form (a target tensor): mean absolute error, root mean squared error, R^2.
  std::optional<double> mae, rmse, r2;
};

/// Classification: `labels[row]` are class ids (cross_entropy), or 0/1 targets
/// for a one-output model (binary_cross_entropy_with_logits).
template <class T>
History fit(Module<T>& model, const Tensor<T>& x, const std::vector<std::int64_t>& labels,
            Optimizer<T>& optimizer, const FitOptions& options);

/// Regression or multi-target: `targets` has the model's output shape per row
/// (mse, l1, smooth_l1, huber or BCE); a [n] target fits a one-output model.
template <class T>
History fit(Module<T>& model, const Tensor<T>& x, const Tensor<T>& targets, Optimizer<T>& optimizer,
            const FitOptions& options);

/// With explicit validation data (Keras's validation_data), scored after every epoch.
template <class T>
History fit(Module<T>& model, const Tensor<T>& x, const std::vector<std::int64_t>& labels, Optimizer<T>& optimizer,
            const FitOptions& options, const Tensor<T>& val_x, const std::vector<std::int64_t>& val_labels);
template <class T>
History fit(Module<T>& model, const Tensor<T>& x, const Tensor<T>& targets, Optimizer<T>& optimizer,
            const FitOptions& options, const Tensor<T>& val_x, const Tensor<T>& val_targets);

/// Scores in eval mode without a graph (the model's mode is restored after).
template <class T>
Evaluation evaluate(Module<T>& model, const Tensor<T>& x, const std::vector<std::int64_t>& labels,
                    LossKind loss = LossKind::cross_entropy);
/// The regression form: the loss, and mae, rmse and r2 of the predictions.
template <class T>
Evaluation evaluate(Module<T>& model, const Tensor<T>& x, const Tensor<T>& targets, LossKind loss = LossKind::mse);

/// The model's outputs for every row, computed in eval mode without a graph.
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
