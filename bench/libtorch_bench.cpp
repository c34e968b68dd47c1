// LibTorch's side of the benchmark suite: the workloads of workloads.hpp,
// single-threaded unless XGRAD_BENCH_THREADS (bench/compare --threads) says
// otherwise, timed like Google Benchmark does for xgrad (the iteration count
// grows until one repetition lasts --min-time seconds; the median of
// --repetitions repetitions is reported).
//   libtorch_bench micro [repetitions] [min_time]  -> W1, W4, W5, W8 as JSON
//   libtorch_bench digits [runs] [digits.csv]        -> W6, W7 as JSON
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "workloads.hpp"

namespace {

using Clock = std::chrono::steady_clock;

torch::Tensor tensor(const std::vector<float>& data, std::vector<std::int64_t> shape) {
  return torch::from_blob(const_cast<float*>(data.data()), shape, torch::kFloat32).clone();
}

double seconds_per_iteration(const std::function<void()>& f, int repetitions, double min_time) {
  f();  // warm-up
  long iterations = 1;
  for (;;) {
    const auto start = Clock::now();
    for (long i = 0; i < iterations; ++i) f();
    const double t = std::chrono::duration<double>(Clock::now() - start).count();
    if (t >= min_time || iterations >= (1L << 30)) break;
    const double grow = t > 0 ? std::min(10.0, std::max(1.4 * min_time / t, 1.5)) : 10.0;
    iterations = static_cast<long>(iterations * grow) + 1;
  }
  std::vector<double> samples;
  for (int r = 0; r < repetitions; ++r) {
    const auto start = Clock::now();
    for (long i = 0; i < iterations; ++i) f();
    samples.push_back(std::chrono::duration<double>(Clock::now() - start).count() / iterations);
  }
  std::sort(samples.begin(), samples.end());
  const std::size_t n = samples.size();
  return n % 2 ? samples[n / 2] : 0.5 * (samples[n / 2 - 1] + samples[n / 2]);
}

/// W8 (workloads.hpp): models the other workloads do not name.
void w8(std::vector<std::pair<std::string, double>>& results, int repetitions, double min_time) {
  namespace nn = torch::nn;
  const auto rows = [](std::size_t n) { return std::int64_t(n); };
  auto train_step = [&](nn::Sequential& model, torch::optim::Optimizer& optimizer, const torch::Tensor& x,
                        const torch::Tensor& target, bool regression) {
    return seconds_per_iteration([&] {
      optimizer.zero_grad();
      const torch::Tensor out = model->forward(x);
      torch::Tensor loss = regression ? nn::functional::mse_loss(out, target) : nn::functional::cross_entropy(out, target);
      loss.backward();
      optimizer.step();
    }, repetitions, min_time);
  };
  torch::manual_seed(0);
  {
    nn::Sequential model(nn::Linear(784, 256), nn::ReLU(), nn::Linear(256, 128), nn::ReLU(), nn::Linear(128, 10));
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-3));
    const torch::Tensor x = tensor(bench::uniform_vector(10, bench::kW8MnistBatch * 784, 0, 1), {rows(bench::kW8MnistBatch), 784});
    const torch::Tensor labels = torch::tensor(bench::hashed_labels(11, bench::kW8MnistBatch, 10), torch::kInt64);
    results.emplace_back("W8/mnist_mlp_step", train_step(model, optimizer, x, labels, false));
  }
  {
    nn::Sequential model;
    std::int64_t width = 32;
    for (int layer = 0; layer < 4; ++layer) {
      model->push_back(nn::Linear(width, 64));
      if (layer % 2 == 0)
        model->push_back(nn::PReLU(nn::PReLUOptions().num_parameters(64)));
      else
        model->push_back(nn::GELU());
      width = 64;
    }
    model->push_back(nn::Linear(64, 4));
    torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
    const torch::Tensor x = tensor(bench::uniform_vector(12, bench::kW8DeepBatch * 32, -1, 1), {rows(bench::kW8DeepBatch), 32});
    const torch::Tensor labels = torch::tensor(bench::hashed_labels(13, bench::kW8DeepBatch, 4), torch::kInt64);
    results.emplace_back("W8/deep_narrow_step", train_step(model, optimizer, x, labels, false));
  }
  {
    nn::Sequential model(nn::Linear(64, 128), nn::ReLU(), nn::Linear(128, 64), nn::ReLU(), nn::Linear(64, 10));
    model->eval();
    const torch::Tensor x =
        tensor(bench::uniform_vector(14, bench::kW8InferenceRows * 64, 0, 1), {rows(bench::kW8InferenceRows), 64});
    results.emplace_back("W8/batched_inference", seconds_per_iteration([&] {
      torch::NoGradGuard no_grad;
      model->forward(x);
    }, repetitions, min_time));
  }
  {
    nn::Sequential model(nn::Linear(10, 64), nn::Tanh(), nn::Linear(64, 64), nn::Tanh(), nn::Linear(64, 1));
    model->to(torch::kFloat64);
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-3));
    const std::int64_t n = rows(bench::kW8RegressionBatch);
    const torch::Tensor x = tensor(bench::uniform_vector(15, n * 10, -1, 1), {n, 10}).to(torch::kFloat64);
    const torch::Tensor y = tensor(bench::uniform_vector(16, n, -1, 1), {n, 1}).to(torch::kFloat64);
    results.emplace_back("W8/float64_regression_step", train_step(model, optimizer, x, y, true));
  }
}

