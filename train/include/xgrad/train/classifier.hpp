#pragma once
/// Train a classifier on a table in one call: the shuffled train/test split,
/// standardisation fitted on the training rows, a Sequential of hidden layers
/// from a spec such as "64:relu,32:prelu", a softmax-free output layer sized to
/// the classes (cross-entropy on its logits), fit, and the test accuracy.
/// What xgrad's `train` command and the classify examples run.
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "xgrad/layers/sequential.hpp"
#include "xgrad/train/csv.hpp"
#include "xgrad/train/fit.hpp"
#include "xgrad/train/model_io.hpp"

namespace xgrad {

struct HiddenLayerSpec {
  std::size_t units = 0;
  /// An activation name, or "prelu" (a PReLU layer with one alpha per unit), with or
  /// without parameters: "leaky_relu(negative_slope=0.2)", "prelu(alpha=0.1)" (parse_activation).
  std::string activation = "relu";
};

/// "64:relu,32:prelu" -> {{64, relu}, {32, prelu}}; "64" means relu; "" means
/// no hidden layer; "64:threshold(threshold=0.1, value=0)" sets parameters. Throws std::invalid_argument naming the bad part.
std::vector<HiddenLayerSpec> parse_layer_spec(const std::string& spec);

struct ClassifierOptions {
  std::vector<HiddenLayerSpec> hidden{{64, "relu"}};
  std::size_t epochs = 200;
  std::size_t batch_size = 32;
  std::string optimizer = "adam";
  double learning_rate = 1e-3;
  double test_fraction = 0.2;
  /// The last fraction of the (already shuffled) training rows, scored after
  /// every epoch as val_loss / val_accuracy and not trained on. 0: none.
  double validation_fraction = 0.0;
  std::uint64_t seed = 0;
  Progress progress = Progress::automatic;
  std::ostream* out = nullptr;  ///< nullptr: std::cout
  bool print_summary = false;
  /// Standardise the features (fitted on the training rows, kept with the model).
  bool standardize = true;
  /// > 0: stop when the validation loss has not improved for this many epochs
  /// and restore the best weights (EarlyStopping); needs validation_fraction > 0.
  std::size_t early_stopping = 0;
  /// The optimizer's weight_decay (L2 for sgd, adam, rmsprop; decoupled for adamw); unset: its default.
  std::optional<double> weight_decay;
  double dropout = 0.0;     ///< in [0, 1): a Dropout after each hidden layer when > 0
  bool batch_norm = false;  ///< a BatchNorm1d after each hidden Dense
  /// The learning-rate schedule: "constant", "step" (x0.1 every third of the epochs), "cosine"
  /// (CosineAnnealingLR over the epochs) or "plateau" (ReduceLROnPlateau on val_loss, else loss).
  std::string schedule = "constant";
  /// scikit-learn's class_weight="balanced": class c weighs rows / (classes * rows of c), over the training rows.
  bool balanced_class_weight = false;
  std::string history_csv;  ///< non-empty: a CSVLogger row per epoch (loss, metrics, validation, lr)
};

/// Adds the schedule (a callback stepping `optimizer`) to `fit_options`; throws std::invalid_argument for an unknown name.
void add_schedule(FitOptions& fit_options, OptimizerBase& optimizer, const ClassifierOptions& options);

/// The optimizer that ClassifierOptions name (sgd, adam, adamw, rmsprop), over `parameters`.
template <class T>
std::unique_ptr<Optimizer<T>> make_classifier_optimizer(const ClassifierOptions& options,
                                                        std::vector<Variable<T>> parameters);

/// The FitOptions that ClassifierOptions describe (epochs, batches, validation, early stopping, ...).
FitOptions fit_options_of(const ClassifierOptions& options);

/// T is the model's dtype: float (the default) or double (`xgrad train --dtype float64`).
template <class T = float>
struct BasicClassifierResult {
  Sequential<T> model;
  ModelInfo info;
  History history;
  double test_accuracy = 0;
  std::size_t train_rows = 0, test_rows = 0;
};
using ClassifierResult = BasicClassifierResult<float>;

/// Builds the model for `features` inputs and `classes` outputs, initialised from `seed`.
/// `dropout` > 0 adds a Dropout(p) after each hidden layer, `batch_norm` a BatchNorm1d after each hidden Dense.
template <class T = float>
Sequential<T> build_classifier(std::size_t features, std::size_t classes, const std::vector<HiddenLayerSpec>& hidden,
                               std::uint64_t seed, double dropout = 0.0, bool batch_norm = false);

/// train_classifier<double> trains a float64 model (the same initial weights, drawn in float64).
template <class T = float>
BasicClassifierResult<T> train_classifier(const CsvDataset& data, const ClassifierOptions& options);

/// Standardises with the model's statistics and returns [rows, features] as T (float32 by default).
template <class T = float>
Tensor<T> prepare_features(const Tensor<double>& features, const ModelInfo& info);

}  // namespace xgrad
