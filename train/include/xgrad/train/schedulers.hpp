#pragma once
/// Learning-rate schedulers with PyTorch's names, defaults and rules. Each
/// holds an optimizer and sets its learning rate; construction applies epoch 0
/// (as PyTorch), each step() moves one epoch on. Each is also a Callback: in
/// fit's callbacks it steps at every epoch end (every batch end with per_batch,
/// for a warm-up counted in steps).
///
///   StepLR(step_size, gamma = 0.1):   lr *= gamma every step_size epochs
///   ExponentialLR(gamma):             lr *= gamma every epoch
///   CosineAnnealingLR(T_max, eta_min = 0):
///       lr = eta_min + (base_lr - eta_min) (1 + cos(pi epoch / T_max)) / 2   (the closed form)
///   LinearLR(start_factor = 1/3, end_factor = 1, total_iters = 5):  linear warm-up,
///       lr = base_lr (start + (end - start) min(epoch, total_iters) / total_iters)
///   ReduceLROnPlateau(mode = min, factor = 0.1, patience = 10, threshold = 1e-4 (rel),
///       cooldown = 0, min_lr = 0, eps = 1e-8): step(metric); as a callback it reads `monitor`.
///
/// A scheduler keeps a reference to its optimizer, which must outlive it.
#include <string>

#include "xgrad/train/callbacks.hpp"
#include "xgrad/train/optimizers.hpp"

namespace xgrad {

class LRScheduler : public Callback {
 public:
  /// One epoch on: sets the optimizer's learning rate.
  void step();
  /// The learning rate it set last (PyTorch's get_last_lr()).
  double last_lr() const { return last_lr_; }
  long last_epoch() const { return last_epoch_; }
  /// Step at every batch end instead of every epoch end (fit's callbacks).
  bool per_batch = false;

  void on_batch_end(std::size_t, const Logs&, TrainingContext&) override { if (per_batch) step(); }
  void on_epoch_end(std::size_t, const Logs&, TrainingContext&) override { if (!per_batch) step(); }
  bool wants_batches() const override { return per_batch; }

 protected:
  explicit LRScheduler(OptimizerBase& optimizer);
  /// The learning rate for last_epoch_ given the current one; derived constructors call start().
  virtual double compute_lr(double current) const = 0;
  void start();
  OptimizerBase& optimizer_;
  double base_lr_;
  long last_epoch_ = 0;
  double last_lr_ = 0;
};

class StepLR : public LRScheduler {
 public:
  StepLR(OptimizerBase& optimizer, long step_size, double gamma = 0.1);

 private:
  double compute_lr(double current) const override;
  long step_size_;
  double gamma_;
};

class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(OptimizerBase& optimizer, double gamma);

 private:
  double compute_lr(double current) const override;
  double gamma_;
};

class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(OptimizerBase& optimizer, long T_max, double eta_min = 0.0);

 private:
  double compute_lr(double current) const override;
  long t_max_;
  double eta_min_;
};

/// Linear warm-up (torch.optim.lr_scheduler.LinearLR).
class LinearLR : public LRScheduler {
 public:
  LinearLR(OptimizerBase& optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0, long total_iters = 5);

 private:
  double compute_lr(double current) const override;
  double start_, end_;
  long total_;
};

enum class ThresholdMode { rel, abs };

class ReduceLROnPlateau : public Callback {
 public:
  ReduceLROnPlateau(OptimizerBase& optimizer, MonitorMode mode = MonitorMode::min, double factor = 0.1, long patience = 10,
                    double threshold = 1e-4, ThresholdMode threshold_mode = ThresholdMode::rel, long cooldown = 0,
                    double min_lr = 0.0, double eps = 1e-8, std::string monitor = "val_loss");
  /// One epoch on with its monitored value.
  void step(double metric);
  double last_lr() const { return optimizer_.learning_rate(); }
  void on_epoch_end(std::size_t, const Logs& logs, TrainingContext&) override;

 private:
  bool is_better(double a) const;
  OptimizerBase& optimizer_;
  bool maximise_;
  double factor_;
  long patience_;
  double threshold_;
  ThresholdMode threshold_mode_;
  long cooldown_;
  double min_lr_, eps_;
  std::string monitor_;
  double best_;
  long bad_epochs_ = 0, cooldown_counter_ = 0;
};

}  // namespace xgrad
