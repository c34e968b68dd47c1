// Preparing tables for training (train/tabular.hpp): the task choice, the
// regression dataset, train_regressor and its model file.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "xgrad/train/train.hpp"

using namespace xgrad;

namespace {
CsvTable table_of(const std::string& text) { return parse_csv_table(text, "t.csv"); }
}  // namespace

TEST_CASE("choose_task: auto's rule and its reasons") {
  // Integers with at most 20 distinct values: classes.
  TaskChoice c = choose_task(table_of("x,y\n1,3\n2,4\n3,3\n"), "y");
  CHECK(c.task == Task::classification);
  CHECK(c.reason.find("2 distinct values") != std::string::npos);
  // 21 distinct integers: regression.
  std::string text = "x,y\n";
  for (int r = 0; r < 21; ++r) text += "1," + std::to_string(r) + "\n";
  c = choose_task(table_of(text), "y");
  CHECK(c.task == Task::regression);
  CHECK(c.reason.find("21 distinct values (more than 20)") != std::string::npos);
  // Any non-integer: regression; any text: classes.
  CHECK(choose_task(table_of("x,y\n1,3\n2,4.5\n"), "y").task == Task::regression);
  c = choose_task(table_of("x,y\n1,3\n2,cat\n"), "y");
  CHECK(c.task == Task::classification);
  CHECK(c.reason.find("holds text ('cat')") != std::string::npos);
  // What was asked for wins; regression needs numbers.
  CHECK(choose_task(table_of("x,y\n1,3.5\n2,4.5\n"), "y", "classification").task == Task::classification);
  CHECK(choose_task(table_of("x,y\n1,3\n2,4\n"), "y", "regression").task == Task::regression);
  CHECK_THROWS_WITH_AS(choose_task(table_of("x,y\n1,3\n2,cat\n"), "y", "regression"),
                       "t.csv, line 3, column 2 'y': 'cat' is not a number; a regression target must be numeric",
                       DataError);
  CHECK_THROWS_AS(choose_task(table_of("x,y\n1,3\n"), "y", "sideways"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(choose_task(table_of("x,y\n1,3\n"), "z"), doctest::Contains("there is no column 'z'"), DataError);
}

TEST_CASE("regression_dataset_from_table: features, targets, and a constant target refused") {
  const RegressionDataset d = regression_dataset_from_table(table_of("a,y,b\n1,0.5,2\n3,1.5,4\n"), "y");
  CHECK(d.feature_names == std::vector<std::string>{"a", "b"});
  CHECK(d.targets == std::vector<double>{0.5, 1.5});
  CHECK(d.features(1, 1) == 4.0);
  CHECK_THROWS_WITH_AS(regression_dataset_from_table(table_of("a,y\n1,2.5\n2,2.5\n"), "y"),
                       "t.csv: the target 'y' is constant (every row holds 2.5); there is nothing to regress", DataError);
  CHECK_THROWS_WITH_AS(numeric_column(table_of("a,y\n1,2.5\n2,\n"), "y"),
                       "t.csv, line 3, column 2 'y': '' is not a finite number (the cell is empty)", DataError);
}

TEST_CASE("train_regressor: learns a linear target in its own units; the model file keeps the target's statistics") {
  // y = 300 + 40 a - 25 b: far from standardised, so the target's scaling matters.
  Generator gen(3);
  std::string text = "a,b,y\n";
  for (int r = 0; r < 300; ++r) {
    const double a = gen.uniform(-1.0, 1.0), b = gen.uniform(-1.0, 1.0);
    text += std::to_string(a) + "," + std::to_string(b) + "," + std::to_string(300 + 40 * a - 25 * b) + "\n";
  }
  const RegressionDataset data = regression_dataset_from_table(table_of(text), "y");
  ClassifierOptions o;
  o.hidden = {};  // a linear model fits it exactly
  o.epochs = 200;
  o.learning_rate = 0.05;
  o.progress = Progress::silent;
  const RegressorResult r = train_regressor(data, o);
  CHECK(r.info.task == "regression");
  CHECK(r.info.target_mean == doctest::Approx(300).epsilon(0.05));
  CHECK(r.test_rows == 60);
  CHECK(r.test.r2 > 0.999);
  CHECK(r.test.mae < 1.0);

  const std::string path = (std::filesystem::temp_directory_path() / "xgrad_test_regressor.npz").string();
  save_model(path, r.model, r.info);
  LoadedModel<float> loaded = load_model<float>(path);
  std::filesystem::remove(path);
  CHECK(loaded.info.task == "regression");
  CHECK(loaded.info.target_mean == r.info.target_mean);
  CHECK(loaded.info.target_scale == r.info.target_scale);
  Tensor<double> x = Tensor<double>::from_shape({1, 2});
  x(0, 0) = 0.5;
  x(0, 1) = -0.5;
  CHECK(predict_values(loaded.model, x, loaded.info)[0] == doctest::Approx(332.5).epsilon(0.01));

  CHECK_THROWS_AS(train_regressor(data, o, LossKind::cross_entropy), std::invalid_argument);
}

TEST_CASE("a classifier's model file has no task and loads as before") {
  const CsvDataset data = dataset_from_table(table_of("a,y\n1,0\n2,1\n3,0\n4,1\n5,0\n"), "y");
  ClassifierOptions o;
  o.epochs = 1;
  o.progress = Progress::silent;
  o.test_fraction = 0;
  const ClassifierResult r = train_classifier(data, o);
  const std::string path = (std::filesystem::temp_directory_path() / "xgrad_test_classifier.npz").string();
  save_model(path, r.model, r.info);
  const LoadedModel<float> loaded = load_model<float>(path);
  std::filesystem::remove(path);
  CHECK(loaded.info.task.empty());
  CHECK(loaded.info.target_scale == 1.0);
}

TEST_CASE("is_missing: the markers pandas reads as NaN, in any case") {
  for (const char* cell : {"", "NA", "na", "N/A", "n/a", "NaN", "nan", "NULL", "null", "?"}) CHECK(is_missing(cell));
  for (const char* cell : {"0", "none", "NAN1", "??", "-", "nana"}) CHECK_FALSE(is_missing(cell));
}

TEST_CASE("fit_encoding / apply_encoding: one-hot text, imputed numbers, fitted on the training rows only") {
  CsvTable t = table_of("n,color,y\n1,red,a\nNA,blue,b\n3,,a\n5,red,b\n100,green,a\n");
  const TableEncoding e = fit_encoding(t, "y", {0, 1, 2, 3});  // row 4 (green, 100) is a test row
  REQUIRE(e.columns.size() == 2);
  CHECK_FALSE(e.columns[0].categorical);
  CHECK(e.columns[0].mean == 3.0);  // (1 + 3 + 5) / 3: the test row's 100 is not counted
  CHECK(e.columns[0].missing == 1);
  CHECK(e.columns[1].categories == std::vector<std::string>{"blue", "red", ""});  // sorted, missing last
  CHECK(e.encoded_names() == std::vector<std::string>{"n", "color=blue", "color=red", "color=(missing)"});
  CHECK(e.summary() == "one-hot encoded: color (3 categories); imputed: n (1 cell, mean 3), color (1 cell, as a category)");
  std::ostringstream warnings;
  const Tensor<double> x = apply_encoding(t, e, "y", &warnings);
  REQUIRE(x.shape() == Shape{5, 4});
  CHECK(std::vector<double>(x.begin(), x.end()) ==
        std::vector<double>{1, 0, 1, 0, 3, 1, 0, 0, 3, 0, 0, 1, 5, 0, 1, 0, 100, 0, 0, 0});
  CHECK(warnings.str() == "warning: t.csv: column 'color' has the category 'green', unseen in training; it encodes as all zeros\n");

  // Column order in the file does not matter; an extra or a missing column is named.
  CHECK(apply_encoding(table_of("color,n\nred,2\n"), e, "") == apply_encoding(table_of("n,color\n2,red\n"), e, ""));
  CHECK_THROWS_WITH_AS(apply_encoding(table_of("n\n2\n"), e, ""), "t.csv: there is no column 'color', a feature of the model", DataError);
  CHECK_THROWS_WITH_AS(apply_encoding(table_of("n,color\nfour,red\n"), e, ""), "t.csv, line 2, column 1 'n': 'four' is not a number", DataError);
  CHECK_THROWS_WITH_AS(apply_encoding(table_of("n,color,z\n2,red,1\n"), e, ""),
                       doctest::Contains("column 3 'z' is not a feature of the model"), DataError);
  TableEncoding ignoring = e;
  ignoring.ignored = {"z"};
  CHECK(apply_encoding(table_of("n,color,z\n2,red,1\n"), ignoring, "").shape() == Shape{1, 4});
}

TEST_CASE("encoding errors: missing cells with MissingPolicy::error, an all-missing column, an id column") {
  CHECK_THROWS_WITH_AS(fit_encoding(table_of("a,y\n1,0\nNA,1\n"), "y", {0, 1}, MissingPolicy::error),
                       "t.csv, line 3, column 1 'a': the cell is missing ('NA'; --missing impute fills it from the training rows)",
                       DataError);
  CHECK_THROWS_WITH_AS(fit_encoding(table_of("a,b,y\n1,,0\n2,?,1\n"), "y", {0, 1}),
                       "t.csv: column 2 'b' is missing in every row; leave it out with --ignore b", DataError);
  std::string ids = "id,y\n";
  std::vector<std::size_t> rows;
  for (int r = 0; r < 12; ++r) {
    ids += "u" + std::to_string(r) + "," + std::to_string(r % 2) + "\n";
    rows.push_back(r);
  }
  CHECK_THROWS_WITH_AS(fit_encoding(table_of(ids), "y", rows),
                       doctest::Contains("column 1 'id' holds a different text in every training row (an id?); leave it out with --ignore id"),
                       DataError);
}

TEST_CASE("drop_columns and drop_rows_missing") {
  CsvTable t = table_of("id,a,y\n1,2,x\n2,3,NA\n3,4,\n4,5,z\n");
  drop_columns(t, {"id"}, "y");
  CHECK(t.header == std::vector<std::string>{"a", "y"});
  CHECK(drop_rows_missing(t, "y") == 2);
  CHECK(t.rows.size() == 2);
  CHECK(t.row_lines == std::vector<std::size_t>{2, 5});
  CHECK_THROWS_WITH_AS(drop_columns(t, {"nope"}, "y"), "t.csv: there is no column 'nope'; the columns are: 'a', 'y'", DataError);
  CHECK_THROWS_WITH_AS(drop_columns(t, {"y"}, "y"), "t.csv: the target 'y' cannot be ignored", DataError);
  CsvTable none = table_of("a,y\n1,NA\n");
  CHECK_THROWS_WITH_AS(drop_rows_missing(none, "y"), "t.csv: every row's target 'y' is missing", DataError);
}

TEST_CASE("the model file keeps the encoding; a file without it loads with none") {
  CsvTable t = table_of("n,color,y\n1,red,0\nNA,blue,1\n3,,0\n5,red,1\n");
  ModelInfo info;
  info.encoding = fit_encoding(t, "y", {0, 1, 2, 3});
  info.encoding.ignored = {"id"};
  info.feature_names = info.encoding.column_names();
  Sequential<float> model = build_classifier(info.encoding.width(), 2, {}, 0);
  const std::string path = (std::filesystem::temp_directory_path() / "xgrad_test_encoding.npz").string();
  save_model(path, model, info);
  const LoadedModel<float> loaded = load_model<float>(path);
  std::filesystem::remove(path);
  REQUIRE(loaded.info.encoding.columns.size() == 2);
  CHECK(loaded.info.encoding.columns[0].mean == 3.0);
  CHECK(loaded.info.encoding.columns[1].categories == info.encoding.columns[1].categories);
  CHECK(loaded.info.encoding.ignored == std::vector<std::string>{"id"});
  CHECK(loaded.info.encoding.encoded_names() == info.encoding.encoded_names());
}

TEST_CASE("parse_csv_table: blank lines anywhere, delimiters, RFC 4180 quoting") {
  const CsvTable t = parse_csv_table("\n\na;b\r\n\r\n1;\"x;\"\"y\"\"\nz\"\n\n2;w\n\n", "t.csv", ';');
  CHECK(t.header == std::vector<std::string>{"a", "b"});
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0][1] == "x;\"y\"\nz");
  CHECK(t.row_lines == std::vector<std::size_t>{5, 8});
  const CsvTable tabs = parse_csv_table("a\tb c\n1\t 2 \n", "t.tsv", '\t');
  CHECK(tabs.header == std::vector<std::string>{"a", "b c"});
  CHECK(tabs.rows[0] == std::vector<std::string>{"1", "2"});
  CHECK_THROWS_WITH_AS(parse_csv_table("a,b\n", "t.csv"), "t.csv: the file has a header but no data rows", DataError);
  CHECK_THROWS_WITH_AS(parse_csv_table("\n \n", "t.csv"), doctest::Contains("only blank lines"), DataError);
  CHECK_THROWS_AS(parse_csv_table("a\"b\n", "t.csv", '"'), std::invalid_argument);
  CHECK_THROWS_WITH_AS(parse_csv_table("\n\na,,b\n1,2,3\n", "t.csv"), "t.csv, line 3, column 2: the column has no name", DataError);
}

