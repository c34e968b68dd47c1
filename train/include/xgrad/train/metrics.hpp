#pragma once
/// Metrics with scikit-learn's definitions, computed in float64.
///
/// Classification, from class ids (y_true, y_pred) or scores:
///   accuracy, confusion_matrix (rows: true class, columns: predicted),
///   per-class precision, recall and F1 with their macro and weighted (by support) means
///   (a class never predicted has precision 0, as scikit-learn's zero_division default),
///   top_k_accuracy (the true class among the k highest scores; ties count for the true class).
/// Regression, per output column then averaged over columns (scikit-learn's uniform_average):
///   MAE, RMSE, R^2 (a constant target column scores 1 when predicted exactly, else 0).
/// Bad input (lengths that differ, a negative id, k of 0, no rows) throws std::invalid_argument.
#include <cstdint>
#include <string>
#include <vector>

#include "xgrad/core/tensor.hpp"

namespace xgrad {

double accuracy(const std::vector<std::int64_t>& y_true, const std::vector<std::int64_t>& y_pred);

/// classes 0: one more than the largest id seen.
std::vector<std::vector<std::size_t>> confusion_matrix(const std::vector<std::int64_t>& y_true,
                                                       const std::vector<std::int64_t>& y_pred, std::size_t classes = 0);

struct ClassificationReport {
  std::vector<double> precision, recall, f1;
  std::vector<std::size_t> support;  ///< true rows per class
  double accuracy = 0;
  double macro_precision = 0, macro_recall = 0, macro_f1 = 0;
  double weighted_precision = 0, weighted_recall = 0, weighted_f1 = 0;
};

ClassificationReport classification_report(const std::vector<std::int64_t>& y_true,
                                           const std::vector<std::int64_t>& y_pred, std::size_t classes = 0);

/// The report as scikit-learn's classification_report prints it (digits = 2), one row per class name.
std::string format_classification_report(const ClassificationReport& report, const std::vector<std::string>& names,
                                         int digits = 2);

/// The matrix as text: a header of the predicted classes' names, then one row per true class.
std::string format_confusion_matrix(const std::vector<std::vector<std::size_t>>& matrix,
                                    const std::vector<std::string>& names);

/// scores [rows, classes].
template <class T>
double top_k_accuracy(const Tensor<T>& scores, const std::vector<std::int64_t>& y_true, std::size_t k);

struct RegressionReport {
  double mae = 0, rmse = 0, r2 = 0;
};

/// prediction and target of the same shape ([n] and [n, 1] match).
template <class T>
RegressionReport regression_report(const Tensor<T>& prediction, const Tensor<T>& target);
template <class T>
double mean_absolute_error(const Tensor<T>& prediction, const Tensor<T>& target) { return regression_report(prediction, target).mae; }
template <class T>
double root_mean_squared_error(const Tensor<T>& prediction, const Tensor<T>& target) { return regression_report(prediction, target).rmse; }
template <class T>
double r2_score(const Tensor<T>& prediction, const Tensor<T>& target) { return regression_report(prediction, target).r2; }

}  // namespace xgrad
