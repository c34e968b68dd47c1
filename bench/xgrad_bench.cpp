// xgrad's side of the benchmark suite (W1, W4, W5) on Google Benchmark.
// The workloads are defined in workloads.hpp; bench/compare runs this with
// --benchmark_format=json and reports the median of the repetitions.
// Names: W1/<activation>/forward, W1/<activation>/forward_backward, W1/copy,
//        W1f64/<activation>/forward, W1f64/<activation>/forward_backward (the
//        elementwise activations on the same values in float64),
//        W4/dense_784_256/forward_backward, W5/mlp_step, W8/... (xgrad_w8.cpp).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include <xgrad.hpp>
#include <xgrad/core/kernels.hpp>

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

/// The parameters of a W1 row: the defaults; a required one (threshold's) 0.
xgrad::ActivationParams w1_params(const xgrad::ActivationInfo& a) {
  xgrad::ActivationParams p = xgrad::default_params(a.id);
  for (std::size_t i = 0; i < a.param_count; ++i)
    if (a.params[i].required()) p.v[i] = 0.0;
  return p;
}

/// A W1 row: every activation of the catalogue with its benchmark parameters
/// (w1_params), plus prelu with one alpha per feature.
struct Activation {
  std::string name;
  std::function<V(const V& x, const V& alpha)> f;
  bool per_feature_alpha = false;
};

const std::vector<Activation>& activations() {
  static const std::vector<Activation> list = [] {
    std::vector<Activation> out;
    for (const xgrad::ActivationInfo& a : xgrad::activation_catalogue()) {
      if (a.id == xgrad::Act::linear) continue;  // the identity: no work
      const xgrad::Act id = a.id;
      const xgrad::ActivationParams p = w1_params(a);
      if (a.learnable)
        out.push_back({a.name, [](const V& x, const V& alpha) { return xgrad::prelu(x, alpha); }});
      else if (a.shape == xgrad::ActivationShape::elementwise)
        out.push_back({a.name, [id, p](const V& x, const V&) { return xgrad::activation(x, id, p); }});
      else
        out.push_back({a.name, [id](const V& x, const V&) { return xgrad::axis_activation(x, id, 1); }});
    }
    out.push_back({"prelu_features", [](const V& x, const V& alpha) { return xgrad::prelu(x, alpha); }, true});
    return out;
  }();
  return list;
}

V prelu_alpha(const Activation& act, bool requires_grad) {
  const std::size_t n = act.per_feature_alpha ? bench::kW1Cols : 1;
  return V(Tensor<float>(xt::full_like(Tensor<float>::from_shape({n}), 0.25f)), requires_grad);
}

/// --list-activations: the W1 rows as JSON (name, the PyTorch expression and its
/// parameters; float64: true where a W1f64 row exists), which bench/torch_bench.py
/// evaluates for PyTorch's side.
void list_activations() {
  std::printf("[");
  bool first = true;
  for (const xgrad::ActivationInfo& a : xgrad::activation_catalogue()) {
    if (a.id == xgrad::Act::linear) continue;
    const xgrad::ActivationParams p = w1_params(a);
    std::printf("%s\n {\"name\": \"%s\", \"torch\": \"%s\", \"params\": {", first ? "" : ",", a.name, a.torch);
    for (std::size_t i = 0; i < a.param_count; ++i)
      std::printf("%s\"%s\": %.17g", i ? ", " : "", a.params[i].name, p[i]);
    std::printf("}%s}", a.shape == xgrad::ActivationShape::elementwise && !a.learnable ? ", \"float64\": true" : "");
    first = false;
  }
  std::printf(",\n {\"name\": \"prelu_features\", \"torch\": \"torch.nn.functional.prelu(x, alpha)\", \"params\": {}, "
              "\"per_feature_alpha\": true}\n]\n");
}