TEST_CASE("format_classification_report: scikit-learn's layout, digit for digit") {
  // sklearn.metrics.classification_report([0,0,1,1,2,2,2], [0,1,1,1,2,0,2], target_names=['a','bb','ccc'])
  const std::vector<std::int64_t> y_true{0, 0, 1, 1, 2, 2, 2}, y_pred{0, 1, 1, 1, 2, 0, 2};
  CHECK(format_classification_report(classification_report(y_true, y_pred, 3), {"a", "bb", "ccc"}) ==
        "              precision    recall  f1-score   support\n\n"
        "           a       0.50      0.50      0.50         2\n"
        "          bb       0.67      1.00      0.80         2\n"
        "         ccc       1.00      0.67      0.80         3\n\n"
        "    accuracy                           0.71         7\n"
        "   macro avg       0.72      0.72      0.70         7\n"
        "weighted avg       0.76      0.71      0.71         7\n");
  CHECK(format_confusion_matrix(confusion_matrix(y_true, y_pred, 3), {"a", "bb", "ccc"}) ==
        "true \\ predicted    a   bb  ccc\n"
        "a                   1    1    0\n"
        "bb                  0    2    0\n"
        "ccc                 1    0    2\n");
  CHECK_THROWS_AS(format_classification_report(classification_report(y_true, y_pred, 3), {"a"}), std::invalid_argument);
}

