// 100,000 training steps of a small MLP grow resident memory by at most 1 MiB
// after warm-up. Under AddressSanitizer (whose quarantine holds freed memory
// on purpose) the RSS bound does not apply; LeakSanitizer checks at exit instead.
#include <doctest/doctest.h>

#include <fstream>
#include <unistd.h>

#include "xgrad/autograd/autograd.hpp"
#include "xgrad/layers/layers.hpp"
#include "xgrad/train/train.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define XGRAD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XGRAD_ASAN 1
#endif
#endif

using namespace xgrad;

namespace {
long resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}
}  // namespace

TEST_CASE("training does not leak: 100,000 steps of an MLP 2-16-16-2") {
  Generator gen(17);
  Sequential<float> model;
  model.add(std::make_shared<Dense<float>>(2, 16, ActivationSpec{Act::tanh}, true, Initializer::glorot_uniform, gen));
  model.add(std::make_shared<Dense<float>>(16, 16, ActivationSpec{Act::tanh}, true, Initializer::glorot_uniform, gen));
  model.add(std::make_shared<Dense<float>>(16, 2, ActivationSpec{}, true, Initializer::glorot_uniform, gen));
  SGD<float> optimizer(model.parameters(), 0.1);
  const Tensor<float> x = gen.uniform_tensor<float>({32, 2}, -1, 1);
  std::vector<std::int64_t> labels(32);
  for (std::size_t i = 0; i < 32; ++i) labels[i] = x(i, 0) * x(i, 1) > 0;
  const long nodes_before = live_node_count();
  auto step = [&] {
    optimizer.zero_grad();
    Variable<float> loss = cross_entropy(model(Variable<float>(x)), labels);
    loss.backward();
    optimizer.step();
    return loss.item();
  };
#ifdef XGRAD_ASAN
  const int steps = 10000;
#else
  const int steps = 100000;
#endif
  for (int i = 0; i < 1000; ++i) step();  // warm-up
  const long after_warmup = resident_bytes();
  float last = 0;
  for (int i = 0; i < steps; ++i) last = step();
  const long growth = resident_bytes() - after_warmup;
  MESSAGE("resident memory growth over " << steps << " steps: " << growth << " bytes");
  CHECK(last < 0.7f);
  CHECK(live_node_count() == nodes_before);  // every graph node of every step was freed
#ifndef XGRAD_ASAN
  CHECK(growth <= 1024 * 1024);
#endif
}

TEST_CASE("double backward does not leak: 2,000 physics-informed steps (u'' by create_graph, then backward)") {
  Generator gen(3);
  Sequential<double> model;
  model.add(std::make_shared<Dense<double>>(1, 8, ActivationSpec{Act::tanh}, true, Initializer::glorot_uniform, gen));
  model.add(std::make_shared<Dense<double>>(8, 1, ActivationSpec{}, true, Initializer::glorot_uniform, gen));
  Adam<double> optimizer(model.parameters(), 1e-2);
  const Tensor<double> t_values = gen.uniform_tensor<double>({16, 1}, -1, 1);
  const Variable<double> ones(Tensor<double>(xt::ones<double>({16, 1})));
  const long nodes_before = live_node_count();
  auto step = [&] {
    Variable<double> t(t_values, true);
    Variable<double> u = model(t);
    Variable<double> du = grad({u}, {t}, {ones}, true)[0];
    Variable<double> d2u = grad({du}, {t}, {ones}, true)[0];
    Variable<double> loss = mean((d2u + u) * (d2u + u));
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
  };
  for (int i = 0; i < 200; ++i) step();  // warm-up
  const long after_warmup = resident_bytes();
  for (int i = 0; i < 2000; ++i) step();
  const long growth = resident_bytes() - after_warmup;
  MESSAGE("resident memory growth over 2000 double-backward steps: " << growth << " bytes");
  CHECK(live_node_count() == nodes_before);
#ifndef XGRAD_ASAN
  CHECK(growth <= 1024 * 1024);
#endif
}
