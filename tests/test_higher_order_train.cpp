// Second derivatives through the losses and the layers: gradcheck and
// gradgradcheck of each, and a gradient penalty trained end to end.
#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <vector>

#include <xgrad.hpp>

using namespace xgrad;
using V = Variable<double>;
using Inputs = std::vector<V>;

namespace {
struct Case {
  std::string name;
  GradcheckFunction f;
  Inputs inputs;
};

V input(const Shape& shape, Generator& gen, double low = -2, double high = 2, bool requires = true) {
  return V(gen.uniform_tensor<double>(shape, low, high), requires);
}

void check_both(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    CAPTURE(c.name);
    GradcheckResult r1 = gradcheck(c.f, c.inputs);
    CHECK_MESSAGE(r1.passed, c.name << ": " << r1.message);
    GradcheckResult r2 = gradgradcheck(c.f, c.inputs);
    CHECK_MESSAGE(r2.passed, c.name << ": " << r2.message);
  }
}
}  // namespace

TEST_CASE("gradgradcheck of every loss (float64), with sample weights and label smoothing") {
  Generator gen(4);
  const std::vector<std::int64_t> labels{2, 0, 1};
  const SampleWeight w{0.5, 2.0, 1.0};
  const V t01 = V(gen.uniform_tensor<double>({3, 2}, 0.1, 0.9), true);
  // The elementwise losses away from their kinks: |p - t| far from 0 and from beta / delta.
  Tensor<double> p_far{{0.3, -2.2}, {2.4, -0.35}, {-1.6, 0.45}};
  Tensor<double> t_zero = xt::zeros<double>({3, 2});
  std::vector<Case> cases{
      {"mse", [](const Inputs& v) { return mse(v[0], v[1]); }, {input({3, 2}, gen), input({3, 2}, gen)}},
      {"mse [n] vs [n, 1]", [](const Inputs& v) { return mse(v[0], v[1]); }, {input({3, 1}, gen), input({3}, gen)}},
      {"mse weighted", [w](const Inputs& v) { return mse(v[0], v[1], w); }, {input({3, 2}, gen), input({3, 2}, gen)}},
      {"l1", [](const Inputs& v) { return l1_loss(v[0] * v[0], v[1]); }, {V(p_far, true), V(t_zero, true)}},
      {"smooth_l1", [](const Inputs& v) { return smooth_l1_loss(v[0], v[1], 1.0); }, {V(p_far, true), V(t_zero, true)}},
      {"huber weighted", [w](const Inputs& v) { return huber_loss(v[0], v[1], 1.0, w); }, {V(p_far, true), V(t_zero, true)}},
      {"bce with logits", [](const Inputs& v) { return binary_cross_entropy_with_logits(v[0], v[1]); },
       {input({3, 2}, gen), t01}},
      {"bce with logits weighted", [w](const Inputs& v) { return binary_cross_entropy_with_logits(v[0], v[1], w); },
       {input({3, 2}, gen), t01}},
      {"bce", [](const Inputs& v) { return binary_cross_entropy(v[0], v[1]); },
       {V(gen.uniform_tensor<double>({3, 2}, 0.2, 0.8), true), t01}},
      {"cross_entropy", [labels](const Inputs& v) { return cross_entropy(v[0], labels); }, {input({3, 4}, gen)}},
      {"cross_entropy smoothing + weights", [labels, w](const Inputs& v) { return cross_entropy(v[0], labels, 0.1, w); },
       {input({3, 4}, gen)}},
      {"nll of log_softmax", [labels](const Inputs& v) { return nll_loss(log_softmax(v[0]), labels); }, {input({3, 4}, gen)}},
      {"nll weighted", [labels, w](const Inputs& v) { return nll_loss(v[0] * v[0], labels, w); }, {input({3, 4}, gen)}},
  };
  check_both(cases);
}

TEST_CASE("a third derivative through an elementwise loss's f'' is a clear error") {
  V p(Tensor<double>({0.5, -2.0}), true), t(Tensor<double>({0.0, 0.0}));
  const V g = grad({huber_loss(p, t)}, {p}, {}, true)[0];
  const V h = grad({sum(g)}, {p}, {}, false, true)[0];  // huber'' = 1 inside delta, 0 outside, / n
  CHECK(h.value()(0) == 0.5);
  CHECK(h.value()(1) == 0.0);
  CHECK_THROWS_WITH_AS(grad({sum(g)}, {p}, {}, true), doctest::Contains("op 'loss_derivative' has no differentiable"),
                       std::logic_error);
}