TEST_CASE("build_classifier's dropout and batch norm; the schedule and optimizer options") {
  Sequential<float> model = build_classifier(4, 3, {{8, "relu"}, {5, "prelu"}}, 0, 0.25, true);
  std::vector<std::string> types;
  for (const auto& layer : model.layers()) types.push_back(layer->config().type);
  CHECK(types == std::vector<std::string>{"Dense", "BatchNorm1d", "Dropout", "Dense", "BatchNorm1d", "PReLU", "Dropout", "Dense"});
  CHECK_THROWS_AS(build_classifier(4, 3, {{8, "relu"}}, 0, 1.0), std::invalid_argument);

  ClassifierOptions o;
  o.optimizer = "adamw";
  o.weight_decay = 0.5;
  auto optimizer = make_classifier_optimizer(o, model.parameters());
  CHECK(dynamic_cast<AdamW<float>*>(optimizer.get()) != nullptr);
  o.weight_decay = -1.0;
  CHECK_THROWS_AS(make_classifier_optimizer(o, model.parameters()), std::invalid_argument);
  FitOptions fit_options;
  for (const char* schedule : {"step", "cosine", "plateau"}) {
    o.schedule = schedule;
    add_schedule(fit_options, *optimizer, o);
  }
  CHECK(fit_options.callbacks.size() == 3);
  o.schedule = "sometimes";
  CHECK_THROWS_WITH_AS(add_schedule(fit_options, *optimizer, o),
                       "schedule 'sometimes': must be constant, step, cosine or plateau", std::invalid_argument);
}

