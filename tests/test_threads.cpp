// Intra-op threads: results bit-identical for 1, 2 and 3 threads (elementwise
// kernels, reductions, products, a whole training step), training from a seed
// reproduces, and two models train at once on two std::threads exactly as alone.
#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "xgrad/autograd/autograd.hpp"
#include "xgrad/core/kernels.hpp"
#include "xgrad/core/parallel.hpp"
#include "xgrad/layers/layers.hpp"
#include "xgrad/train/train.hpp"

using namespace xgrad;

namespace {

/// Runs f with n threads, then restores the previous count.
template <class F>
auto with_threads(int n, F&& f) {
  const int before = get_num_threads();
  set_num_threads(n);
  auto result = f();
  set_num_threads(before);
  return result;
}

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

template <class T>
std::vector<T> flat(const Tensor<T>& t) { return std::vector<T>(t.begin(), t.end()); }

/// Every float of every result, the same for each thread count.
template <class F>
void check_thread_independent(F&& f) {
  const auto one = with_threads(1, f);
  CHECK(same_bits(one, with_threads(2, f)));
  CHECK(same_bits(one, with_threads(3, f)));
}

std::vector<double> kernel_results() {
  Generator gen(5);
  const std::size_t n = 300001;  // above every grain, and not a multiple of any vector width
  const Tensor<float> x = gen.normal_tensor<float>({n}, 0.0, 3.0), g = gen.normal_tensor<float>({n});
  std::vector<float> y(n), dx(n, 0.5f);
  std::vector<double> out;
  auto keep = [&](const std::vector<float>& v) { out.insert(out.end(), v.begin(), v.end()); };
  for (Act f : {Act::relu, Act::sigmoid, Act::tanh, Act::gelu, Act::gelu_tanh, Act::elu, Act::leaky_relu, Act::mish}) {
    ActivationParams p;
    p.v[0] = activation_info(f).param_count ? 0.1 : 0.0;
    if (f == Act::elu) p.v[0] = 1.0;
    kernels::activation_forward<float>(f, x.data(), y.data(), n, p);
    keep(y);
    kernels::activation_backward<float>(f, x.data(), g.data(), dx.data(), n, true, p);
    keep(dx);
  }
  // float64 activations (scalar path), softmax rows, the PReLU slope sums, row sums.
  const Tensor<double> xd = gen.normal_tensor<double>({50001}), gd = gen.normal_tensor<double>({50001});
  std::vector<double> yd(50001), dxd(50001);
  kernels::activation_forward<double>(Act::tanh, xd.data(), yd.data(), yd.size(), {});
  kernels::activation_backward<double>(Act::silu, xd.data(), gd.data(), dxd.data(), dxd.size(), false, {});
  out.insert(out.end(), yd.begin(), yd.end());
  out.insert(out.end(), dxd.begin(), dxd.end());
  const std::size_t rows = 2999, cols = 100;
  kernels::log_softmax_rows(x.data(), y.data(), rows, cols);
  kernels::log_softmax_backward_rows(y.data(), g.data(), dx.data(), rows, cols, false);
  keep(dx);
  kernels::softmax_rows(x.data(), y.data(), rows, cols);
  kernels::softmax_backward_rows(y.data(), g.data(), dx.data(), rows, cols, true);
  keep(dx);
  out.push_back(kernels::prelu_backward(x.data(), g.data(), dx.data(), n, 0.25f, false));
  keep(dx);
  std::vector<float> alpha(50, 0.1f);
  std::vector<double> dalpha(50, 1.0);
  kernels::prelu_rows_forward(x.data(), alpha.data(), y.data(), 6000, 50);
  keep(y);
  kernels::prelu_rows_backward(x.data(), g.data(), alpha.data(), dx.data(), dalpha.data(), 6000, 50, false);
  keep(dx);
  out.insert(out.end(), dalpha.begin(), dalpha.end());
  std::vector<float> sums(37, 2.f);
  sum_rows(x.data(), 8000, 37, sums.data(), true);
  keep(sums);
  const Tensor<float> wide = gen.normal_tensor<float>({4000, 3, 20});
  keep(flat(sum_to_shape(wide, {1, 20})));
  keep(flat(sum_to_shape(wide, {3, 20})));
  return out;
}

/// A model and a batch large enough for every parallel path: products split
/// by rows (batch 192: 192 x 64 x 128 multiply-adds) and BLAS products
/// (batch 1024), gelu / tanh / per-feature PReLU / softmax rows.
struct Setup {
  Sequential<float> model;
  Tensor<float> x;
  std::vector<std::int64_t> labels;
};

Setup make_setup(std::uint64_t seed, std::size_t batch) {
  Generator gen(seed);
  Setup s;
  s.model.add(std::make_shared<Dense<float>>(64, 128, ActivationSpec{Act::gelu}, true, Initializer::glorot_uniform, gen));
  s.model.add(std::make_shared<PReLU<float>>(128));
  s.model.add(std::make_shared<Dense<float>>(128, 128, ActivationSpec{Act::tanh}, true, Initializer::glorot_uniform, gen));
  s.model.add(std::make_shared<Dense<float>>(128, 10, ActivationSpec{}, true, Initializer::glorot_uniform, gen));
  s.x = gen.normal_tensor<float>({batch, 64});
  for (std::size_t i = 0; i < batch; ++i) s.labels.push_back(gen.integer(0, 10));
  return s;
}

/// The loss, the gradients and the weights after `steps` Adam steps, as one list of numbers.
std::vector<float> train_steps(std::uint64_t seed, std::size_t batch, int steps) {
  Setup s = make_setup(seed, batch);
  Adam<float> opt(s.model.parameters(), 0.01);
  std::vector<float> out;
  for (int i = 0; i < steps; ++i) {
    opt.zero_grad();
    Variable<float> loss = cross_entropy(s.model(Variable<float>(s.x)), s.labels);
    loss.backward();
    out.push_back(loss.item());
    for (auto& p : s.model.parameters()) {
      const auto g = flat(p.grad());
      out.insert(out.end(), g.begin(), g.end());
    }
    opt.step();
  }
  for (auto& p : s.model.parameters()) {
    const auto w = flat(p.value());
    out.insert(out.end(), w.begin(), w.end());
  }
  return out;
}

/// Optimizer updates on a parameter large enough to be split.
std::vector<double> optimizer_results() {
  Generator gen(11);
  std::vector<double> out;
  auto run = [&](auto make) {
    Variable<float> p(gen.normal_tensor<float>({400000}), true);
    auto opt = make(p);
    for (int i = 0; i < 2; ++i) {
      (sum(p * p * p)).backward();
      opt->step();
      opt->zero_grad();
    }
    out.insert(out.end(), p.value().begin(), p.value().end());
  };
  run([](Variable<float>& p) { return std::make_unique<SGD<float>>(std::vector<Variable<float>>{p}, 0.01, 0.9); });
  run([](Variable<float>& p) { return std::make_unique<Adam<float>>(std::vector<Variable<float>>{p}, 0.01); });
  run([](Variable<float>& p) { return std::make_unique<AdamW<float>>(std::vector<Variable<float>>{p}, 0.01); });
  run([](Variable<float>& p) { return std::make_unique<RMSprop<float>>(std::vector<Variable<float>>{p}, 0.01); });
  return out;
}

/// Each loss's value and gradients (prediction and target) on a batch above every grain and reduction chunk.
template <class T>
std::vector<double> loss_results() {
  Generator gen(13);
  const std::size_t rows = 30001, width = 10, classes = 37, ce_rows = 5001;
  const Tensor<T> pred = gen.normal_tensor<T>({rows, width}, 0.0, 2.0), target = gen.normal_tensor<T>({rows, width});
  const Tensor<T> unit = gen.uniform_tensor<T>({rows, width}, 0.001, 0.999), labels01 = gen.uniform_tensor<T>({rows, width}, 0, 1);
  const Tensor<T> logits = gen.normal_tensor<T>({ce_rows, classes}, 0.0, 3.0);
  std::vector<std::int64_t> labels;
  for (std::size_t i = 0; i < ce_rows; ++i) labels.push_back(gen.integer(0, static_cast<std::int64_t>(classes)));
  std::vector<double> weights, ce_weights;
  for (std::size_t i = 0; i < rows; ++i) weights.push_back(0.5 + double(i % 7) / 4);
  for (std::size_t i = 0; i < ce_rows; ++i) ce_weights.push_back(0.25 + double(i % 5) / 3);
  std::vector<double> out;
  auto run = [&](const Tensor<T>& a, const Tensor<T>& b, auto loss) {
    Variable<T> p(a, true), t(b, true);
    Variable<T> l = loss(p, t);
    l.backward();
    out.push_back(double(l.item()));
    out.insert(out.end(), p.grad().begin(), p.grad().end());
    out.insert(out.end(), t.grad().begin(), t.grad().end());
  };
  run(pred, target, [](auto& p, auto& t) { return mse(p, t); });
  run(pred, target, [&](auto& p, auto& t) { return mse(p, t, weights); });
  run(pred, target, [](auto& p, auto& t) { return l1_loss(p, t); });
  run(pred, target, [&](auto& p, auto& t) { return smooth_l1_loss(p, t, 0.5, weights); });
  run(pred, target, [](auto& p, auto& t) { return huber_loss(p, t, 0.7); });
  run(pred, labels01, [](auto& p, auto& t) { return binary_cross_entropy_with_logits(p, t); });
  run(pred, labels01, [&](auto& p, auto& t) { return binary_cross_entropy_with_logits(p, t, weights); });
  run(unit, labels01, [](auto& p, auto& t) { return binary_cross_entropy(p, t); });
  auto ce = [&](double smoothing, const std::vector<double>& w) {
    Variable<T> x(logits, true);
    Variable<T> l = cross_entropy(x, labels, smoothing, w);
    l.backward();
    out.push_back(double(l.item()));
    out.insert(out.end(), x.grad().begin(), x.grad().end());
  };
  ce(0.0, {});
  ce(0.1, {});
  ce(0.0, ce_weights);
  // clip_grad_norm: the norm and the clipped gradients of two parameters
  Variable<T> a(gen.normal_tensor<T>({200001}), true), b(gen.normal_tensor<T>({70001}), true);
  (sum(a * a * a) + sum(b * b)).backward();
  out.push_back(clip_grad_norm(std::vector<Variable<T>>{a, b}, 1.0));
  out.insert(out.end(), a.grad().begin(), a.grad().end());
  out.insert(out.end(), b.grad().begin(), b.grad().end());
  clip_grad_value(std::vector<Variable<T>>{a, b}, 1e-3);
  out.insert(out.end(), a.grad().begin(), a.grad().end());
  return out;
}

}  // namespace

