// xgrad train: a classifier on a CSV file, tested on a held-out split, optionally saved.
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include <xgrad.hpp>

#include "command.hpp"
#include "numbers.hpp"
#include "pictures.hpp"

namespace xgrad::cli {

namespace {

struct TrainOptions {
  std::string data, target, layers = "64:relu", optimizer = "adam", save, plot_history, plot_confusion;
  std::string task = "auto", loss, missing = "impute", dtype = "float32";
  std::vector<std::string> ignore;
  std::optional<double> weight_decay;
  double dropout = 0;
  std::string class_weight;
  std::string schedule = "constant", history;
  bool batch_norm = false;
  char delimiter = ',';
  long long epochs = 200, batch_size = 16, early_stopping = 0;  // 0: not given
  double learning_rate = 0,  // 0: not given (the task's default)
         test_fraction = 0.2, validation_fraction = 0.1;
  std::uint64_t seed = 0;
  bool detect_anomaly = false, quiet = false;
};

/// train_test_split's train and test row indices.
using RowSplit = std::pair<std::vector<std::size_t>, std::vector<std::size_t>>;

bool quiet = false;  // --quiet: only the final metrics (and errors, warnings)

/// Progress information on stdout, unless --quiet.
[[gnu::format(printf, 1, 2)]] void note(const char* format, ...) {
  if (quiet) return;
  va_list args;
  va_start(args, format);
  std::vprintf(format, args);
  va_end(args);
}

/// A model with a NaN or infinite weight is never saved (it could only predict nonsense).
template <class T>
void check_finite_weights(const Sequential<T>& model) {
  for (const auto& [name, p] : model.named_parameters())
    for (std::size_t i = 0; i < p.size(); ++i)
      if (!std::isfinite(p.value().data()[i]))
        throw std::runtime_error("the trained weights '" + name + "' hold " + std::to_string(p.value().data()[i]) +
                                 " at element " + std::to_string(i) + "; the model was not saved");
}

/// Fails before training, not after: the model is saved only when all went well.
void check_save_path(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (fs::is_directory(path, error)) throw UsageError("--save " + path + ": it is a directory, not a file");
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty() && !fs::is_directory(parent, error))
    throw UsageError("--save " + path + ": the directory " + parent.string() + " does not exist");
}

/// After an early stop, the 1-based epoch whose weights were restored (the lowest validation loss, the first of equals).
std::optional<std::size_t> restored_epoch(const History& history) {
  if (!history.stopped || history.epochs.empty()) return std::nullopt;
  std::size_t best = 0;
  for (std::size_t e = 0; e < history.epochs.size(); ++e)
    if (history.epochs[e].val_loss && *history.epochs[e].val_loss < *history.epochs[best].val_loss) best = e;
  return best + 1;
}

void report_early_stop(const History& history) {
  const std::optional<std::size_t> best = restored_epoch(history);
  if (!best) return;
  note("early stopping: stopped after epoch %zu; restored the weights of epoch %zu (val_loss %.6g)\n",
       history.epochs.size(), *best, history.epochs[*best - 1].val_loss.value_or(NAN));
}

std::string class_list(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < 12; ++i) out += (i ? ", " : "") + names[i];
  return names.size() > 12 ? out + ", ..." : out;
}

/// What both tasks do after their summary lines: train (under anomaly mode if
/// asked), keep the encoding in the model's info, report an early stop, refuse
/// non-finite weights, then save and draw as asked. `train` returns a
/// ClassifierResult or RegressorResult.
template <class Train>
auto train_and_save(const TrainOptions& o, const TableEncoding& encoding, Train train) {
  std::fflush(stdout);
  std::optional<AnomalyMode> anomaly;
  if (o.detect_anomaly) anomaly.emplace();
  auto result = train();
  anomaly.reset();
  result.info.encoding = encoding;
  result.info.feature_names = encoding.column_names();
  report_early_stop(result.history);
  check_finite_weights(result.model);
  if (!o.save.empty()) {
    save_model(o.save, result.model, result.info);
    note("saved the model to %s\n", o.save.c_str());
  }
  if (!o.plot_history.empty()) {
    HistoryExtras extras;
    for (const auto& e : result.history.epochs) extras.learning_rate.push_back(e.learning_rate);
    extras.restored_epoch = restored_epoch(result.history);
    plot_history(o.plot_history, result.history, extras);
    note("drew the history in %s\n", o.plot_history.c_str());
  }
  return result;
}

