// xgrad's side of W6 and W7: digits (data/digits.csv, X / 16), an MLP
// 64-128-64-10 with relu, Adam lr 1e-3, batch 64, 30 epochs on the fixed split
// 1437 / 360 of workloads.hpp. Prints one JSON object: the training time of
// each run (fresh model, same seed), the test accuracy and the peak resident
// memory of this process. Usage: xgrad_digits [runs] [digits.csv]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <xgrad.hpp>

#include "workloads.hpp"

namespace {

using xgrad::Tensor;
using V = xgrad::Variable<float>;

Tensor<float> rows_of(const bench::Digits& d, const std::vector<std::size_t>& rows) {
  Tensor<float> t = Tensor<float>::from_shape({rows.size(), std::size_t(64)});
  for (std::size_t r = 0; r < rows.size(); ++r)
    std::copy(d.x.begin() + rows[r] * 64, d.x.begin() + (rows[r] + 1) * 64, t.data() + r * 64);
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 5;
  const std::string path = argc > 2 ? argv[2] : std::string(XGRAD_DATA_DIR) + "/digits.csv";
  const bench::Digits digits = bench::load_digits(path);
  const bench::DigitsPlan plan = bench::digits_plan(digits.rows);
  const Tensor<float> x_train = rows_of(digits, plan.train), x_test = rows_of(digits, plan.test);
  std::vector<std::int64_t> y_train, y_test;
  for (std::size_t r : plan.train) y_train.push_back(digits.y[r]);
  for (std::size_t r : plan.test) y_test.push_back(digits.y[r]);

  std::vector<double> seconds;
  double accuracy = 0;
  for (int run = 0; run < runs; ++run) {
    xgrad::Generator gen(0);
    xgrad::Sequential<float> model;
    model.add<xgrad::Dense<float>>(64, 128, "relu", true, xgrad::Initializer::glorot_uniform, gen);
    model.add<xgrad::Dense<float>>(128, 64, "relu", true, xgrad::Initializer::glorot_uniform, gen);
    model.add<xgrad::Dense<float>>(64, 10, "linear", true, xgrad::Initializer::glorot_uniform, gen);
    xgrad::Adam<float> optimizer(model.parameters(), bench::kW6LearningRate);

    const auto start = std::chrono::steady_clock::now();
    std::vector<std::int64_t> labels;
    for (const std::vector<std::size_t>& order : plan.epoch_orders) {
      for (std::size_t begin = 0; begin < bench::kW6Train; begin += bench::kW6Batch) {
        const std::size_t end = std::min(bench::kW6Train, begin + bench::kW6Batch);
        labels.resize(end - begin);
        for (std::size_t i = begin; i < end; ++i) labels[i - begin] = y_train[order[i]];
        const V xb(xgrad::take_rows(x_train, order, begin, end));
        optimizer.zero_grad();
        V loss = xgrad::cross_entropy(model(xb), labels);
        loss.backward();
        optimizer.step();
      }
    }
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());

    const std::vector<std::int64_t> predicted = xgrad::predict_classes(model, x_test);
    std::size_t correct = 0;
    for (std::size_t i = 0; i < predicted.size(); ++i) correct += predicted[i] == y_test[i];
    accuracy = double(correct) / double(y_test.size());
  }

  std::printf("{\"side\": \"xgrad\", \"train_seconds\": [");
  for (std::size_t i = 0; i < seconds.size(); ++i) std::printf("%s%.6f", i ? ", " : "", seconds[i]);
  std::printf("], \"test_accuracy\": %.6f, \"peak_rss_mib\": %.2f}\n", accuracy, bench::peak_rss_mib());
  return 0;
}