TEST_CASE("threads: losses and gradient clipping are bit-identical for 1, 2 and 3 threads") {
  check_thread_independent(loss_results<float>);
  check_thread_independent(loss_results<double>);
}

TEST_CASE("threads: the thread count is a setting, checked") {
  CHECK(get_num_threads() >= 1);
  const int before = get_num_threads();
  set_num_threads(3);
  CHECK(get_num_threads() == 3);
  set_num_threads(before);
  CHECK_THROWS_WITH_AS(set_num_threads(0), doctest::Contains("set_num_threads: the thread count must be >= 1, got 0"),
                       std::invalid_argument);
  CHECK(parallel::threads_for(10, parallel::kGrainCheap) == 1);  // small work stays on this thread
}

TEST_CASE("threads: kernels and reductions are bit-identical for 1, 2 and 3 threads") {
  check_thread_independent(kernel_results);
}

TEST_CASE("threads: optimizer updates are bit-identical for 1, 2 and 3 threads") {
  check_thread_independent(optimizer_results);
}

TEST_CASE("threads: a training step is bit-identical for 1, 2 and 3 threads") {
  SUBCASE("products split by rows (batch 192)") { check_thread_independent([] { return train_steps(3, 192, 2); }); }
  SUBCASE("BLAS products (batch 1024)") { check_thread_independent([] { return train_steps(4, 1024, 2); }); }
}

TEST_CASE("threads: training from a seed reproduces") {
  const auto a = train_steps(8, 192, 3);
  CHECK(same_bits(a, train_steps(8, 192, 3)));
  CHECK(!same_bits(a, train_steps(9, 192, 3)));
}

TEST_CASE("threads: two models train at once on two std::threads as each alone") {
  const auto alone_a = train_steps(21, 192, 3), alone_b = train_steps(22, 1024, 2);
  std::vector<float> together_a, together_b;
  std::thread ta([&] { together_a = train_steps(21, 192, 3); });
  std::thread tb([&] { together_b = train_steps(22, 1024, 2); });
  ta.join();
  tb.join();
  CHECK(same_bits(alone_a, together_a));
  CHECK(same_bits(alone_b, together_b));
}