/// A regressor: one linear output on the standardised target; metrics in the target's units, test_r2 last.
template <class T>
void run_regression(const TrainOptions& o, const CsvTable& table, const TableEncoding& encoding,
                    const Tensor<double>& features, ClassifierOptions& options) {
  if (!o.class_weight.empty()) throw UsageError("--class-weight weighs classes; the target is numeric (regression)");
  if (!o.plot_confusion.empty()) throw UsageError("--plot-confusion draws classes; the target is numeric (regression)");
  RegressionDataset data;
  data.features = features;
  data.feature_names = encoding.encoded_names();
  data.targets = numeric_column(table, o.target);
  require_varying_target(data.targets, table, o.target);
  const std::size_t rows = data.targets.size();
  const std::size_t test = static_cast<std::size_t>(std::llround(rows * o.test_fraction));
  const std::size_t validation = static_cast<std::size_t>(std::llround((rows - test) * o.validation_fraction));
  const std::string loss = o.loss.empty() ? "mse" : o.loss;
  // Regression's defaults (README: measured on data/diabetes.csv): a smaller step, and early stopping on the
  // validation loss when there are validation rows; a small table overfits in a few epochs otherwise.
  if (o.learning_rate == 0) options.learning_rate = 0.001;
  if (o.early_stopping == 0 && o.validation_fraction > 0) options.early_stopping = 20;
  note("%s: %zu rows, %zu features, a numeric target (standardised; metrics in its units)\n", o.data.c_str(),
              rows, data.feature_names.size());
  note("split (seed %llu): %zu train, %zu validation, %zu test; features standardised; %s, lr %g, batch %zu, "
              "loss %s, early stopping %s\n",
              static_cast<unsigned long long>(o.seed), rows - test - validation, validation, test, o.optimizer.c_str(),
              options.learning_rate, options.batch_size, loss.c_str(),
              options.early_stopping ? ("after " + std::to_string(options.early_stopping) + " epochs").c_str() : "off");
  const auto result = train_and_save(o, encoding, [&] { return train_regressor<T>(data, options, parse_loss(loss)); });
  if (result.test_rows == 0) {
    std::printf("test_r2=n/a (--test-fraction 0 holds no rows out)\n");
    return;
  }
  std::printf("test_mae=%.6g\ntest_rmse=%.6g\ntest_r2=%.4f\n", result.test.mae, result.test.rmse, result.test.r2);
}

