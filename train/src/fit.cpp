#include "xgrad/train/fit.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <numeric>
#include <stdexcept>

#include "fit_detail.hpp"
#include "xgrad/core/format.hpp"
#include "xgrad/core/random.hpp"
#include "xgrad/layers/sequential.hpp"
#include "xgrad/train/model_io.hpp"

namespace xgrad {

namespace {

using detail::Targets;

std::string format_stats(const EpochStats& s, bool accuracy) {
  char buf[200];
  int n = std::snprintf(buf, sizeof buf, "loss=%.4f", s.loss);
  if (accuracy) n += std::snprintf(buf + n, sizeof buf - n, " accuracy=%.4f", s.accuracy);
  if (s.val_loss) n += std::snprintf(buf + n, sizeof buf - n, " val_loss=%.4f", *s.val_loss);
  if (s.val_accuracy && accuracy) n += std::snprintf(buf + n, sizeof buf - n, " val_accuracy=%.4f", *s.val_accuracy);
  std::snprintf(buf + n, sizeof buf - n, " (%.2fs)", s.seconds);
  return buf;
}

/// splitmix64: spreads the optimizer's step count over the seed's bits.
std::uint64_t mix(std::uint64_t seed, std::uint64_t steps) {
  if (steps == 0) return seed;  // a first fit shuffles as it always has
  std::uint64_t z = seed + steps * 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

template <class T>
class FitContext final : public TrainingContext {
 public:
  FitContext(Module<T>& model, Optimizer<T>& optimizer) : model_(model), optimizer_(optimizer) {}
  std::any snapshot_weights() override { return xgrad::snapshot_weights(model_); }
  void restore_weights(const std::any& s) override { xgrad::restore_weights(model_, std::any_cast<const WeightSnapshot<T>&>(s)); }
  void save_model(const std::string& path, const ModelInfo& info) override {
    auto* sequential = dynamic_cast<Sequential<T>*>(&model_);
    if (!sequential)
      throw std::invalid_argument("ModelCheckpoint: only a Sequential model can be saved, this one is a " + model_.type_name());
    xgrad::save_model(path, *sequential, info);
  }
  OptimizerBase& optimizer() override { return optimizer_; }

 private:
  Module<T>& model_;
  Optimizer<T>& optimizer_;
};

template <class T>
void check_weights(const FitOptions& o, const Targets<T>& targets, std::size_t rows) {
  if (!o.sample_weight.empty() && o.sample_weight.size() != rows)
    throw std::invalid_argument("fit: " + std::to_string(o.sample_weight.size()) + " sample weights for " + std::to_string(rows) + " rows");
  for (std::size_t r = 0; r < o.sample_weight.size(); ++r)
    if (!(std::isfinite(o.sample_weight[r]) && o.sample_weight[r] >= 0))
      throw std::invalid_argument("fit: sample weight " + number_to_string(o.sample_weight[r]) + " at row " + std::to_string(r) +
                                  " is not a finite number >= 0");
  if (o.class_weight.empty()) return;
  if (!targets.labels) throw std::invalid_argument("fit: class_weight needs integer class labels");
  for (std::size_t c = 0; c < o.class_weight.size(); ++c)
    if (!(std::isfinite(o.class_weight[c]) && o.class_weight[c] >= 0))
      throw std::invalid_argument("fit: class weight " + number_to_string(o.class_weight[c]) + " of class " + std::to_string(c) +
                                  " is not a finite number >= 0");
  for (std::size_t r = 0; r < targets.labels->size(); ++r) {
    const std::int64_t id = (*targets.labels)[r];
    if (id < 0 || id >= static_cast<std::int64_t>(o.class_weight.size()))
      throw std::invalid_argument("fit: label " + std::to_string(id) + " at row " + std::to_string(r) + " has no class weight (" +
                                  std::to_string(o.class_weight.size()) + " given)");
  }
}

/// Validation rows: the held-out tail of x (validation_split) or separate data.
template <class T>
struct Validation {
  const Tensor<T>* x = nullptr;
  Targets<T> targets;
  std::vector<std::size_t> index;
};

template <class T>
History fit_impl(Module<T>& model, const Tensor<T>& x, const Targets<T>& targets, Optimizer<T>& optimizer,
                 const FitOptions& o, Validation<T> val) {
  detail::check_rows("fit", x.dimension() ? x.shape()[0] : 0, targets.rows(), to_shape(x.shape()));
  if (o.batch_size == 0) throw std::invalid_argument("fit: batch_size must be >= 1");
  if (!(o.validation_split >= 0 && o.validation_split < 1))
    throw std::invalid_argument("fit: validation_split must be in [0, 1), got " + number_to_string(o.validation_split));
  if (val.x && o.validation_split > 0)
    throw std::invalid_argument("fit: give validation data or a validation_split, not both");
  if (!(o.clip_grad_norm >= 0) || !(o.clip_grad_value >= 0))
    throw std::invalid_argument("fit: clip_grad_norm and clip_grad_value must be >= 0 (0: none)");
  const std::size_t rows = x.shape()[0];
  const std::size_t val_rows = val.x ? 0 : static_cast<std::size_t>(std::llround(rows * o.validation_split));
  const std::size_t train_rows = rows - val_rows;
  if (train_rows == 0) throw std::invalid_argument("fit: validation_split leaves no training rows");
  std::vector<std::size_t> order(train_rows);
  std::iota(order.begin(), order.end(), 0);
  if (!val.x && val_rows) {
    val.x = &x;
    val.targets = targets;
    val.index.resize(val_rows);
    std::iota(val.index.begin(), val.index.end(), train_rows);
  }
  check_weights(o, targets, rows);
  detail::check_binary_targets(targets, o.loss);
  if (val.x && val.targets.labels != targets.labels) detail::check_binary_targets(val.targets, o.loss);
  const detail::LossSettings val_settings{o.loss, o.delta, o.label_smoothing};
  detail::LossSettings loss_settings = val_settings;
  loss_settings.sample_weight = &o.sample_weight;
  loss_settings.class_weight = &o.class_weight;

  std::ostream& out = o.out ? *o.out : std::cout;
  const bool bar = o.progress == Progress::bar || (o.progress == Progress::automatic && !o.out && isatty(STDOUT_FILENO));
  const bool quiet = o.progress == Progress::silent;
  const std::size_t batches = (train_rows + o.batch_size - 1) / o.batch_size;
  Generator own(mix(o.seed, optimizer.iterations()));
  Generator& gen = o.generator ? *o.generator : own;
  const bool callbacks = !o.callbacks.empty();
  bool batch_callbacks = false;
  for (const auto& c : o.callbacks) batch_callbacks = batch_callbacks || c->wants_batches();
  FitContext<T> context(model, optimizer);
  const auto& parameters = optimizer.parameters();
  History history;
  model.train();
  for (const auto& c : o.callbacks) c->on_train_begin(context);
  for (std::size_t epoch = 0; epoch < o.epochs && !context.stop_training; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    if (o.shuffle) order = gen.permutation(train_rows);
    double loss_sum = 0;
    std::size_t correct = 0;
    bool has_accuracy = false, stopped_mid_epoch = false;
    for (std::size_t b = 0; b < batches; ++b) {
      const std::size_t begin = b * o.batch_size, end = std::min(train_rows, begin + o.batch_size);
      optimizer.zero_grad();
      Variable<T> output = model(Variable<T>(take_rows(x, order, begin, end)));
      detail::BatchResult<T> r = detail::batch_loss(output, targets, order, begin, end, loss_settings);
      const double loss = r.loss.item();
      const bool finite = std::isfinite(loss);
      if (finite) {
        r.loss.backward();
        if (o.clip_grad_norm > 0) xgrad::clip_grad_norm(parameters, o.clip_grad_norm);
        if (o.clip_grad_value > 0) xgrad::clip_grad_value(parameters, o.clip_grad_value);
        optimizer.step();
        loss_sum += loss * (end - begin);
        correct += r.correct;
        has_accuracy = r.has_accuracy;
      }
      if (batch_callbacks) {
        const Logs logs{{"batch", double(b)}, {"size", double(end - begin)}, {"loss", loss}};
        for (const auto& c : o.callbacks)
          if (c->wants_batches()) c->on_batch_end(b, logs, context);
      }
      if (!finite && !context.stop_training)
        throw std::runtime_error("fit: the loss became " + number_to_string(loss) + " at epoch " + std::to_string(epoch + 1) +
                                 ", batch " + std::to_string(b + 1) + " (try a smaller learning rate)");
      if (bar && !quiet) {
        const int width = 30, filled = static_cast<int>(width * (b + 1) / batches);
        out << "\repoch " << epoch + 1 << "/" << o.epochs << " [" << std::string(filled, '=')
            << std::string(width - filled, ' ') << "] " << b + 1 << "/" << batches << " loss=" << loss << std::flush;
      }
      if (context.stop_training) {
        stopped_mid_epoch = true;
        break;
      }
    }
    if (stopped_mid_epoch) {  // by a batch callback (TerminateOnNaN): the unfinished epoch is not recorded
      if (!quiet) out << (bar ? "\r\033[K" : "") << "epoch " << epoch + 1 << "/" << o.epochs << ": stopped by a callback\n";
      break;
    }
    EpochStats s;
    s.loss = loss_sum / train_rows;
    s.accuracy = has_accuracy ? double(correct) / train_rows : std::nan("");
    if (val.x) {
      const Evaluation v = detail::evaluate_rows(model, *val.x, val.targets, val.index, val_settings);
      s.val_loss = v.loss;
      if (has_accuracy) s.val_accuracy = v.accuracy;
    }
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    s.learning_rate = optimizer.learning_rate();
    history.epochs.push_back(s);
    if (!quiet) {
      if (bar) out << "\r\033[K";
      out << "epoch " << epoch + 1 << "/" << o.epochs << " " << format_stats(s, has_accuracy) << "\n" << std::flush;
    }
    if (callbacks) {
      Logs logs{{"loss", s.loss}, {"lr", s.learning_rate}};
      if (has_accuracy) logs["accuracy"] = s.accuracy;
      if (s.val_loss) logs["val_loss"] = *s.val_loss;
      if (s.val_accuracy) logs["val_accuracy"] = *s.val_accuracy;
      for (const auto& c : o.callbacks) c->on_epoch_end(epoch, logs, context);
    }
  }
  history.stopped = context.stop_training;
  for (const auto& c : o.callbacks) c->on_train_end(context);
  model.eval();
  return history;
}

template <class T>
Validation<T> validation_of(const Tensor<T>& val_x, std::size_t target_rows) {
  detail::check_rows("fit (validation data)", val_x.dimension() ? val_x.shape()[0] : 0, target_rows, to_shape(val_x.shape()));
  Validation<T> v;
  v.x = &val_x;
  v.index.resize(target_rows);
  std::iota(v.index.begin(), v.index.end(), 0);
  return v;
}

template <class T>
void check_targets(const Tensor<T>& targets) {
  if (targets.dimension() == 0) throw std::invalid_argument("fit: targets must have a row axis");
}

}  // namespace

template <class T>
History fit(Module<T>& model, const Tensor<T>& x, const std::vector<std::int64_t>& labels, Optimizer<T>& optimizer,
            const FitOptions& options) {
  Targets<T> t;
  t.labels = &labels;
  return fit_impl(model, x, t, optimizer, options, Validation<T>{});
}

template <class T>
History fit(Module<T>& model, const Tensor<T>& x, const Tensor<T>& targets, Optimizer<T>& optimizer,
            const FitOptions& options) {
  check_targets(targets);
  Targets<T> t;
  t.values = &targets;
  return fit_impl(model, x, t, optimizer, options, Validation<T>{});
}

template <class T>
History fit(Module<T>& model, const Tensor<T>& x, const std::vector<std::int64_t>& labels, Optimizer<T>& optimizer,
            const FitOptions& options, const Tensor<T>& val_x, const std::vector<std::int64_t>& val_labels) {
  Targets<T> t;
  t.labels = &labels;
  Validation<T> v = validation_of(val_x, val_labels.size());
  v.targets.labels = &val_labels;
  return fit_impl(model, x, t, optimizer, options, std::move(v));
}

template <class T>
History fit(Module<T>& model, const Tensor<T>& x, const Tensor<T>& targets, Optimizer<T>& optimizer,
            const FitOptions& options, const Tensor<T>& val_x, const Tensor<T>& val_targets) {
  check_targets(targets);
  check_targets(val_targets);
  Targets<T> t;
  t.values = &targets;
  Validation<T> v = validation_of(val_x, val_targets.shape()[0]);
  v.targets.values = &val_targets;
  return fit_impl(model, x, t, optimizer, options, std::move(v));
}

#define XGRAD_INSTANTIATE(T)                                                                                        \
  template History fit(Module<T>&, const Tensor<T>&, const std::vector<std::int64_t>&, Optimizer<T>&, const FitOptions&); \
  template History fit(Module<T>&, const Tensor<T>&, const Tensor<T>&, Optimizer<T>&, const FitOptions&);         \
  template History fit(Module<T>&, const Tensor<T>&, const std::vector<std::int64_t>&, Optimizer<T>&,             \
                       const FitOptions&, const Tensor<T>&, const std::vector<std::int64_t>&);                     \
  template History fit(Module<T>&, const Tensor<T>&, const Tensor<T>&, Optimizer<T>&, const FitOptions&,          \
                       const Tensor<T>&, const Tensor<T>&);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
