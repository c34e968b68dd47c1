// Batches, their losses, and scoring: evaluate, predict, take_rows, train_test_split.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "fit_detail.hpp"
#include "xgrad/core/format.hpp"
#include "xgrad/core/random.hpp"
#include "xgrad/train/metrics.hpp"

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

namespace detail {

namespace {
template <class T>
Variable<T> value_loss(const Variable<T>& out, const Variable<T>& t, const LossSettings& s, const SampleWeight& w) {
  switch (s.kind) {
    case LossKind::mse: return mse(out, t, w);
    case LossKind::l1: return l1_loss(out, t, w);
    case LossKind::smooth_l1: return smooth_l1_loss(out, t, s.delta, w);
    case LossKind::huber: return huber_loss(out, t, s.delta, w);
    case LossKind::binary_cross_entropy_with_logits: return binary_cross_entropy_with_logits(out, t, w);
    case LossKind::binary_cross_entropy: return binary_cross_entropy(out, t, w);
    default: break;
  }
  throw std::invalid_argument(std::string("fit: ") + loss_name(s.kind) + " needs integer class labels");
}
}  // namespace

template <class T>
BatchResult<T> batch_loss(const Variable<T>& out, const Targets<T>& targets, const std::vector<std::size_t>& index,
                          std::size_t begin, std::size_t end, const LossSettings& s) {
  BatchResult<T> r;
  const std::size_t n = end - begin;
  const bool by_row = s.sample_weight && !s.sample_weight->empty();
  const bool by_class = s.class_weight && !s.class_weight->empty() && targets.labels;
  SampleWeight w;  // stays empty (no allocation) without weights
  if (by_row || by_class) {
    w.assign(n, 1.0);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t row = index[begin + i];
      if (by_row) w[i] *= (*s.sample_weight)[row];
      if (by_class) w[i] *= (*s.class_weight)[static_cast<std::size_t>((*targets.labels)[row])];
    }
  }
  if (!targets.labels) {
    r.loss = value_loss(out, Variable<T>(take_rows(*targets.values, index, begin, end)), s, w);
    return r;
  }
  std::vector<std::int64_t> ids(n);
  for (std::size_t i = 0; i < n; ++i) ids[i] = (*targets.labels)[index[begin + i]];
  const Tensor<T>& o = out.value();
  r.has_accuracy = true;
  if (takes_class_ids(s.kind)) {
    const std::size_t classes = o.dimension() == 2 ? o.shape()[1] : 0;
    for (std::size_t i = 0; i < n && classes; ++i)
      if (ids[i] < 0 || ids[i] >= static_cast<std::int64_t>(classes))
        throw std::invalid_argument(std::string(loss_name(s.kind)) + ": label " + std::to_string(ids[i]) + " at row " +
                                    std::to_string(index[begin + i]) + " of the data is out of range [0, " +
                                    std::to_string(classes) + ")");
    r.loss = s.kind == LossKind::nll ? nll_loss(out, ids, w) : cross_entropy(out, ids, s.label_smoothing, w);
    for (std::size_t i = 0; i < n; ++i) {
      const T* row = o.data() + i * classes;
      r.correct += static_cast<std::int64_t>(std::max_element(row, row + classes) - row) == ids[i];
    }
    return r;
  }
  if (o.size() != n)
    throw std::invalid_argument("fit: with 0/1 labels the model must have one output, its output is " + shape_of(o));
  Tensor<T> t = Tensor<T>::from_shape(o.shape());
  for (std::size_t i = 0; i < n; ++i) t.data()[i] = static_cast<T>(ids[i]);
  r.loss = value_loss(out, Variable<T>(t), s, w);
  const T threshold(s.kind == LossKind::binary_cross_entropy_with_logits ? 0 : 0.5);
  for (std::size_t i = 0; i < n; ++i) r.correct += (o.data()[i] > threshold) == (ids[i] != 0);
  return r;
}

template <class T>
Evaluation evaluate_rows(Module<T>& model, const Tensor<T>& x, const Targets<T>& targets, const std::vector<std::size_t>& index,
                         const LossSettings& s) {
  NoGradGuard no_grad;
  ModeGuard<T> eval_mode(model, false);
  Evaluation e;
  const std::size_t rows = index.size(), chunk = 1024;
  if (rows == 0) throw std::invalid_argument("evaluate: no rows");
  double loss = 0;
  std::size_t correct = 0;
  for (std::size_t begin = 0; begin < rows; begin += chunk) {
    const std::size_t end = std::min(rows, begin + chunk);
    Variable<T> out = model(Variable<T>(take_rows(x, index, begin, end)));
    BatchResult<T> r = batch_loss(out, targets, index, begin, end, s);
    loss += double(r.loss.item()) * (end - begin);
    correct += r.correct;
  }
  e.loss = loss / rows;
  e.accuracy = targets.labels ? double(correct) / rows : std::nan("");
  return e;
}