int micro(int repetitions, double min_time) {
  // W1's activations are measured on PyTorch's side (bench/torch_bench.py
  // evaluates the catalogue's PyTorch expressions; LibTorch runs the same ATen
  // kernels). The copy floor is here for reference.
  const std::vector<std::int64_t> w1_shape{bench::kW1Rows, bench::kW1Cols};
  const torch::Tensor x = tensor(bench::w1_input(), w1_shape);
  std::vector<std::pair<std::string, double>> results;
  {
    torch::Tensor y = torch::zeros_like(x);
    results.emplace_back("W1/copy", seconds_per_iteration([&] { y.copy_(x); }, repetitions, min_time));
  }
  {
    torch::nn::Linear layer(bench::kW4In, bench::kW4Out);
    const double limit = 1.0 / std::sqrt(double(bench::kW4In));
    {
      torch::NoGradGuard no_grad;  // weight [out, in] = the transpose of xgrad's [in, out]
      layer->weight.copy_(tensor(bench::uniform_vector(4, bench::kW4In * bench::kW4Out, -limit, limit),
                                 {std::int64_t(bench::kW4In), std::int64_t(bench::kW4Out)}).t());
      layer->bias.zero_();
    }
    torch::Tensor xw = tensor(bench::uniform_vector(3, bench::kW4Batch * bench::kW4In, -1, 1),
                              {std::int64_t(bench::kW4Batch), std::int64_t(bench::kW4In)}).requires_grad_(true);
    const torch::Tensor gw = tensor(bench::uniform_vector(5, bench::kW4Batch * bench::kW4Out, -1, 1),
                                    {std::int64_t(bench::kW4Batch), std::int64_t(bench::kW4Out)});
    torch::Tensor y;
    results.emplace_back("W4/dense_784_256/forward_backward", seconds_per_iteration([&] {
      layer->zero_grad();
      xw.mutable_grad() = torch::Tensor();
      y = layer->forward(xw);
      y.backward(gw);
    }, repetitions, min_time));
  }
  {
    torch::manual_seed(0);
    torch::nn::Sequential model(torch::nn::Linear(2, 16), torch::nn::Tanh(), torch::nn::Linear(16, 16),
                                torch::nn::Tanh(), torch::nn::Linear(16, 2));
    torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(bench::kW5LearningRate));
    const std::vector<float> xs = bench::uniform_vector(6, bench::kW5Batch * 2, -1, 1);
    const std::vector<std::int64_t> ls = bench::w5_labels(xs);
    const torch::Tensor x5 = tensor(xs, {std::int64_t(bench::kW5Batch), 2});
    const torch::Tensor labels = torch::tensor(ls, torch::kInt64);
    results.emplace_back("W5/mlp_step", seconds_per_iteration([&] {
      optimizer.zero_grad();
      torch::Tensor loss = torch::nn::functional::cross_entropy(model->forward(x5), labels);
      loss.backward();
      optimizer.step();
    }, repetitions, min_time));
  }
  w8(results, repetitions, min_time);
  std::printf("{\"side\": \"libtorch\", \"seconds\": {");
  for (std::size_t i = 0; i < results.size(); ++i)
    std::printf("%s\"%s\": %.9g", i ? ", " : "", results[i].first.c_str(), results[i].second);
  std::printf("}}\n");
  return 0;
}

