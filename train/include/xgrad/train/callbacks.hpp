#pragma once
/// Callbacks, as Keras's: fit calls each at the end of every epoch (and, for
/// those that ask, every batch) with the logs, a name -> value map:
///   epoch: "loss", "accuracy" (classification), "val_loss", "val_accuracy" (with validation), "lr"
///   batch: "batch" (0-based), "size" (rows), "loss"
/// A callback stops the run cleanly by setting context.stop_training; fit then
/// returns the history so far. A fit without callbacks builds no logs at all.
#include <any>
#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "xgrad/layers/module.hpp"
#include "xgrad/train/model_io.hpp"
#include "xgrad/train/optimizers.hpp"

namespace xgrad {

using Logs = std::map<std::string, double>;

/// The weights of a model by parameter name. The one place that decides what a
/// snapshot holds (EarlyStopping's restore_best_weights, ModelCheckpoint).
template <class T>
using WeightSnapshot = StateDict<T>;
template <class T>
WeightSnapshot<T> snapshot_weights(const Module<T>& model);
/// Copies the snapshot back; std::invalid_argument if a name or a shape differs.
template <class T>
void restore_weights(Module<T>& model, const WeightSnapshot<T>& snapshot);

/// What a callback may do to the run it watches, whatever the element type.
class TrainingContext {
 public:
  virtual ~TrainingContext() = default;
  bool stop_training = false;
  /// A WeightSnapshot<T> of the model, to hand back to restore_weights.
  virtual std::any snapshot_weights() = 0;
  virtual void restore_weights(const std::any& snapshot) = 0;
  /// save_model (atomic); std::invalid_argument if the model is not a Sequential.
  virtual void save_model(const std::string& path, const ModelInfo& info) = 0;
  virtual OptimizerBase& optimizer() = 0;
};

class Callback {
 public:
  virtual ~Callback() = default;
  virtual void on_train_begin(TrainingContext&) {}
  virtual void on_batch_end(std::size_t /*batch*/, const Logs&, TrainingContext&) {}
  virtual void on_epoch_end(std::size_t /*epoch*/, const Logs&, TrainingContext&) {}
  virtual void on_train_end(TrainingContext&) {}
  /// false (the default): on_batch_end is never called.
  virtual bool wants_batches() const { return false; }
};

/// "min", "max" or "auto" (max when the monitor's name contains "acc", as Keras).
enum class MonitorMode { automatic, min, max };
MonitorMode parse_monitor_mode(const std::string& mode);

/// The value of logs[monitor]; std::invalid_argument naming `who`, the monitor and the keys there are.
double monitored_value(const Logs& logs, const std::string& monitor, const char* who);

/// Keras's EarlyStopping: stops when `monitor` has not improved by more than
/// min_delta for `patience` epochs. With restore_best_weights the best epoch's
/// weights come back when it stops (as Keras: not when the epochs run out).
class EarlyStopping : public Callback {
 public:
  explicit EarlyStopping(std::string monitor = "val_loss", double min_delta = 0.0, std::size_t patience = 0,
                         MonitorMode mode = MonitorMode::automatic, bool restore_best_weights = false);
  void on_train_begin(TrainingContext&) override;
  void on_epoch_end(std::size_t epoch, const Logs& logs, TrainingContext& context) override;
  /// The 0-based epoch at which it stopped the run, if it did; the best epoch and value.
  std::optional<std::size_t> stopped_epoch() const { return stopped_epoch_; }
  std::size_t best_epoch() const { return best_epoch_; }
  double best() const { return best_; }

 private:
  std::string monitor_;
  double min_delta_;
  std::size_t patience_, wait_ = 0, best_epoch_ = 0;
  bool maximise_, restore_;
  double best_ = 0;
  std::any best_weights_;
  std::optional<std::size_t> stopped_epoch_;
};

/// Keras's ModelCheckpoint: saves the model (save_model, atomic) after each
/// epoch, or with save_best_only only when `monitor` improves. "{epoch}" in the
/// path becomes the 1-based epoch number.
class ModelCheckpoint : public Callback {
 public:
  explicit ModelCheckpoint(std::string filepath, std::string monitor = "val_loss", bool save_best_only = false,
                           MonitorMode mode = MonitorMode::automatic, ModelInfo info = {});
  void on_epoch_end(std::size_t epoch, const Logs& logs, TrainingContext& context) override;
  std::size_t saves() const { return saves_; }

 private:
  std::string filepath_, monitor_;
  bool save_best_only_, maximise_;
  ModelInfo info_;
  std::optional<double> best_;
  std::size_t saves_ = 0;
};

/// Keras's CSVLogger: a header "epoch,<log names sorted>", then one row per epoch (0-based).
class CSVLogger : public Callback {
 public:
  explicit CSVLogger(std::string filename, char separator = ',', bool append = false);
  void on_train_begin(TrainingContext&) override;
  void on_epoch_end(std::size_t epoch, const Logs& logs, TrainingContext&) override;
  void on_train_end(TrainingContext&) override;

 private:
  std::string filename_;
  char separator_;
  bool append_, header_written_ = false;
  std::ofstream file_;
};

/// Keras's TerminateOnNaN: stops the run at the first batch whose loss is not
/// finite, before that batch's update (fit otherwise throws std::runtime_error).
class TerminateOnNaN : public Callback {
 public:
  void on_batch_end(std::size_t batch, const Logs& logs, TrainingContext& context) override;
  bool wants_batches() const override { return true; }
};

/// A callback from a lambda: fn(epoch, logs, context) at every epoch end.
class LambdaCallback : public Callback {
 public:
  using EpochFn = std::function<void(std::size_t, const Logs&, TrainingContext&)>;
  explicit LambdaCallback(EpochFn on_epoch_end) : fn_(std::move(on_epoch_end)) {}
  void on_epoch_end(std::size_t epoch, const Logs& logs, TrainingContext& context) override { fn_(epoch, logs, context); }

 private:
  EpochFn fn_;
};

}  // namespace xgrad
