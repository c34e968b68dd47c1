// xgrad's side of W8 (workloads.hpp): models the other workloads do not name, registered by xgrad_bench.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>
#include <vector>

#include <xgrad.hpp>

#include "workloads.hpp"

namespace {

template <class T>
xgrad::Tensor<T> tensor(const std::vector<float>& data, const xgrad::Shape& shape) {
  xgrad::Tensor<T> t = xgrad::Tensor<T>::from_shape(shape);
  std::copy(data.begin(), data.end(), t.data());  // float -> T widens exactly
  return t;
}

/// A Dense stack: sizes[0] inputs, then one Dense per following size; `hidden` after every hidden one.
template <class T>
xgrad::Sequential<T> mlp(const std::vector<std::size_t>& sizes, const char* hidden, xgrad::Generator& gen) {
  xgrad::Sequential<T> model;
  for (std::size_t i = 1; i < sizes.size(); ++i)
    model.template add<xgrad::Dense<T>>(sizes[i - 1], sizes[i], i + 1 < sizes.size() ? hidden : "linear", true,
                                        xgrad::Initializer::he_uniform, gen);
  return model;
}

template <class T>
void train_steps(benchmark::State& state, xgrad::Sequential<T>& model, xgrad::Optimizer<T>& optimizer,
                 const xgrad::Variable<T>& x, const std::vector<std::int64_t>& labels) {
  for (auto _ : state) {
    optimizer.zero_grad();
    xgrad::Variable<T> loss = xgrad::cross_entropy(model(x), labels);
    loss.backward();
    optimizer.step();
    benchmark::DoNotOptimize(loss.value().data());
  }
}

void mnist_mlp_step(benchmark::State& state) {
  xgrad::Generator gen(0);
  auto model = mlp<float>({784, 256, 128, 10}, "relu", gen);
  xgrad::Adam<float> optimizer(model.parameters(), 1e-3);
  const xgrad::Variable<float> x(
      tensor<float>(bench::uniform_vector(10, bench::kW8MnistBatch * 784, 0, 1), {bench::kW8MnistBatch, 784}));
  train_steps(state, model, optimizer, x, bench::hashed_labels(11, bench::kW8MnistBatch, 10));
}

void deep_narrow_step(benchmark::State& state) {
  xgrad::Generator gen(0);
  xgrad::Sequential<float> model;
  std::size_t in = 32;
  for (int layer = 0; layer < 4; ++layer) {
    const bool prelu = layer % 2 == 0;
    model.add<xgrad::Dense<float>>(in, 64, prelu ? "linear" : "gelu", true, xgrad::Initializer::he_uniform, gen);
    if (prelu) model.add<xgrad::PReLU<float>>(64, 0.25);
    in = 64;
  }
  model.add<xgrad::Dense<float>>(64, 4, "linear", true, xgrad::Initializer::glorot_uniform, gen);
  xgrad::SGD<float> optimizer(model.parameters(), 0.01, 0.9);
  const xgrad::Variable<float> x(
      tensor<float>(bench::uniform_vector(12, bench::kW8DeepBatch * 32, -1, 1), {bench::kW8DeepBatch, 32}));
  train_steps(state, model, optimizer, x, bench::hashed_labels(13, bench::kW8DeepBatch, 4));
}

void batched_inference(benchmark::State& state) {
  xgrad::Generator gen(0);
  auto model = mlp<float>({64, 128, 64, 10}, "relu", gen);
  model.eval();
  const xgrad::Variable<float> x(
      tensor<float>(bench::uniform_vector(14, bench::kW8InferenceRows * 64, 0, 1), {bench::kW8InferenceRows, 64}));
  for (auto _ : state) {
    xgrad::NoGradGuard no_grad;
    xgrad::Variable<float> y = model(x);
    benchmark::DoNotOptimize(y.value().data());
  }
}

void float64_regression_step(benchmark::State& state) {
  xgrad::Generator gen(0);
  auto model = mlp<double>({10, 64, 64, 1}, "tanh", gen);
  xgrad::Adam<double> optimizer(model.parameters(), 1e-3);
  const std::size_t n = bench::kW8RegressionBatch;
  const xgrad::Variable<double> x(tensor<double>(bench::uniform_vector(15, n * 10, -1, 1), {n, 10}));
  const xgrad::Variable<double> y(tensor<double>(bench::uniform_vector(16, n, -1, 1), {n, 1}));
  for (auto _ : state) {
    optimizer.zero_grad();
    xgrad::Variable<double> loss = xgrad::mse(model(x), y);
    loss.backward();
    optimizer.step();
    benchmark::DoNotOptimize(loss.value().data());
  }
}

/// The same model in float32 and float64 (issue 13: float64 within 2.5x of float32): a 5-layer 64-wide relu
/// net, 64 inputs (seed 17, [-1, 1]), 10 classes (hash(18, i) % 10), batch 256, SGD lr 0.01.
template <class T>
void relu_net_step(benchmark::State& state) {
  xgrad::Generator gen(0);
  auto model = mlp<T>({64, 64, 64, 64, 64, 10}, "relu", gen);
  xgrad::SGD<T> optimizer(model.parameters(), 0.01);
  const xgrad::Variable<T> x(tensor<T>(bench::uniform_vector(17, 256 * 64, -1, 1), {256, 64}));
  train_steps(state, model, optimizer, x, bench::hashed_labels(18, 256, 10));
}

}  // namespace

void register_w8() {
  benchmark::RegisterBenchmark("W8/mnist_mlp_step", mnist_mlp_step)->Unit(benchmark::kMicrosecond)->UseRealTime();
  benchmark::RegisterBenchmark("W8/deep_narrow_step", deep_narrow_step)->Unit(benchmark::kMicrosecond)->UseRealTime();
  benchmark::RegisterBenchmark("W8/batched_inference", batched_inference)->Unit(benchmark::kMicrosecond)->UseRealTime();
  benchmark::RegisterBenchmark("W8/float64_regression_step", float64_regression_step)
      ->Unit(benchmark::kMicrosecond)->UseRealTime();
  benchmark::RegisterBenchmark("W8/relu_net_step/float32", relu_net_step<float>)->Unit(benchmark::kMicrosecond)->UseRealTime();
  benchmark::RegisterBenchmark("W8/relu_net_step/float64", relu_net_step<double>)->Unit(benchmark::kMicrosecond)->UseRealTime();
}