int digits(int runs, const std::string& path) {
  const bench::Digits d = bench::load_digits(path);
  const bench::DigitsPlan plan = bench::digits_plan(d.rows);
  auto rows_of = [&](const std::vector<std::size_t>& rows) {
    std::vector<float> v;
    for (std::size_t r : rows) v.insert(v.end(), d.x.begin() + r * 64, d.x.begin() + (r + 1) * 64);
    return tensor(v, {std::int64_t(rows.size()), 64});
  };
  auto labels_of = [&](const std::vector<std::size_t>& rows) {
    std::vector<std::int64_t> v;
    for (std::size_t r : rows) v.push_back(d.y[r]);
    return torch::tensor(v, torch::kInt64);
  };
  const torch::Tensor x_train = rows_of(plan.train), x_test = rows_of(plan.test);
  const torch::Tensor y_train = labels_of(plan.train), y_test = labels_of(plan.test);
  std::vector<torch::Tensor> orders;
  for (const auto& o : plan.epoch_orders)
    orders.push_back(torch::tensor(std::vector<std::int64_t>(o.begin(), o.end()), torch::kInt64));

  std::vector<double> seconds;
  double accuracy = 0;
  for (int run = 0; run < runs; ++run) {
    torch::manual_seed(0);
    torch::nn::Sequential model(torch::nn::Linear(64, 128), torch::nn::ReLU(), torch::nn::Linear(128, 64),
                                torch::nn::ReLU(), torch::nn::Linear(64, 10));
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(bench::kW6LearningRate));
    const auto start = Clock::now();
    for (const torch::Tensor& order : orders) {
      for (std::int64_t begin = 0; begin < std::int64_t(bench::kW6Train); begin += bench::kW6Batch) {
        const std::int64_t end = std::min<std::int64_t>(bench::kW6Train, begin + bench::kW6Batch);
        const torch::Tensor index = order.slice(0, begin, end);
        const torch::Tensor xb = x_train.index_select(0, index), yb = y_train.index_select(0, index);
        optimizer.zero_grad();
        torch::Tensor loss = torch::nn::functional::cross_entropy(model->forward(xb), yb);
        loss.backward();
        optimizer.step();
      }
    }
    seconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    torch::NoGradGuard no_grad;
    accuracy = model->forward(x_test).argmax(1).eq(y_test).to(torch::kFloat64).mean().item<double>();
  }
  std::printf("{\"side\": \"libtorch\", \"train_seconds\": [");
  for (std::size_t i = 0; i < seconds.size(); ++i) std::printf("%s%.6f", i ? ", " : "", seconds[i]);
  std::printf("], \"test_accuracy\": %.6f, \"peak_rss_mib\": %.2f}\n", accuracy, bench::peak_rss_mib());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // bench/compare --threads: a count, or "default" (LibTorch's own: all cores).
  const char* threads = std::getenv("XGRAD_BENCH_THREADS");
  if (!threads) torch::set_num_threads(1);
  else if (std::string(threads) != "default") torch::set_num_threads(std::atoi(threads));
  const std::string mode = argc > 1 ? argv[1] : "micro";
  if (mode == "micro") return micro(argc > 2 ? std::atoi(argv[2]) : 5, argc > 3 ? std::atof(argv[3]) : 0.2);
  if (mode == "digits")
    return digits(argc > 2 ? std::atoi(argv[2]) : 5, argc > 3 ? argv[3] : std::string(XGRAD_DATA_DIR) + "/digits.csv");
  std::fprintf(stderr, "usage: libtorch_bench micro [repetitions] [min_time] | digits [runs] [digits.csv]\n");
  return 2;
}
