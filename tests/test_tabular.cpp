// Preparing tables for training (train/tabular.hpp): the task choice, the
// regression dataset, train_regressor and its model file.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
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
