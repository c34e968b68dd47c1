#include "xgrad/train/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace xgrad {

namespace {
std::size_t check_ids(const std::vector<std::int64_t>& y_true, const std::vector<std::int64_t>& y_pred, const char* who,
                      std::size_t classes) {
  if (y_true.size() != y_pred.size())
    throw std::invalid_argument(std::string(who) + ": " + std::to_string(y_true.size()) + " true labels but " +
                                std::to_string(y_pred.size()) + " predictions");
  if (y_true.empty()) throw std::invalid_argument(std::string(who) + ": no rows");
  std::int64_t largest = 0;
  for (std::size_t i = 0; i < y_true.size(); ++i)
    for (std::int64_t id : {y_true[i], y_pred[i]}) {
      if (id < 0 || (classes && id >= static_cast<std::int64_t>(classes)))
        throw std::invalid_argument(std::string(who) + ": class id " + std::to_string(id) + " at row " + std::to_string(i) +
                                    " is out of range" + (classes ? " [0, " + std::to_string(classes) + ")" : ""));
      largest = std::max(largest, id);
    }
  return classes ? classes : static_cast<std::size_t>(largest) + 1;
}
}  // namespace

double accuracy(const std::vector<std::int64_t>& y_true, const std::vector<std::int64_t>& y_pred) {
  check_ids(y_true, y_pred, "accuracy", 0);
  std::size_t right = 0;
  for (std::size_t i = 0; i < y_true.size(); ++i) right += y_true[i] == y_pred[i];
  return double(right) / y_true.size();
}

std::vector<std::vector<std::size_t>> confusion_matrix(const std::vector<std::int64_t>& y_true,
                                                       const std::vector<std::int64_t>& y_pred, std::size_t classes) {
  classes = check_ids(y_true, y_pred, "confusion_matrix", classes);
  std::vector<std::vector<std::size_t>> m(classes, std::vector<std::size_t>(classes, 0));
  for (std::size_t i = 0; i < y_true.size(); ++i) ++m[y_true[i]][y_pred[i]];
  return m;
}

ClassificationReport classification_report(const std::vector<std::int64_t>& y_true,
                                           const std::vector<std::int64_t>& y_pred, std::size_t classes) {
  classes = check_ids(y_true, y_pred, "classification_report", classes);
  const auto m = confusion_matrix(y_true, y_pred, classes);
  ClassificationReport r;
  r.precision.assign(classes, 0);
  r.recall.assign(classes, 0);
  r.f1.assign(classes, 0);
  r.support.assign(classes, 0);
  std::size_t right = 0;
  for (std::size_t c = 0; c < classes; ++c) {
    std::size_t predicted = 0;
    for (std::size_t t = 0; t < classes; ++t) {
      r.support[c] += m[c][t];
      predicted += m[t][c];
    }
    const double tp = double(m[c][c]);
    right += m[c][c];
    r.precision[c] = predicted ? tp / predicted : 0.0;
    r.recall[c] = r.support[c] ? tp / r.support[c] : 0.0;
    const double sum = r.precision[c] + r.recall[c];
    r.f1[c] = sum > 0 ? 2 * r.precision[c] * r.recall[c] / sum : 0.0;
  }
  const double n = double(y_true.size());
  r.accuracy = right / n;
  for (std::size_t c = 0; c < classes; ++c) {
    r.macro_precision += r.precision[c] / classes;
    r.macro_recall += r.recall[c] / classes;
    r.macro_f1 += r.f1[c] / classes;
    const double w = r.support[c] / n;
    r.weighted_precision += w * r.precision[c];
    r.weighted_recall += w * r.recall[c];
    r.weighted_f1 += w * r.f1[c];
  }
  return r;
}

template <class T>
double top_k_accuracy(const Tensor<T>& scores, const std::vector<std::int64_t>& y_true, std::size_t k) {
  if (scores.dimension() != 2)
    throw std::invalid_argument("top_k_accuracy: scores must be [rows, classes], got " + shape_of(scores));
  const std::size_t rows = scores.shape()[0], classes = scores.shape()[1];
  if (rows != y_true.size())
    throw std::invalid_argument("top_k_accuracy: " + std::to_string(rows) + " rows of scores but " +
                                std::to_string(y_true.size()) + " labels");
  if (rows == 0) throw std::invalid_argument("top_k_accuracy: no rows");
  if (k == 0) throw std::invalid_argument("top_k_accuracy: k must be >= 1");
  std::size_t hits = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    if (y_true[r] < 0 || y_true[r] >= static_cast<std::int64_t>(classes))
      throw std::invalid_argument("top_k_accuracy: label " + std::to_string(y_true[r]) + " at row " + std::to_string(r) +
                                  " is out of range [0, " + std::to_string(classes) + ")");
    const T* row = scores.data() + r * classes;
    const T mine = row[y_true[r]];
    std::size_t above = 0;
    for (std::size_t c = 0; c < classes; ++c) above += row[c] > mine;
    hits += above < k;
  }
  return double(hits) / rows;
}

