// xgrad's side of the benchmark suite (W1, W4, W5) on Google Benchmark.
// The workloads are defined in workloads.hpp; bench/compare runs this with
// --benchmark_format=json and reports the median of the repetitions.
// Names: W1/<activation>/forward, W1/<activation>/forward_backward, W1/copy,
//        W4/dense_784_256/forward_backward, W5/mlp_step.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include <xgrad.hpp>

#include "workloads.hpp"

namespace {

using xgrad::Tensor;
using xgrad::Variable;
using V = Variable<float>;

Tensor<float> tensor(const std::vector<float>& data, const xgrad::Shape& shape) {
  Tensor<float> t = Tensor<float>::from_shape(shape);
  std::copy(data.begin(), data.end(), t.data());
  return t;
}

const Tensor<float>& w1_x() {
  static const Tensor<float> t = tensor(bench::w1_input(), {bench::kW1Rows, bench::kW1Cols});
  return t;
}
const Tensor<float>& w1_g() {
  static const Tensor<float> t = tensor(bench::w1_upstream(), {bench::kW1Rows, bench::kW1Cols});
  return t;
}

struct Activation {
  std::string name;
  std::function<V(const V& x, const V& alpha)> f;
};

const std::vector<Activation>& activations() {
  static const std::vector<Activation> list = {
      {"sigmoid", [](const V& x, const V&) { return xgrad::sigmoid(x); }},
      {"tanh", [](const V& x, const V&) { return xgrad::tanh(x); }},
      {"relu", [](const V& x, const V&) { return xgrad::relu(x); }},
      {"leaky_relu", [](const V& x, const V&) { return xgrad::leaky_relu(x, 0.01); }},
      {"prelu", [](const V& x, const V& a) { return xgrad::prelu(x, a); }},
      {"elu", [](const V& x, const V&) { return xgrad::elu(x); }},
      {"softplus", [](const V& x, const V&) { return xgrad::softplus(x); }},
      {"gelu", [](const V& x, const V&) { return xgrad::gelu(x); }},
      {"gelu_tanh", [](const V& x, const V&) { return xgrad::gelu(x, xgrad::GeluApproximate::tanh); }},
      {"softmax", [](const V& x, const V&) { return xgrad::softmax(x, 1); }},
      {"log_softmax", [](const V& x, const V&) { return xgrad::log_softmax(x, 1); }},
  };
  return list;
}

V prelu_alpha(bool requires_grad) { return V(Tensor<float>({0.25f}), requires_grad); }

// y = f(x) without a graph (inference), x requires no grad. y lives across
// iterations, as `y = f(x)` in a Python loop: the old output dies after the new one is made.
void w1_forward(benchmark::State& state, const Activation& act) {
  xgrad::NoGradGuard no_grad;
  const V x(w1_x());
  const V alpha = prelu_alpha(false);
  V y;
  for (auto _ : state) {
    y = act.f(x, alpha);
    benchmark::DoNotOptimize(y.value().data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<long>(bench::kW1Elements));
}

// y = f(x); y.backward(g), x (and prelu's alpha) requiring grad; the grads are
// cleared before each iteration (xgrad keeps their buffers).
void w1_forward_backward(benchmark::State& state, const Activation& act) {
  V x(w1_x(), true);
  V alpha = prelu_alpha(true);
  const Tensor<float>& g = w1_g();
  V y;
  for (auto _ : state) {
    x.zero_grad();
    alpha.zero_grad();
    y = act.f(x, alpha);
    y.backward(g);
    benchmark::DoNotOptimize(x.grad().data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<long>(bench::kW1Elements));
}

// The floor for the cheap activations: a plain copy of the same array into an existing buffer.
void w1_copy(benchmark::State& state) {
  const Tensor<float>& x = w1_x();
  Tensor<float> y = Tensor<float>::from_shape(x.shape());
  std::fill(y.begin(), y.end(), 0.f);
  for (auto _ : state) {
    std::copy(x.data(), x.data() + x.size(), y.data());
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<long>(bench::kW1Elements));
}

// W4: Dense 784 -> 256 at batch 128, forward and backward with the input gradient.
void w4_dense(benchmark::State& state) {
  xgrad::Dense<float> layer(bench::kW4In, bench::kW4Out);
  const double limit = 1.0 / std::sqrt(double(bench::kW4In));
  layer.weight().mutable_value() =
      tensor(bench::uniform_vector(4, bench::kW4In * bench::kW4Out, -limit, limit), {bench::kW4In, bench::kW4Out});
  V x(tensor(bench::uniform_vector(3, bench::kW4Batch * bench::kW4In, -1, 1), {bench::kW4Batch, bench::kW4In}), true);
  const Tensor<float> g =
      tensor(bench::uniform_vector(5, bench::kW4Batch * bench::kW4Out, -1, 1), {bench::kW4Batch, bench::kW4Out});
  V y;
  for (auto _ : state) {
    layer.zero_grad();
    x.zero_grad();
    y = layer(x);
    y.backward(g);
    benchmark::DoNotOptimize(x.grad().data());
  }
}

// W5: one training step of an MLP 2-16-16-2 (tanh), cross-entropy, SGD lr 0.1, batch 32.
void w5_step(benchmark::State& state) {
  xgrad::Generator gen(0);
  xgrad::Sequential<float> model;
  model.add<xgrad::Dense<float>>(2, 16, "tanh", true, xgrad::Initializer::glorot_uniform, gen);
  model.add<xgrad::Dense<float>>(16, 16, "tanh", true, xgrad::Initializer::glorot_uniform, gen);
  model.add<xgrad::Dense<float>>(16, 2, "linear", true, xgrad::Initializer::glorot_uniform, gen);
  xgrad::SGD<float> optimizer(model.parameters(), bench::kW5LearningRate);
  const std::vector<float> xs = bench::uniform_vector(6, bench::kW5Batch * 2, -1, 1);
  const std::vector<std::int64_t> labels = bench::w5_labels(xs);
  const V x(tensor(xs, {bench::kW5Batch, 2}));
  for (auto _ : state) {
    optimizer.zero_grad();
    V loss = xgrad::cross_entropy(model(x), labels);
    loss.backward();
    optimizer.step();
    benchmark::DoNotOptimize(loss.value().data());
  }
}

}  // namespace

int main(int argc, char** argv) {
  for (const Activation& act : activations()) {
    benchmark::RegisterBenchmark(("W1/" + act.name + "/forward").c_str(), w1_forward, act)
        ->Unit(benchmark::kMillisecond)->UseRealTime();
    benchmark::RegisterBenchmark(("W1/" + act.name + "/forward_backward").c_str(), w1_forward_backward, act)
        ->Unit(benchmark::kMillisecond)->UseRealTime();
  }
  benchmark::RegisterBenchmark("W1/copy", w1_copy)->Unit(benchmark::kMillisecond)->UseRealTime();
  benchmark::RegisterBenchmark("W4/dense_784_256/forward_backward", w4_dense)->Unit(benchmark::kMicrosecond)->UseRealTime();
  benchmark::RegisterBenchmark("W5/mlp_step", w5_step)->Unit(benchmark::kMicrosecond)->UseRealTime();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
