#include "xgrad/train/fit.hpp"
#include "xgrad/core/format.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <numeric>
#include <stdexcept>

#include "xgrad/core/random.hpp"

namespace xgrad {

template <class T>
Tensor<T> take_rows(const Tensor<T>& x, const std::vector<std::size_t>& index, std::size_t begin, std::size_t end) {
  Shape shape = to_shape(x.shape());
  const std::size_t row = x.size() / std::max<std::size_t>(shape[0], 1);
  shape[0] = end - begin;
  Tensor<T> out = Tensor<T>::from_shape(shape);
  const T* src = x.data();
  T* dst = out.data();
  for (std::size_t r = begin; r < end; ++r) std::copy(src + index[r] * row, src + (index[r] + 1) * row, dst + (r - begin) * row);
  return out;
}

std::pair<std::vector<std::size_t>, std::vector<std::size_t>> train_test_split(std::size_t rows, double test_fraction,
                                                                               std::uint64_t seed) {
  if (!(test_fraction >= 0 && test_fraction < 1))
    throw std::invalid_argument("train_test_split: test fraction must be in [0, 1), got " + number_to_string(test_fraction));
  Generator gen(seed);
  std::vector<std::size_t> order = gen.permutation(rows);
  const std::size_t test = static_cast<std::size_t>(std::llround(rows * test_fraction));
  if (test_fraction > 0 && (test == 0 || test == rows))
    throw std::invalid_argument("train_test_split: " + std::to_string(rows) + " rows cannot be split with a test fraction of " +
                                number_to_string(test_fraction));
  return {std::vector<std::size_t>(order.begin(), order.end() - test), std::vector<std::size_t>(order.end() - test, order.end())};
}

namespace {

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

template <class T>
BatchResult<T> batch_loss(const Variable<T>& out, const Targets<T>& targets, const std::vector<std::size_t>& index,
                          std::size_t begin, std::size_t end, LossKind kind) {
  BatchResult<T> r;
  const std::size_t n = end - begin;
  if (targets.labels) {
    std::vector<std::int64_t> ids(n);
    for (std::size_t i = 0; i < n; ++i) ids[i] = (*targets.labels)[index[begin + i]];
    const Tensor<T>& o = out.value();
    if (kind == LossKind::cross_entropy) {
      r.loss = cross_entropy(out, ids);
      const std::size_t classes = o.shape()[1];
      for (std::size_t i = 0; i < n; ++i) {
        const T* row = o.data() + i * classes;
        r.correct += static_cast<std::int64_t>(std::max_element(row, row + classes) - row) == ids[i];
      }
    } else {
      Tensor<T> t = Tensor<T>::from_shape(o.shape());
      if (o.size() != n)
        throw std::invalid_argument("fit: with 0/1 labels the model must have one output, its output is " + shape_of(o));
      for (std::size_t i = 0; i < n; ++i) t.data()[i] = static_cast<T>(ids[i]);
      r.loss = kind == LossKind::mse ? mse(out, Variable<T>(t)) : binary_cross_entropy_with_logits(out, Variable<T>(t));
      for (std::size_t i = 0; i < n; ++i) r.correct += (o.data()[i] > T(kind == LossKind::mse ? 0.5 : 0)) == (ids[i] != 0);
    }
    r.has_accuracy = true;
  } else {
    Variable<T> t(take_rows(*targets.values, index, begin, end));
    if (kind == LossKind::cross_entropy) throw std::invalid_argument("fit: cross_entropy needs integer class labels");
    r.loss = kind == LossKind::mse ? mse(out, t) : binary_cross_entropy_with_logits(out, t);
  }
  return r;
}

template <class T>
Evaluation evaluate_impl(Module<T>& model, const Tensor<T>& x, const Targets<T>& targets, const std::vector<std::size_t>& index,
                         LossKind kind) {
  NoGradGuard no_grad;
  Evaluation e;
  const std::size_t rows = index.size(), chunk = 1024;
  if (rows == 0) throw std::invalid_argument("evaluate: no rows");
  double loss = 0;
  std::size_t correct = 0;
  for (std::size_t begin = 0; begin < rows; begin += chunk) {
    const std::size_t end = std::min(rows, begin + chunk);
    Variable<T> out = model(Variable<T>(take_rows(x, index, begin, end)));
    BatchResult<T> r = batch_loss(out, targets, index, begin, end, kind);
    loss += double(r.loss.item()) * (end - begin);
    correct += r.correct;
  }
  e.loss = loss / rows;
  e.accuracy = targets.labels ? double(correct) / rows : std::nan("");
  return e;
}

void check_rows(const char* who, std::size_t x_rows, std::size_t target_rows, const Shape& x_shape) {
  if (x_shape.size() < 2)
    throw std::invalid_argument(std::string(who) + ": x must be [rows, features], got " + shape_to_string(x_shape));
  if (x_rows != target_rows)
    throw std::invalid_argument(std::string(who) + ": x has " + std::to_string(x_rows) + " rows but there are " +
                                std::to_string(target_rows) + " targets");
  if (x_rows == 0) throw std::invalid_argument(std::string(who) + ": no rows to train on");
}

std::string format_stats(const EpochStats& s, bool accuracy) {
  char buf[200];
  int n = std::snprintf(buf, sizeof buf, "loss=%.4f", s.loss);
  if (accuracy) n += std::snprintf(buf + n, sizeof buf - n, " accuracy=%.4f", s.accuracy);
  if (s.val_loss) n += std::snprintf(buf + n, sizeof buf - n, " val_loss=%.4f", *s.val_loss);
  if (s.val_accuracy && accuracy) n += std::snprintf(buf + n, sizeof buf - n, " val_accuracy=%.4f", *s.val_accuracy);
  std::snprintf(buf + n, sizeof buf - n, " (%.2fs)", s.seconds);
  return buf;
}

template <class T>
History fit_impl(Module<T>& model, const Tensor<T>& x, const Targets<T>& targets, Optimizer<T>& optimizer,
                 const FitOptions& o) {
  check_rows("fit", x.dimension() ? x.shape()[0] : 0, targets.rows(), to_shape(x.shape()));
  if (o.batch_size == 0) throw std::invalid_argument("fit: batch_size must be >= 1");
  if (!(o.validation_split >= 0 && o.validation_split < 1))
    throw std::invalid_argument("fit: validation_split must be in [0, 1), got " + number_to_string(o.validation_split));
  const std::size_t rows = x.shape()[0];
  const std::size_t val_rows = static_cast<std::size_t>(std::llround(rows * o.validation_split));
  const std::size_t train_rows = rows - val_rows;
  if (train_rows == 0) throw std::invalid_argument("fit: validation_split leaves no training rows");
  std::vector<std::size_t> order(train_rows), val_index(val_rows);
  std::iota(order.begin(), order.end(), 0);
  std::iota(val_index.begin(), val_index.end(), train_rows);

  std::ostream& out = o.out ? *o.out : std::cout;
  const bool bar = o.progress == Progress::bar || (o.progress == Progress::automatic && !o.out && isatty(STDOUT_FILENO));
  const bool quiet = o.progress == Progress::silent;
  const std::size_t batches = (train_rows + o.batch_size - 1) / o.batch_size;
  Generator gen(o.seed);
  History history;
  model.train();
  for (std::size_t epoch = 0; epoch < o.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    if (o.shuffle) order = gen.permutation(train_rows);
    double loss_sum = 0;
    std::size_t correct = 0;
    bool has_accuracy = false;
    for (std::size_t b = 0; b < batches; ++b) {
      const std::size_t begin = b * o.batch_size, end = std::min(train_rows, begin + o.batch_size);
      optimizer.zero_grad();
      Variable<T> output = model(Variable<T>(take_rows(x, order, begin, end)));
      BatchResult<T> r = batch_loss(output, targets, order, begin, end, o.loss);
      const double loss = r.loss.item();
      if (!std::isfinite(loss))
        throw std::runtime_error("fit: the loss became " + number_to_string(loss) + " at epoch " + std::to_string(epoch + 1) +
                                 ", batch " + std::to_string(b + 1) + " (try a smaller learning rate)");
      r.loss.backward();
      optimizer.step();
      loss_sum += loss * (end - begin);
      correct += r.correct;
      has_accuracy = r.has_accuracy;
      if (bar && !quiet) {
        const int width = 30, filled = static_cast<int>(width * (b + 1) / batches);
        out << "\repoch " << epoch + 1 << "/" << o.epochs << " [" << std::string(filled, '=')
            << std::string(width - filled, ' ') << "] " << b + 1 << "/" << batches << " loss=" << loss << std::flush;
      }
    }
    EpochStats s;
    s.loss = loss_sum / train_rows;
    s.accuracy = has_accuracy ? double(correct) / train_rows : std::nan("");
    if (val_rows) {
      Evaluation v = evaluate_impl(model, x, targets, val_index, o.loss);
      s.val_loss = v.loss;
      if (has_accuracy) s.val_accuracy = v.accuracy;
    }
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    history.epochs.push_back(s);
    if (!quiet) {
      if (bar) out << "\r\033[K";
      out << "epoch " << epoch + 1 << "/" << o.epochs << " " << format_stats(s, has_accuracy) << "\n" << std::flush;
    }
  }
  model.eval();
  return history;
}

}  // namespace

template <class T>
History fit(Module<T>& model, const Tensor<T>& x, const std::vector<std::int64_t>& labels, Optimizer<T>& optimizer,
            const FitOptions& options) {
  Targets<T> t;
  t.labels = &labels;
  return fit_impl(model, x, t, optimizer, options);
}

template <class T>
History fit(Module<T>& model, const Tensor<T>& x, const Tensor<T>& targets, Optimizer<T>& optimizer,
            const FitOptions& options) {
  if (targets.dimension() == 0) throw std::invalid_argument("fit: targets must have a row axis");
  Targets<T> t;
  t.values = &targets;
  return fit_impl(model, x, t, optimizer, options);
}

template <class T>
Evaluation evaluate(Module<T>& model, const Tensor<T>& x, const std::vector<std::int64_t>& labels, LossKind loss) {
  check_rows("evaluate", x.dimension() ? x.shape()[0] : 0, labels.size(), to_shape(x.shape()));
  std::vector<std::size_t> index(labels.size());
  std::iota(index.begin(), index.end(), 0);
  Targets<T> t;
  t.labels = &labels;
  return evaluate_impl(model, x, t, index, loss);
}

template <class T>
Tensor<T> predict(Module<T>& model, const Tensor<T>& x) {
  NoGradGuard no_grad;
  return model(Variable<T>(x)).value();
}

template <class T>
std::vector<std::int64_t> predict_classes(Module<T>& model, const Tensor<T>& x) {
  const Tensor<T> out = predict(model, x);
  const std::size_t rows = out.shape()[0], cols = out.dimension() > 1 ? out.shape()[1] : 1;
  std::vector<std::int64_t> classes(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    const T* row = out.data() + r * cols;
    classes[r] = cols == 1 ? (row[0] > T(0)) : std::max_element(row, row + cols) - row;
  }
  return classes;
}

#define XGRAD_INSTANTIATE(T)                                                                                        \
  template History fit(Module<T>&, const Tensor<T>&, const std::vector<std::int64_t>&, Optimizer<T>&, const FitOptions&); \
  template History fit(Module<T>&, const Tensor<T>&, const Tensor<T>&, Optimizer<T>&, const FitOptions&);         \
  template Evaluation evaluate(Module<T>&, const Tensor<T>&, const std::vector<std::int64_t>&, LossKind);         \
  template Tensor<T> predict(Module<T>&, const Tensor<T>&);                                                        \
  template std::vector<std::int64_t> predict_classes(Module<T>&, const Tensor<T>&);                                \
  template Tensor<T> take_rows(const Tensor<T>&, const std::vector<std::size_t>&, std::size_t, std::size_t);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