template <class T>
RegressionReport regression_report(const Tensor<T>& prediction, const Tensor<T>& target) {
  const Shape ps = to_shape(prediction.shape()), ts = to_shape(target.shape());
  const bool column_pair = prediction.size() == target.size() && ps.size() >= 1 && ts.size() >= 1 && ps[0] == ts[0] &&
                           prediction.size() == ps[0];
  if (ps != ts && !column_pair)
    throw std::invalid_argument("regression metrics: prediction of shape " + shape_to_string(ps) + " and target of shape " +
                                shape_to_string(ts) + " differ");
  if (ps.empty() || ps[0] == 0) throw std::invalid_argument("regression metrics: no rows");
  const std::size_t rows = ps[0], cols = prediction.size() / rows;
  const T* p = prediction.data();
  const T* t = target.data();
  RegressionReport r;
  for (std::size_t c = 0; c < cols; ++c) {
    double abs_sum = 0, sq_sum = 0, mean = 0;
    for (std::size_t i = 0; i < rows; ++i) mean += t[i * cols + c];
    mean /= rows;
    double total = 0;
    for (std::size_t i = 0; i < rows; ++i) {
      const double d = double(p[i * cols + c]) - t[i * cols + c], m = double(t[i * cols + c]) - mean;
      abs_sum += std::fabs(d);
      sq_sum += d * d;
      total += m * m;
    }
    r.mae += abs_sum / rows / cols;
    r.rmse += std::sqrt(sq_sum / rows) / cols;
    r.r2 += (total > 0 ? 1 - sq_sum / total : (sq_sum == 0 ? 1.0 : 0.0)) / cols;
  }
  return r;
}

template double top_k_accuracy(const Tensor<float>&, const std::vector<std::int64_t>&, std::size_t);
template double top_k_accuracy(const Tensor<double>&, const std::vector<std::int64_t>&, std::size_t);
template RegressionReport regression_report(const Tensor<float>&, const Tensor<float>&);
template RegressionReport regression_report(const Tensor<double>&, const Tensor<double>&);

std::string format_classification_report(const ClassificationReport& r, const std::vector<std::string>& names,
                                         int digits) {
  if (names.size() != r.support.size())
    throw std::invalid_argument("format_classification_report: " + std::to_string(names.size()) + " names for " +
                                std::to_string(r.support.size()) + " classes");
  std::size_t width = std::string("weighted avg").size();
  for (const auto& name : names) width = std::max(width, name.size());
  const int w = static_cast<int>(width);
  std::size_t total = 0;
  for (auto n : r.support) total += n;
  char line[512];
  std::string out;
  std::snprintf(line, sizeof line, "%*s  %9s %9s %9s %9s\n\n", w, "", "precision", "recall", "f1-score", "support");
  out += line;
  auto row = [&](const std::string& name, double p, double rc, double f, std::size_t n) {
    std::snprintf(line, sizeof line, "%*s  %9.*f %9.*f %9.*f %9zu\n", w, name.c_str(), digits, p, digits, rc, digits, f, n);
    out += line;
  };
  for (std::size_t c = 0; c < names.size(); ++c) row(names[c], r.precision[c], r.recall[c], r.f1[c], r.support[c]);
  std::snprintf(line, sizeof line, "\n%*s  %9s %9s %9.*f %9zu\n", w, "accuracy", "", "", digits, r.accuracy, total);
  out += line;
  row("macro avg", r.macro_precision, r.macro_recall, r.macro_f1, total);
  row("weighted avg", r.weighted_precision, r.weighted_recall, r.weighted_f1, total);
  return out;
}

std::string format_confusion_matrix(const std::vector<std::vector<std::size_t>>& matrix,
                                    const std::vector<std::string>& names) {
  if (matrix.size() != names.size())
    throw std::invalid_argument("format_confusion_matrix: " + std::to_string(names.size()) + " names for " +
                                std::to_string(matrix.size()) + " classes");
  std::size_t label = std::string("true \\ predicted").size(), cell = 5;
  for (const auto& name : names) {
    label = std::max(label, name.size());
    cell = std::max(cell, name.size() + 1);
  }
  std::string out;
  auto pad = [](const std::string& text, std::size_t width, bool right) {
    const std::string fill(width > text.size() ? width - text.size() : 0, ' ');
    return right ? fill + text : text + fill;
  };
  out += pad("true \\ predicted", label, false);
  for (const auto& name : names) out += pad(name, cell, true);
  out += "\n";
  for (std::size_t t = 0; t < names.size(); ++t) {
    out += pad(names[t], label, false);
    for (std::size_t p = 0; p < names.size(); ++p) out += pad(std::to_string(matrix[t][p]), cell, true);
    out += "\n";
  }
  return out;
}

}  // namespace xgrad
