#include "xgrad/train/schedulers.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "xgrad/core/format.hpp"

namespace xgrad {

namespace {
void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}
}  // namespace

LRScheduler::LRScheduler(OptimizerBase& optimizer) : optimizer_(optimizer), base_lr_(optimizer.learning_rate()) {}

void LRScheduler::start() {
  last_epoch_ = 0;
  last_lr_ = compute_lr(optimizer_.learning_rate());
  optimizer_.set_learning_rate(last_lr_);
}

void LRScheduler::step() {
  ++last_epoch_;
  last_lr_ = compute_lr(optimizer_.learning_rate());
  optimizer_.set_learning_rate(last_lr_);
}

StepLR::StepLR(OptimizerBase& optimizer, long step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  require(step_size >= 1, "StepLR: step_size must be >= 1, got " + std::to_string(step_size));
  require(std::isfinite(gamma) && gamma > 0, "StepLR: gamma must be a finite number > 0, got " + number_to_string(gamma));
  start();
}

// PyTorch's chainable form: a multiple of step_size multiplies the current lr.
double StepLR::compute_lr(double current) const {
  return last_epoch_ == 0 || last_epoch_ % step_size_ != 0 ? current : current * gamma_;
}

ExponentialLR::ExponentialLR(OptimizerBase& optimizer, double gamma) : LRScheduler(optimizer), gamma_(gamma) {
  require(std::isfinite(gamma) && gamma > 0, "ExponentialLR: gamma must be a finite number > 0, got " + number_to_string(gamma));
  start();
}

double ExponentialLR::compute_lr(double current) const { return last_epoch_ == 0 ? current : current * gamma_; }

CosineAnnealingLR::CosineAnnealingLR(OptimizerBase& optimizer, long T_max, double eta_min)
    : LRScheduler(optimizer), t_max_(T_max), eta_min_(eta_min) {
  require(T_max >= 1, "CosineAnnealingLR: T_max must be >= 1, got " + std::to_string(T_max));
  require(std::isfinite(eta_min) && eta_min >= 0, "CosineAnnealingLR: eta_min must be >= 0, got " + number_to_string(eta_min));
  start();
}

double CosineAnnealingLR::compute_lr(double) const {
  const double pi = 3.14159265358979323846;
  return eta_min_ + (base_lr_ - eta_min_) * (1 + std::cos(pi * double(last_epoch_) / double(t_max_))) / 2;
}

LinearLR::LinearLR(OptimizerBase& optimizer, double start_factor, double end_factor, long total_iters)
    : LRScheduler(optimizer), start_(start_factor), end_(end_factor), total_(total_iters) {
  require(start_factor > 0 && start_factor <= 1, "LinearLR: start_factor must be in (0, 1], got " + number_to_string(start_factor));
  require(end_factor >= 0 && end_factor <= 1, "LinearLR: end_factor must be in [0, 1], got " + number_to_string(end_factor));
  require(total_iters >= 1, "LinearLR: total_iters must be >= 1, got " + std::to_string(total_iters));
  start();
}

double LinearLR::compute_lr(double) const {
  const double t = double(std::min(last_epoch_, total_));
  return base_lr_ * (start_ + (end_ - start_) * t / double(total_));
}

ReduceLROnPlateau::ReduceLROnPlateau(OptimizerBase& optimizer, MonitorMode mode, double factor, long patience,
                                     double threshold, ThresholdMode threshold_mode, long cooldown, double min_lr,
                                     double eps, std::string monitor)
    : optimizer_(optimizer), maximise_(mode == MonitorMode::automatic ? monitor.find("acc") != std::string::npos
                                                                      : mode == MonitorMode::max),
      factor_(factor), patience_(patience), threshold_(threshold), threshold_mode_(threshold_mode), cooldown_(cooldown),
      min_lr_(min_lr), eps_(eps), monitor_(std::move(monitor)), best_(maximise_ ? -INFINITY : INFINITY) {
  require(factor > 0 && factor < 1, "ReduceLROnPlateau: factor must be in (0, 1), got " + number_to_string(factor));
  require(patience >= 0 && cooldown >= 0, "ReduceLROnPlateau: patience and cooldown must be >= 0");
  require(std::isfinite(threshold) && threshold >= 0, "ReduceLROnPlateau: threshold must be >= 0, got " + number_to_string(threshold));
  require(std::isfinite(min_lr) && min_lr >= 0, "ReduceLROnPlateau: min_lr must be >= 0, got " + number_to_string(min_lr));
}

bool ReduceLROnPlateau::is_better(double a) const {
  if (threshold_mode_ == ThresholdMode::rel) return maximise_ ? a > best_ * (threshold_ + 1) : a < best_ * (1 - threshold_);
  return maximise_ ? a > best_ + threshold_ : a < best_ - threshold_;
}

void ReduceLROnPlateau::step(double metric) {
  if (is_better(metric)) {
    best_ = metric;
    bad_epochs_ = 0;
  } else {
    ++bad_epochs_;
  }
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    bad_epochs_ = 0;
  }
  if (bad_epochs_ > patience_) {
    const double old_lr = optimizer_.learning_rate(), new_lr = std::max(old_lr * factor_, min_lr_);
    if (old_lr - new_lr > eps_) optimizer_.set_learning_rate(new_lr);
    cooldown_counter_ = cooldown_;
    bad_epochs_ = 0;
  }
}

void ReduceLROnPlateau::on_epoch_end(std::size_t, const Logs& logs, TrainingContext&) {
  step(monitored_value(logs, monitor_, "ReduceLROnPlateau"));
}

}  // namespace xgrad
