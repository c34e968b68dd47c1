// Trains a classifier on a real data set (built twice: classify_iris and
// classify_digits) over five seeded 80/20 splits and reports each split's
// test accuracy and the mean, as the scikit-learn baseline was measured.
//   classify_iris [--data FILE] [--splits N] [--epochs N]
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>
#include <xgrad.hpp>

#ifndef XGRAD_DATASET
#error "define XGRAD_DATASET (iris or digits)"
#endif

struct Recipe {
  const char* file;
  const char* target;
  const char* layers;
  std::size_t epochs, batch_size;
  double learning_rate;
  double sklearn_mean;  // MLPClassifier(hidden_layer_sizes=(64,)) on these 5 splits (tools/sklearn_baseline.py)
  double divide_by;     // 0: standardise; else a fixed scale (digits: pixels 0..16 -> X / 16)
};

int main(int argc, char** argv) {
  const std::string dataset = XGRAD_DATASET;
  const Recipe recipe = dataset == "iris" ? Recipe{"iris.csv", "species", "64:relu", 200, 16, 1e-2, 0.9400, 0}
                                          : Recipe{"digits.csv", "digit", "128:relu,64:relu", 30, 64, 1e-3, 0.9777, 16};
  CLI::App app{"Train and test a classifier on " + dataset};
  std::string path = std::string(XGRAD_DATA_DIR) + "/" + recipe.file;
  int splits = 5;
  std::size_t epochs = recipe.epochs;
  app.add_option("--data", path, "The CSV file")->check(CLI::ExistingFile);
  app.add_option("--splits", splits, "How many seeded 80/20 splits")->check(CLI::Range(1, 100));
  app.add_option("--epochs", epochs, "Epochs per split")->check(CLI::Range(1, 100000));
  CLI11_PARSE(app, argc, argv);
  try {
    xgrad::CsvDataset data = xgrad::load_csv(path, recipe.target);
    if (recipe.divide_by != 0) data.features /= recipe.divide_by;
    std::printf("%s: %zu rows, %zu features, %zu classes; %s; layers %s, Adam lr %g, batch %zu, %zu epochs\n",
                dataset.c_str(), data.labels.size(), data.feature_names.size(), data.class_names.size(),
                recipe.divide_by ? "features / 16" : "standardised", recipe.layers, recipe.learning_rate,
                recipe.batch_size, epochs);
    xgrad::ClassifierOptions options;
    options.hidden = xgrad::parse_layer_spec(recipe.layers);
    options.epochs = epochs;
    options.batch_size = recipe.batch_size;
    options.learning_rate = recipe.learning_rate;
    options.progress = xgrad::Progress::silent;
    options.standardize = recipe.divide_by == 0;
    double total = 0;
    for (int split = 0; split < splits; ++split) {
      options.seed = static_cast<std::uint64_t>(split);
      const xgrad::ClassifierResult r = xgrad::train_classifier(data, options);
      std::printf("split %d: train %zu, test %zu, final loss %.4f, test accuracy %.4f\n", split, r.train_rows,
                  r.test_rows, r.history.epochs.back().loss, r.test_accuracy);
      total += r.test_accuracy;
    }
    std::printf("mean test accuracy over %d splits: %.4f (scikit-learn MLPClassifier(64) on the same splits: %.4f)\n", splits,
                total / splits, recipe.sklearn_mean);
  } catch (const std::exception& e) {
    std::cerr << "classify_" << dataset << ": " << e.what() << "\n";
    return 1;
  }
  return 0;
}
