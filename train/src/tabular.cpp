#include "xgrad/train/tabular.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iostream>
#include <optional>
#include <set>
#include <stdexcept>

namespace xgrad {

namespace {

std::string cell_at(const CsvTable& table, std::size_t row, std::size_t column) {
  return table.path + ", line " + std::to_string(table.row_lines[row]) + ", column " + std::to_string(column + 1) +
         " '" + table.header[column] + "'";
}

}  // namespace

TaskChoice choose_task(const CsvTable& table, const std::string& target_column, const std::string& requested) {
  if (requested != "auto" && requested != "classification" && requested != "regression")
    throw std::invalid_argument("task '" + requested + "': must be auto, classification or regression");
  const std::size_t target = column_index(table, target_column);
  if (requested == "classification") return {Task::classification, "as asked (--task classification)"};
  std::set<double> distinct;
  bool integers = true;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const std::optional<double> v = cell_number(table.rows[r][target]);
    if (!v) {
      if (requested == "regression")
        throw DataError(cell_at(table, r, target) + ": '" + table.rows[r][target] +
                        "' is not a number; a regression target must be numeric");
      return {Task::classification, "the target '" + target_column + "' holds text ('" + table.rows[r][target] + "')"};
    }
    integers = integers && *v == std::floor(*v);
    distinct.insert(*v);
  }
  if (requested == "regression") return {Task::regression, "as asked (--task regression)"};
  const std::string values = std::to_string(distinct.size()) + " distinct value" + (distinct.size() == 1 ? "" : "s");
  if (!integers) return {Task::regression, "the target '" + target_column + "' is numeric with non-integer values"};
  if (distinct.size() > 20)
    return {Task::regression, "the target '" + target_column + "' is numeric with " + values + " (more than 20)"};
  return {Task::classification, "the target '" + target_column + "' holds integers with " + values +
                                    " (at most 20; --task regression to predict them as numbers)"};
}

std::vector<double> numeric_column(const CsvTable& table, const std::string& column) {
  const std::size_t c = column_index(table, column);
  std::vector<double> values;
  values.reserve(table.rows.size());
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const std::optional<double> v = cell_number(table.rows[r][c]);
    if (!v)
      throw DataError(cell_at(table, r, c) + ": '" + table.rows[r][c] + "' is not a finite number" +
                      (table.rows[r][c].empty() ? " (the cell is empty)" : ""));
    values.push_back(*v);
  }
  return values;
}

RegressionDataset regression_dataset_from_table(const CsvTable& table, const std::string& target_column) {
  RegressionDataset data;
  data.targets = numeric_column(table, target_column);
  const CsvDataset parsed = dataset_from_table(table, target_column);  // the features, checked as for a classifier
  data.features = parsed.features;
  data.feature_names = parsed.feature_names;
  require_varying_target(data.targets, table, target_column);
  return data;
}

void require_varying_target(const std::vector<double>& targets, const CsvTable& table, const std::string& target_column) {
  const auto [lo, hi] = std::minmax_element(targets.begin(), targets.end());
  if (lo != targets.end() && *lo == *hi)
    throw DataError(table.path + ": the target '" + target_column + "' is constant (every row holds " +
                    table.rows[0][column_index(table, target_column)] + "); there is nothing to regress");
}

template <class T>
std::vector<double> predict_values(Sequential<T>& model, const Tensor<double>& features, const ModelInfo& info) {
  const Tensor<T> out = predict(model, prepare_features<T>(features, info));
  const std::size_t rows = features.shape()[0];
  if (out.size() != rows)
    throw std::invalid_argument("predict_values: the model gives " + std::to_string(out.size()) + " outputs for " +
                                std::to_string(rows) + " rows; a regressor has one output");
  std::vector<double> values(rows);
  for (std::size_t r = 0; r < rows; ++r) values[r] = double(out.data()[r]) * info.target_scale + info.target_mean;
  return values;
}

template <class T>
BasicRegressorResult<T> train_regressor(const RegressionDataset& data, const ClassifierOptions& o, LossKind loss) {
  if (loss != LossKind::mse && loss != LossKind::l1 && loss != LossKind::huber)
    throw std::invalid_argument(std::string("train_regressor: the loss must be mse, l1 or huber, not ") + loss_name(loss));
  const std::size_t rows = data.targets.size();
  std::ostream& out = o.out ? *o.out : std::cout;
  auto [train_index, test_index] = train_test_split(rows, o.test_fraction, o.seed);
  BasicRegressorResult<T> r;
  r.train_rows = train_index.size();
  r.test_rows = test_index.size();
  const Tensor<double> x_train = take_rows(data.features, train_index, 0, train_index.size());
  r.info.feature_names = data.feature_names;
  r.info.task = "regression";
  if (o.standardize) r.info.standardizer.fit(x_train);
  // The target's statistics come from the training rows only, as the features'.
  double mean = 0, squares = 0;
  for (auto i : train_index) mean += data.targets[i];
  mean /= double(train_index.size());
  for (auto i : train_index) squares += (data.targets[i] - mean) * (data.targets[i] - mean);
  const double sd = std::sqrt(squares / double(train_index.size()));
  r.info.target_mean = mean;
  r.info.target_scale = sd > 0 ? sd : 1.0;
  Tensor<T> y_train = Tensor<T>::from_shape({train_index.size()});
  for (std::size_t k = 0; k < train_index.size(); ++k)
    y_train(k) = static_cast<T>((data.targets[train_index[k]] - mean) / r.info.target_scale);

  r.model = build_classifier<T>(data.feature_names.size(), 1, o.hidden, o.seed, o.dropout, o.batch_norm);
  if (o.print_summary) out << r.model.summary(data.feature_names.size());
  auto optimizer = make_classifier_optimizer(o, r.model.parameters());
  FitOptions fit_options = fit_options_of(o);
  add_schedule(fit_options, *optimizer, o);
  fit_options.loss = loss;
  r.history = fit(r.model, prepare_features<T>(x_train, r.info), y_train, *optimizer, fit_options);
  if (!test_index.empty()) {
    const Tensor<double> x_test = take_rows(data.features, test_index, 0, test_index.size());
    const std::vector<double> predicted = predict_values(r.model, x_test, r.info);
    Tensor<double> p = Tensor<double>::from_shape({test_index.size()}), y = p;
    for (std::size_t k = 0; k < test_index.size(); ++k) {
      p(k) = predicted[k];
      y(k) = data.targets[test_index[k]];
    }
    r.test = regression_report(p, y);
  }
  return r;
}

template std::vector<double> predict_values(Sequential<float>&, const Tensor<double>&, const ModelInfo&);
template std::vector<double> predict_values(Sequential<double>&, const Tensor<double>&, const ModelInfo&);
template BasicRegressorResult<float> train_regressor<float>(const RegressionDataset&, const ClassifierOptions&, LossKind);
template BasicRegressorResult<double> train_regressor<double>(const RegressionDataset&, const ClassifierOptions&, LossKind);

}  // namespace xgrad