TEST_CASE("balanced class weights: a rare class still gets learned") {
  // 90 rows of class 0 around -1, 10 of class 1 around +1 on one feature (overlapping).
  Generator gen(5);
  std::string text = "x,y\n";
  for (int r = 0; r < 100; ++r) {
    const bool rare = r % 10 == 0;
    text += std::to_string((rare ? 0.5 : -0.5) + gen.uniform(-1.0, 1.0)) + "," + (rare ? "b" : "a") + "\n";
  }
  const CsvDataset data = dataset_from_table(table_of(text), "y");
  ClassifierOptions o;
  o.hidden = {};
  o.epochs = 50;
  o.learning_rate = 0.05;
  o.test_fraction = 0;
  o.progress = Progress::silent;
  auto predicted_rare = [&](bool balanced) {
    o.balanced_class_weight = balanced;
    ClassifierResult r = train_classifier(data, o);
    std::size_t count = 0;
    for (auto c : predict_classes(r.model, prepare_features(data.features, r.info))) count += c == 1;
    return count;
  };
  CHECK(predicted_rare(true) > predicted_rare(false));
}

TEST_CASE("float64 models: train_classifier<double> / train_regressor<double>, model_dtype and load_model_as") {
  Generator gen(5);
  std::string text = "a,b,y\n";
  for (int r = 0; r < 200; ++r) {
    const double a = gen.uniform(-1.0, 1.0), b = gen.uniform(-1.0, 1.0);
    text += std::to_string(a) + "," + std::to_string(b) + "," + (a + b > 0.2 ? "hi" : "lo") + "\n";
  }
  const CsvDataset data = dataset_from_table(table_of(text), "y");
  ClassifierOptions o;
  o.hidden = {{8, "tanh"}};
  o.epochs = 30;
  o.learning_rate = 0.05;
  o.progress = Progress::silent;
  const BasicClassifierResult<double> r64 = train_classifier<double>(data, o);
  const ClassifierResult r32 = train_classifier(data, o);
  CHECK(r64.test_accuracy > 0.9);
  // The same initial weights and batches: the two dtypes train to nearly the same model.
  CHECK(std::abs(r64.test_accuracy - r32.test_accuracy) <= 0.05);
  const auto w64 = r64.model.named_parameters().at(0).second.value();
  const auto w32 = r32.model.named_parameters().at(0).second.value();
  CHECK(std::abs(double(w64(0, 0)) - double(w32(0, 0))) < 1e-2);

  const std::string path = (std::filesystem::temp_directory_path() / "xgrad_test_float64.npz").string();
  save_model(path, r64.model, r64.info);
  CHECK(model_dtype(path) == "float64");
  LoadedModel<double> exact = load_model<double>(path);
  CHECK_THROWS_WITH_AS(load_model<float>(path), doctest::Contains("convert it with load_model_as"), NpzError);
  LoadedModel<float> rounded = load_model_as<float>(path);
  LoadedModel<double> again = load_model_as<double>(path);  // the same dtype: as load_model
  std::filesystem::remove(path);
  const Tensor<double> x = take_rows(data.features, std::vector<std::size_t>{0, 1, 2, 3}, 0, 4);
  const Tensor<double> p64 = predict(exact.model, prepare_features<double>(x, exact.info));
  const Tensor<float> p32 = predict(rounded.model, prepare_features<float>(x, rounded.info));
  CHECK(p64 == predict(again.model, prepare_features<double>(x, again.info)));
  for (std::size_t i = 0; i < p64.size(); ++i) CHECK(double(p32.data()[i]) == doctest::Approx(p64.data()[i]).epsilon(1e-5));

  const RegressionDataset reg = regression_dataset_from_table(
      table_of("a,y\n0,1\n1,3.5\n2,5\n3,7.25\n4,9\n5,11\n6,13\n7,15\n8,17\n9,19\n"), "y");
  ClassifierOptions ro = o;
  ro.hidden = {};
  ro.test_fraction = 0;
  ro.epochs = 300;
  BasicRegressorResult<double> reg64 = train_regressor<double>(reg, ro);
  Tensor<double> one = Tensor<double>::from_shape({1, 1});
  one(0, 0) = 4;
  CHECK(predict_values(reg64.model, one, reg64.info)[0] == doctest::Approx(9.0).epsilon(0.02));
}

TEST_CASE("load_csv_features / load_csv_for_model read other delimiters") {
  const std::string path = (std::filesystem::temp_directory_path() / "xgrad_test_semicolons.csv").string();
  {
    std::ofstream f(path);
    f << "b;a;y\n2;1;x\n4;3;z\n";
  }
  const Tensor<double> x = load_csv_features(path, {"a", "b"}, "y", ';');
  CHECK(x(1, 0) == 3.0);
  CHECK(x(1, 1) == 4.0);
  const CsvDataset d = load_csv_for_model(path, "y", {"a", "b"}, {"x", "z"}, ';');
  CHECK(d.labels == std::vector<std::int64_t>{0, 1});
  CHECK_THROWS_AS(load_csv_features(path, {"a", "b"}, "y"), DataError);  // read with ',', one column "b;a;y"
  std::filesystem::remove(path);
}
