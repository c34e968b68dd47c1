#pragma once
/// Preparing a CSV table for training: which task its target asks for
/// (classification or regression), the regression dataset, and training a
/// regressor (one linear output on a standardised target).
#include <cstdint>
#include <string>
#include <vector>

#include "xgrad/train/classifier.hpp"
#include "xgrad/train/csv.hpp"
#include "xgrad/train/losses.hpp"
#include "xgrad/train/metrics.hpp"

namespace xgrad {

enum class Task { classification, regression };

struct TaskChoice {
  Task task = Task::classification;
  std::string reason;  ///< why, in words (for the CLI's first lines)
};

/// `requested` is "auto", "classification" or "regression". auto picks
/// regression for a numeric target with more than 20 distinct values or any
/// non-integer value, classification otherwise. Asking for regression on a
/// target that is not numeric is a DataError naming the cell.
TaskChoice choose_task(const CsvTable& table, const std::string& target_column, const std::string& requested = "auto");

/// Features (every column but the target, in file order) and numeric targets.
struct RegressionDataset {
  Tensor<double> features;                 ///< [rows, feature_names.size()]
  std::vector<std::string> feature_names;
  std::vector<double> targets;             ///< one per row
};

/// Throws DataError naming the cell for a target that is not a finite number,
/// and for a constant target (nothing to learn).
RegressionDataset regression_dataset_from_table(const CsvTable& table, const std::string& target_column);

/// DataError naming the file and column when every target is the same (nothing to regress).
void require_varying_target(const std::vector<double>& targets, const CsvTable& table, const std::string& target_column);

/// The numbers of one column (e.g. the target when scoring a regressor); DataError naming the cell otherwise.
std::vector<double> numeric_column(const CsvTable& table, const std::string& column);

template <class T = float>
struct BasicRegressorResult {
  Sequential<T> model;
  ModelInfo info;  ///< task "regression", target_mean / target_scale set
  History history;
  RegressionReport test;  ///< in the target's original units
  std::size_t train_rows = 0, test_rows = 0;
};

using RegressorResult = BasicRegressorResult<float>;

/// As train_classifier with one linear output: the target is standardised with
/// the training rows' mean and standard deviation; `loss` is mse, l1 or huber.
/// T is the model's dtype (float by default; double for --dtype float64).
template <class T = float>
BasicRegressorResult<T> train_regressor(const RegressionDataset& data, const ClassifierOptions& options,
                                LossKind loss = LossKind::mse);

/// A regressor's predictions in the target's original units.
template <class T>
std::vector<double> predict_values(Sequential<T>& model, const Tensor<double>& features, const ModelInfo& info);

}  // namespace xgrad