TEST_CASE("cross_entropy's float32 kernel path has the differentiable rule too") {
  Variable<float> x(Tensor<float>({{0.5f, -1.0f, 2.0f}, {0.1f, 0.2f, -0.3f}}), true);
  const Variable<float> g = grad({cross_entropy(x, {2, 0})}, {x}, {}, true)[0];
  const Variable<float> h = grad({sum(g * g)}, {x})[0];  // d/dx |softmax - onehot|^2 / B^2
  Variable<double> xd(Tensor<double>({{0.5, -1.0, 2.0}, {0.1, 0.2, -0.3}}), true);
  const V gd = grad({cross_entropy(xd, {2, 0})}, {xd}, {}, true)[0];
  const V hd = grad({sum(gd * gd)}, {xd})[0];
  for (std::size_t i = 0; i < 6; ++i) CHECK(h.value().data()[i] == doctest::Approx(hd.value().data()[i]).epsilon(1e-5));
}

TEST_CASE("gradgradcheck of the layers: Dense, PReLU, BatchNorm1d (train and eval), LayerNorm, Dropout") {
  Generator gen(6);
  auto dense = std::make_shared<Dense<double>>(3, 2, "tanh", true, Initializer::glorot_uniform, gen);
  auto prelu_layer = std::make_shared<PReLU<double>>(3, 0.2);
  auto bn = std::make_shared<BatchNorm1d<double>>(3);
  auto bn_eval = std::make_shared<BatchNorm1d<double>>(3);
  bn_eval->eval();
  auto ln = std::make_shared<LayerNorm<double>>(3);
  auto with = [](Inputs in, const std::vector<V>& params) {
    in.insert(in.end(), params.begin(), params.end());
    return in;
  };
  const Tensor<double> away{{0.5, -1.2, 2.0}, {-0.7, 1.1, -0.3}, {1.5, 0.4, -2.1}, {-0.2, -0.9, 0.8}};
  std::vector<Case> cases{
      {"Dense tanh", [dense](const Inputs& v) { return dense->forward(v[0]); }, with({input({4, 3}, gen)}, dense->parameters())},
      {"PReLU", [prelu_layer](const Inputs& v) { return prelu_layer->forward(v[0]) * v[0]; },
       with({V(away, true)}, prelu_layer->parameters())},
      {"BatchNorm1d train", [bn](const Inputs& v) { return bn->forward(v[0]) * v[0]; }, with({input({4, 3}, gen)}, bn->parameters())},
      {"BatchNorm1d eval", [bn_eval](const Inputs& v) { return bn_eval->forward(v[0] * v[0]); },
       with({input({4, 3}, gen)}, bn_eval->parameters())},
      {"LayerNorm", [ln](const Inputs& v) { return ln->forward(v[0]) * v[0]; }, with({input({4, 3}, gen)}, ln->parameters())},
      {"Dropout", [](const Inputs& v) {
         Generator g(3);  // the same mask at every call
         Dropout<double> drop(0.4, g);
         return drop.forward(v[0] * v[0]);
       }, {input({4, 3}, gen)}},
  };
  check_both(cases);
}

TEST_CASE("a gradient penalty (input-gradient regulariser) trains through double backward") {
  Generator gen(1);
  Sequential<double> model;
  model.add<Dense<double>>(2, 8, "silu", true, Initializer::glorot_uniform, gen).add<Dense<double>>(8, 1);
  Adam<double> opt(model.parameters(), 1e-2);
  const V x(gen.uniform_tensor<double>({16, 2}, -1, 1), true);
  double first = 0, last = 0;
  for (int step = 0; step < 60; ++step) {
    const V y = model.forward(x);
    const V gx = grad({sum(y)}, {x}, {}, true)[0];
    V penalty = mean((sum(gx * gx, 1) - 1.0) * (sum(gx * gx, 1) - 1.0));  // WGAN-GP's |grad| = 1
    opt.zero_grad();
    penalty.backward();
    opt.step();
    (step == 0 ? first : last) = penalty.item();
  }
  CHECK(last < 0.1 * first);
}