// y = f(x) without a graph (inference), x requires no grad. y lives across
// iterations, as `y = f(x)` in a Python loop: the old output dies after the new one is made.
void w1_forward(benchmark::State& state, const Activation& act) {
  xgrad::NoGradGuard no_grad;
  const V x(w1_x());
  const V alpha = prelu_alpha(act, false);
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
  V alpha = prelu_alpha(act, true);
  // The upstream gradient has the output's shape (glu halves the rows): the leading part of w1_g.
  Tensor<float> g = w1_g();
  {
    const xgrad::Shape out = act.f(V(w1_x()), alpha).shape();
    if (out != xgrad::to_shape(g.shape())) {
      Tensor<float> part = Tensor<float>::from_shape(out);
      std::copy(g.data(), g.data() + part.size(), part.data());
      g = std::move(part);
    }
  }
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

// W1 in float64: the elementwise activations (prelu aside) on the same values as doubles.
struct Activation64 {
  std::string name;
  xgrad::Act id;
  xgrad::ActivationParams params;
};
using V64 = Variable<double>;

const Tensor<double>& w1_x64() {
  static const Tensor<double> t = Tensor<double>(xt::cast<double>(w1_x()));
  return t;
}
const Tensor<double>& w1_g64() {
  static const Tensor<double> t = Tensor<double>(xt::cast<double>(w1_g()));
  return t;
}

std::vector<Activation64> activations64() {
  std::vector<Activation64> out;
  for (const xgrad::ActivationInfo& a : xgrad::activation_catalogue())
    if (a.id != xgrad::Act::linear && !a.learnable && a.shape == xgrad::ActivationShape::elementwise)
      out.push_back({a.name, a.id, w1_params(a)});
  return out;
}

void w1_forward64(benchmark::State& state, const Activation64& act) {
  xgrad::NoGradGuard no_grad;
  const V64 x(w1_x64());
  V64 y;
  for (auto _ : state) {
    y = xgrad::activation(x, act.id, act.params);
    benchmark::DoNotOptimize(y.value().data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<long>(bench::kW1Elements));
}

void w1_forward_backward64(benchmark::State& state, const Activation64& act) {
  V64 x(w1_x64(), true);
  const Tensor<double>& g = w1_g64();
  V64 y;
  for (auto _ : state) {
    x.zero_grad();
    y = xgrad::activation(x, act.id, act.params);
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

void register_w8();  // xgrad_w8.cpp

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--list-activations") return list_activations(), 0;
  // XGRAD_BENCH_ISA=avx2 (or baseline) measures another kernel build than the widest this CPU runs.
  if (const char* isa = std::getenv("XGRAD_BENCH_ISA"); isa && !xgrad::kernels::use_isa(isa))
    return std::fprintf(stderr, "xgrad_bench: this CPU cannot run the %s kernels\n", isa), 2;
  for (const Activation& act : activations()) {
    benchmark::RegisterBenchmark(("W1/" + act.name + "/forward").c_str(), w1_forward, act)
        ->Unit(benchmark::kMillisecond)->UseRealTime();
    benchmark::RegisterBenchmark(("W1/" + act.name + "/forward_backward").c_str(), w1_forward_backward, act)
        ->Unit(benchmark::kMillisecond)->UseRealTime();
  }
  for (const Activation64& act : activations64()) {
    benchmark::RegisterBenchmark(("W1f64/" + act.name + "/forward").c_str(), w1_forward64, act)
        ->Unit(benchmark::kMillisecond)->UseRealTime();
    benchmark::RegisterBenchmark(("W1f64/" + act.name + "/forward_backward").c_str(), w1_forward_backward64, act)
        ->Unit(benchmark::kMillisecond)->UseRealTime();
  }
  benchmark::RegisterBenchmark("W1/copy", w1_copy)->Unit(benchmark::kMillisecond)->UseRealTime();
  benchmark::RegisterBenchmark("W4/dense_784_256/forward_backward", w4_dense)->Unit(benchmark::kMicrosecond)->UseRealTime();
  benchmark::RegisterBenchmark("W5/mlp_step", w5_step)->Unit(benchmark::kMicrosecond)->UseRealTime();
  register_w8();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