/// A classifier: one output per class; the confusion matrix and report of the test rows, test_accuracy last.
template <class T>
void run_classification(const TrainOptions& o, const CsvTable& table, const RowSplit& split, const TableEncoding& encoding,
                         const Tensor<double>& features, ClassifierOptions& options) {
  CsvDataset data;
  data.features = features;
  data.feature_names = encoding.encoded_names();
  data.labels = class_labels(table, o.target, data.class_names);
  const std::size_t rows = data.labels.size();
  const std::size_t test = static_cast<std::size_t>(std::llround(rows * o.test_fraction));
  const std::size_t validation = static_cast<std::size_t>(std::llround((rows - test) * o.validation_fraction));
  note("%s: %zu rows, %zu features, %zu classes (%s)\n", o.data.c_str(), rows, data.feature_names.size(),
              data.class_names.size(), class_list(data.class_names).c_str());
  note("split (seed %llu): %zu train, %zu validation, %zu test; features standardised; %s, lr %g, batch %zu\n",
              static_cast<unsigned long long>(o.seed), rows - test - validation, validation, test, o.optimizer.c_str(),
              options.learning_rate, options.batch_size);
  auto result = train_and_save(o, encoding, [&] { return train_classifier<T>(data, options); });
  if (result.test_rows > 0) {  // the test rows: the split train_classifier made
    std::vector<std::int64_t> actual;
    for (auto i : split.second) actual.push_back(data.labels[i]);
    const Tensor<double> x_test = take_rows(data.features, split.second, 0, split.second.size());
    const std::vector<std::int64_t> predicted = predict_classes(result.model, prepare_features<T>(x_test, result.info));
    const std::size_t classes = data.class_names.size();
    if (!o.plot_confusion.empty()) {
      char subtitle[120];
      std::snprintf(subtitle, sizeof subtitle, "%zu test rows, accuracy %.4f", actual.size(), result.test_accuracy);
      plot_confusion(o.plot_confusion, actual, predicted, data.class_names, subtitle);
      note("drew the confusion matrix in %s\n", o.plot_confusion.c_str());
    }
    note("\ntest confusion matrix (rows: true class, columns: predicted)\n%s\n%s\n",
         format_confusion_matrix(confusion_matrix(actual, predicted, classes), data.class_names).c_str(),
         format_classification_report(classification_report(actual, predicted, classes), data.class_names).c_str());
  }
  if (result.test_rows == 0)
    std::printf("test_accuracy=n/a (--test-fraction 0 holds no rows out)\n");
  else
    std::printf("test_accuracy=%.4f\n", result.test_accuracy);
}

void run_train(const TrainOptions& o) {
  ClassifierOptions options;
  try {
    options.hidden = parse_layer_spec(o.layers);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--layers: ") + e.what());
  }
  if (!o.save.empty()) check_save_path(o.save);
  if (!o.plot_history.empty()) picture_format("--plot-history", o.plot_history);
  if (!o.plot_confusion.empty()) {
    picture_format("--plot-confusion", o.plot_confusion);
    if (o.test_fraction == 0) throw UsageError("--plot-confusion needs test rows (--test-fraction 0 holds none out)");
  }
  options.epochs = static_cast<std::size_t>(o.epochs);
  options.batch_size = static_cast<std::size_t>(o.batch_size);
  options.optimizer = o.optimizer;
  options.weight_decay = o.weight_decay;
  options.dropout = o.dropout;
  options.balanced_class_weight = o.class_weight == "balanced";
  options.schedule = o.schedule;
  options.history_csv = o.history;
  options.batch_norm = o.batch_norm;
  options.learning_rate = o.learning_rate > 0 ? o.learning_rate : 0.01;
  options.test_fraction = o.test_fraction;
  options.validation_fraction = o.validation_fraction;
  options.seed = o.seed;
  quiet = o.quiet;
  options.print_summary = !o.quiet;
  if (o.quiet) options.progress = Progress::silent;
  if (o.early_stopping > 0) {
    if (o.validation_fraction == 0)
      throw UsageError("--early-stopping watches the validation loss; --validation-fraction 0 holds no rows for it");
    options.early_stopping = static_cast<std::size_t>(o.early_stopping);
  }

  if (o.task == "classification" && !o.loss.empty() && o.loss != "cross_entropy")
    throw UsageError("--loss " + o.loss + ": a classifier trains with cross_entropy; mse, mae and huber are for --task regression");
  CsvTable table = read_csv_table(o.data, o.delimiter);
  drop_columns(table, o.ignore, o.target);
  if (const std::size_t dropped = drop_rows_missing(table, o.target))
    std::fprintf(stderr, "dropped %zu row%s whose target '%s' is missing\n", dropped, dropped == 1 ? "" : "s",
                 o.target.c_str());
  const TaskChoice choice = choose_task(table, o.target, o.task);
  note("task: %s (%s)\n", choice.task == Task::regression ? "regression" : "classification", choice.reason.c_str());
  if (choice.task == Task::classification && !o.loss.empty() && o.loss != "cross_entropy")
    throw UsageError("--loss " + o.loss + ": the target is classes, trained with cross_entropy (--task regression to "
                     "predict numbers)");
  // The encoding is fitted on the training rows of the split that train_classifier / train_regressor repeat.
  const auto split = train_test_split(table.rows.size(), o.test_fraction, o.seed);
  const MissingPolicy policy = o.missing == "error" ? MissingPolicy::error : MissingPolicy::impute;
  TableEncoding encoding = fit_encoding(table, o.target, split.first, policy);
  encoding.ignored = o.ignore;
  const Tensor<double> features = apply_encoding(table, encoding, o.target, nullptr, policy);
  if (!encoding.summary().empty()) note("%s\n", encoding.summary().c_str());
  if (choice.task == Task::regression) {
    if (o.dtype == "float64") return run_regression<double>(o, table, encoding, features, options);
    return run_regression<float>(o, table, encoding, features, options);
  }
  if (o.dtype == "float64") return run_classification<double>(o, table, split, encoding, features, options);
  run_classification<float>(o, table, split, encoding, features, options);
}

