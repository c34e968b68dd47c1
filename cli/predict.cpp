// xgrad predict: a saved model's class for every row of a CSV file.
#include <cstdio>
#include <type_traits>
#include <iostream>
#include <memory>

#include <xgrad.hpp>

#include "command.hpp"
#include "numbers.hpp"

namespace xgrad::cli {

namespace {

struct PredictOptions {
  std::string model, data, target;
  bool proba = false;
  char delimiter = ',';
};

/// A CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180).
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

/// Nine significant digits round-trip float32 (what ONNX Runtime is compared with), seventeen float64.
template <class T>
std::string float_text(T v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*g", std::is_same_v<T, float> ? 9 : 17, double(v));
  return buf;
}

/// --proba: the softmax of a classifier's outputs per class, or a model's raw outputs when it has no classes.
template <class T>
void print_outputs(Sequential<T>& model, const Tensor<T>& x, const ModelInfo& info) {
  Tensor<T> out = predict(model, x);
  const bool classifier = !info.class_names.empty();
  if (classifier) out = apply_activation(ActivationSpec{Act::softmax}, Variable<T>(out)).value();
  const std::size_t rows = out.shape()[0], cols = out.size() / std::max<std::size_t>(rows, 1);
  std::string csv;
  for (std::size_t c = 0; c < cols; ++c)
    csv += (c ? "," : "") + (classifier ? csv_field(info.class_names[c]) : cols == 1 ? "prediction" : "output" + std::to_string(c));
  csv += "\n";
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) csv += (c ? "," : "") + float_text(out.data()[r * cols + c]);
    csv += "\n";
  }
  std::cout << csv;
}

/// The file's features as the model's inputs (through the model's encoding when it has one: text
/// columns, missing cells), and with --target its labels (a classifier) or numbers (a regressor).
struct Rows {
  Tensor<double> features;
  std::vector<std::int64_t> labels;
  std::vector<double> targets;
};

Rows read_rows(const PredictOptions& o, const ModelInfo& info, bool with_target) {
  Rows rows;
  const bool regression = info.task == "regression";
  const std::string target = with_target ? o.target : "";
  if (info.encoding.empty() && !(regression && with_target)) {  // files written before the encoding: as then
    if (target.empty() || regression) {
      rows.features = load_csv_features(o.data, info.feature_names, o.target, o.delimiter);
    } else {
      CsvDataset data = load_csv_for_model(o.data, target, info.feature_names, info.class_names, o.delimiter);
      rows.features = std::move(data.features);
      rows.labels = std::move(data.labels);
    }
    return rows;
  }
  const CsvTable table = read_csv_table(o.data, o.delimiter);
  if (info.encoding.empty()) {
    rows.features = load_csv_features(o.data, info.feature_names, o.target, o.delimiter);
  } else {
    rows.features = apply_encoding(table, info.encoding, o.target, &std::cerr);
  }
  if (!target.empty()) {
    if (regression)
      rows.targets = numeric_column(table, target);
    else
      rows.labels = labels_for_classes(table, target, info.class_names);
  }
  return rows;
}

/// A regressor: one number per row in the target's units (17 significant digits round-trip a double);
/// with --target, r2, mae and rmse go to standard error.
template <class T>
void predict_regression(LoadedModel<T>& loaded, const PredictOptions& o) {
  const Rows rows = read_rows(o, loaded.info, !o.target.empty());
  const std::vector<double> values = predict_values(loaded.model, rows.features, loaded.info);
  std::string csv = "prediction\n";
  char buf[40];
  for (double v : values) {
    std::snprintf(buf, sizeof buf, "%.17g\n", v);
    csv += buf;
  }
  std::cout << csv;
  if (o.target.empty()) return;
  Tensor<double> p = Tensor<double>::from_shape({values.size()}), y = p;
  for (std::size_t r = 0; r < values.size(); ++r) {
    p(r) = values[r];
    y(r) = rows.targets[r];
  }
  const RegressionReport report = regression_report(p, y);
  std::cout.flush();
  std::fprintf(stderr, "r2=%.4f\nmae=%.6g\nrmse=%.6g (%zu rows)\n", report.r2, report.mae, report.rmse, values.size());
}

/// T: the dtype the model was saved in (xgrad train --dtype); predictions are computed in it.
template <class T>
void run_predict(const PredictOptions& o) {
  LoadedModel<T> loaded = load_model<T>(o.model);
  const ModelInfo& info = loaded.info;
  if (info.task == "regression") return predict_regression(loaded, o);
  if (o.proba) {  // a --target column is skipped, not scored
    const Rows rows = read_rows(o, info, !o.target.empty() && !info.class_names.empty());
    print_outputs(loaded.model, prepare_features<T>(rows.features, info), info);
    return;
  }
  if (info.class_names.empty()) throw std::runtime_error(o.model + ": the model has no class names; it is not a classifier");
  const Rows rows = read_rows(o, info, !o.target.empty());
  const std::vector<std::int64_t> predicted = predict_classes(loaded.model, prepare_features<T>(rows.features, info));
  std::string csv = "prediction\n";
  std::size_t correct = 0;
  for (std::size_t row = 0; row < predicted.size(); ++row) {
    const std::int64_t c = predicted[row];
    if (c < 0 || static_cast<std::size_t>(c) >= info.class_names.size())
      throw std::runtime_error(o.model + ": the model predicts class " + std::to_string(c) + " but names only " +
                               std::to_string(info.class_names.size()));
    csv += csv_field(info.class_names[c]) + "\n";
    if (!o.target.empty()) correct += c == rows.labels[row];
  }
  std::cout << csv;
  if (!o.target.empty()) {
    std::cout.flush();
    std::fprintf(stderr, "accuracy=%.4f (%zu of %zu rows)\n", double(correct) / predicted.size(), correct,
                 predicted.size());
  }
}

}  // namespace

Command add_predict_command(CLI::App& parent) {
  auto o = std::make_shared<PredictOptions>();
  CLI::App* app = parent.add_subcommand("predict", "Predict the class (or, for a regressor, the number) of every row of a CSV file with a saved model");
  app->footer(
      "Prints CSV: the header 'prediction', then one class name per data row (a regressor: one number per row, 17 "
      "significant digits; with --target, r2, mae and rmse go to standard error). The file's feature columns must be "
      "the model's (in any order); text columns and missing cells are encoded and imputed as in training (a category "
      "unseen in training encodes as all zeros, with a warning). With --target, that column's classes are compared with the predictions and the "
      "accuracy goes to standard error.\n\nExample:\n  xgrad predict --model iris.npz --data data/iris.csv --target species");
  app->add_option("--model", o->model, "A model saved by xgrad train --save")->required();
  app->add_option("--data", o->data, "The CSV file")->required();
  app->add_option("--target", o->target, "The column holding the true classes, if any (it is not a feature)");
  add_delimiter_option(*app, o->delimiter);
  app->add_flag("--proba", o->proba,
                "Print each class's probability instead (a column per class, 9 significant digits); for a model "
                "without classes, its outputs ('prediction')");
  return {app, [o] { model_dtype(o->model) == "float64" ? run_predict<double>(*o) : run_predict<float>(*o); }};
}

}  // namespace xgrad::cli