template <class T>
void check_binary_targets(const Targets<T>& targets, LossKind kind) {
  if (kind != LossKind::binary_cross_entropy_with_logits && kind != LossKind::binary_cross_entropy) return;
  const std::string who = loss_name(kind);
  if (targets.labels) {
    for (std::size_t r = 0; r < targets.labels->size(); ++r)
      if ((*targets.labels)[r] != 0 && (*targets.labels)[r] != 1)
        throw std::invalid_argument(who + ": label " + std::to_string((*targets.labels)[r]) + " at row " + std::to_string(r) +
                                    " of the data is not 0 or 1");
    return;
  }
  const Tensor<T>& t = *targets.values;
  const std::size_t width = t.size() / std::max<std::size_t>(t.shape()[0], 1);
  for (std::size_t i = 0; i < t.size(); ++i)
    if (!(t.data()[i] >= 0 && t.data()[i] <= 1))
      throw std::invalid_argument(who + ": target " + number_to_string(t.data()[i]) + " at row " + std::to_string(i / width) +
                                  " of the data is outside [0, 1]");
}

void check_rows(const char* who, std::size_t x_rows, std::size_t target_rows, const Shape& x_shape) {
  if (x_shape.size() < 2)
    throw std::invalid_argument(std::string(who) + ": x must be [rows, features], got " + shape_to_string(x_shape));
  if (x_rows != target_rows)
    throw std::invalid_argument(std::string(who) + ": x has " + std::to_string(x_rows) + " rows but there are " +
                                std::to_string(target_rows) + " targets");
  if (x_rows == 0) throw std::invalid_argument(std::string(who) + ": no rows to train on");
}

}  // namespace detail

namespace {
std::vector<std::size_t> all_rows(std::size_t n) {
  std::vector<std::size_t> index(n);
  std::iota(index.begin(), index.end(), 0);
  return index;
}
}  // namespace

template <class T>
Evaluation evaluate(Module<T>& model, const Tensor<T>& x, const std::vector<std::int64_t>& labels, LossKind loss) {
  detail::check_rows("evaluate", x.dimension() ? x.shape()[0] : 0, labels.size(), to_shape(x.shape()));
  detail::Targets<T> t;
  t.labels = &labels;
  detail::check_binary_targets(t, loss);
  return detail::evaluate_rows(model, x, t, all_rows(labels.size()), detail::LossSettings{loss});
}

template <class T>
Evaluation evaluate(Module<T>& model, const Tensor<T>& x, const Tensor<T>& targets, LossKind loss) {
  if (targets.dimension() == 0) throw std::invalid_argument("evaluate: targets must have a row axis");
  detail::check_rows("evaluate", x.dimension() ? x.shape()[0] : 0, targets.shape()[0], to_shape(x.shape()));
  detail::Targets<T> t;
  t.values = &targets;
  detail::check_binary_targets(t, loss);
  Evaluation e = detail::evaluate_rows(model, x, t, all_rows(targets.shape()[0]), detail::LossSettings{loss});
  const Tensor<T> p = predict(model, x);
  const RegressionReport r = regression_report(p, targets);
  e.mae = r.mae;
  e.rmse = r.rmse;
  e.r2 = r.r2;
  return e;
}

template <class T>
Tensor<T> predict(Module<T>& model, const Tensor<T>& x) {
  NoGradGuard no_grad;
  detail::ModeGuard<T> eval_mode(model, false);
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

#define XGRAD_INSTANTIATE(T)                                                                                          \
  template Evaluation evaluate(Module<T>&, const Tensor<T>&, const std::vector<std::int64_t>&, LossKind);           \
  template Evaluation evaluate(Module<T>&, const Tensor<T>&, const Tensor<T>&, LossKind);                           \
  template Tensor<T> predict(Module<T>&, const Tensor<T>&);                                                          \
  template std::vector<std::int64_t> predict_classes(Module<T>&, const Tensor<T>&);                                  \
  template Tensor<T> take_rows(const Tensor<T>&, const std::vector<std::size_t>&, std::size_t, std::size_t);         \
  template detail::BatchResult<T> detail::batch_loss(const Variable<T>&, const detail::Targets<T>&,                 \
                                                     const std::vector<std::size_t>&, std::size_t, std::size_t,     \
                                                     const detail::LossSettings&);                                   \
  template void detail::check_binary_targets(const detail::Targets<T>&, LossKind);                            \
  template Evaluation detail::evaluate_rows(Module<T>&, const Tensor<T>&, const detail::Targets<T>&,                \
                                            const std::vector<std::size_t>&, const detail::LossSettings&);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

}  // namespace xgrad