CLI::Validator fraction_check() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const std::optional<double> value = parse_number<double>(text);
        if (value && *value >= 0 && *value < 1) return {};
        return "must be a number in [0, 1), got " + text;
      },
      "in [0, 1)");
}

}  // namespace

Command add_train_command(CLI::App& parent) {
  auto o = std::make_shared<TrainOptions>();
  CLI::App* app = parent.add_subcommand("train", "Train a classifier or a regressor on a CSV file and test it on a held-out split");
  app->footer(
      "The CSV file has a header row; the --target column holds the classes (names or integers) or, for regression "
      "(--task; auto picks it for a numeric target with more than 20 distinct values or any non-integer value), "
      "numbers; every other column is a feature: numbers, or text one-hot encoded over the training rows' "
      "categories; missing cells (empty, NA, N/A, NaN, null, ?) take the training mean or their own category. "
      "A regressor has one linear output trained with --loss on the target standardised with the training rows' statistics (kept in the saved model), and prints test_mae, "
      "test_rmse and last test_r2 in the target's units. The rows are shuffled (--seed) and split into train, "
      "validation and test; the features are standardised with the training rows' statistics (kept in the saved model). The model is the --layers, "
      "then a Dense output layer with one unit per class, trained with cross-entropy. Prints the model summary, "
      "one line per epoch (a progress bar on a terminal), the test confusion matrix and classification report, and "
      "last test_accuracy=... on the test rows.\n\nExample:\n"
      "  xgrad train --data data/iris.csv --target species --save iris.npz");
  app->add_option("--data", o->data, "The CSV file")->required();
  app->add_option("--target", o->target, "The column holding the classes")->required();
  app->add_option("--task", o->task,
                  "auto (the default), classification or regression; auto picks regression for a numeric target with "
                  "more than 20 distinct values or any non-integer value")
      ->check(CLI::IsMember({"auto", "classification", "regression"}));
  app->add_option("--loss", o->loss, "Regression's loss: mse (the default), mae or huber")
      ->check(CLI::IsMember({"mse", "mae", "huber"}));
  app->add_option("--missing", o->missing,
                  "Missing feature cells (empty, NA, N/A, NaN, null, ?): impute (the default: a numeric column's "
                  "training mean, a text column's own category) or error")
      ->check(CLI::IsMember({"impute", "error"}));
  add_delimiter_option(*app, o->delimiter);
  app->add_option("--dtype", o->dtype,
                  "The model's floating type: float32 (the default) or float64 (kept in the saved model; predict "
                  "computes in it)")
      ->check(CLI::IsMember({"float32", "float64"}));
  app->add_option("--ignore", o->ignore, "Columns to leave out (e.g. an id), separated by commas")->delimiter(',');
  app->add_option("--layers", o->layers,
                  "Hidden layers, UNITS:ACTIVATION separated by commas; ACTIVATION is prelu or one of " + [] {
                    std::string list;
                    for (const auto& name : activation_names()) list += (list.empty() ? "" : ", ") + name;
                    return list;
                  }() + ", with parameters by their PyTorch names where wanted (16:leaky_relu(negative_slope=0.2), "
                        "8:threshold(threshold=0.1, value=0), 32:prelu(alpha=0.1)); \"\" for none (default 64:relu)");
  app->add_option("--epochs", o->epochs, "Passes over the training rows (default 200)")->check(CLI::Range(1LL, 1000000LL));
  app->add_option("--batch-size", o->batch_size, "Rows per step (default 16)")->check(CLI::Range(1LL, 1000000000LL));
  app->add_option("--early-stopping", o->early_stopping,
                  "Stop when the validation loss has not improved for N epochs and restore the best weights (default: "
                  "off; 20 for regression)")
      ->check(CLI::Range(1LL, 1000000LL));
  app->add_option("--optimizer", o->optimizer, "adam (the default), adamw, sgd or rmsprop")
      ->check(CLI::IsMember({"adam", "adamw", "sgd", "rmsprop"}));
  add_number_option(*app, "--weight-decay", o->weight_decay,
                    "The optimizer's weight decay (L2; decoupled for adamw); default: the optimizer's (0, adamw 0.01)",
                    NumberCheck{"a finite number >= 0", [](double v) { return std::isfinite(v) && v >= 0; }});
  add_number_option(*app, "--lr", o->learning_rate, "The learning rate (default 0.01; 0.001 for regression)", positive_number());
  app->add_option("--test-fraction", o->test_fraction, "The fraction of rows held out for the test (default 0.2)")
      ->check(fraction_check());
  app->add_option("--validation-fraction", o->validation_fraction,
                  "The fraction of the remaining rows scored after each epoch and not trained on (default 0.1)")
      ->check(fraction_check());
  app->add_option("--seed", o->seed, "Seed of the split, the initial weights and the shuffling (default 0)")
      ->check(whole_number_check());
  app->add_option("--plot-history", o->plot_history,
                  "Draw the loss and accuracy per epoch (training and validation) into this .svg or .png (needs gnuplot)");
  app->add_option("--plot-confusion", o->plot_confusion,
                  "Draw the confusion matrix of the test rows into this .svg or .png (needs gnuplot)");
  add_number_option(*app, "--dropout", o->dropout, "A Dropout with this probability after each hidden layer (default 0: none)",
                    NumberCheck{"a number in [0, 1)", [](double v) { return v >= 0 && v < 1; }});
  app->add_flag("--batch-norm", o->batch_norm, "A BatchNorm1d after each hidden Dense layer");
  app->add_option("--schedule", o->schedule,
                  "The learning rate over the epochs: constant (the default), step (x0.1 every third of the epochs), "
                  "cosine (annealed to 0) or plateau (x0.1 after 10 epochs without a better validation loss)")
      ->check(CLI::IsMember({"constant", "step", "cosine", "plateau"}));
  app->add_option("--history", o->history, "Write one CSV row per epoch here: loss, metrics, validation, learning rate");
  app->add_option("--class-weight", o->class_weight,
                  "balanced: weigh each class's rows by rows / (classes * rows of the class), as scikit-learn")
      ->check(CLI::IsMember({"balanced"}));
  app->add_flag("--quiet", o->quiet, "Print only the final metrics (no summary, epochs or notes)");
  app->add_flag("--detect-anomaly", o->detect_anomaly,
                "Stop at the first op whose forward output or backward gradient is NaN or infinite, naming it, its "
                "layer and its input shapes (slower; as torch.autograd.detect_anomaly)");
  app->add_option("--save", o->save, "Write the trained model (.npz) here; an existing file is replaced only on success");
  return {app, [o] { run_train(*o); }};
}

}  // namespace xgrad::cli
