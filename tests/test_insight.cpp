// Seeing inside: to_dot (the autograd graph in DOT) and AnomalyMode (the first
// non-finite forward output or backward gradient, named).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "xgrad/autograd/autograd.hpp"
#include "xgrad/layers/layers.hpp"

using namespace xgrad;
using V = Variable<double>;

namespace {
bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}
}  // namespace

TEST_CASE("to_dot: one node per op with its name and shape, leaves by name, edges from inputs") {
  V w(Tensor<double>{1.0, 2.0, 3.0}, true);
  w.set_name("w");
  V x(Tensor<double>{4.0, 5.0, 6.0});
  V y = sum(mul(w, x) + x);
  const std::string dot = to_dot(y);
  CHECK(contains(dot, "digraph autograd {"));
  CHECK(contains(dot, "label=\"sum\\n[]\""));
  CHECK(contains(dot, "label=\"add\\n[3]\""));
  CHECK(contains(dot, "label=\"mul\\n[3]\""));
  CHECK(contains(dot, "label=\"w\\n[3]\""));
  CHECK(contains(dot, "label=\"input\\n[3]\""));
  CHECK(count(dot, "[label=") == 5);  // x is used twice but is one node
  CHECK(count(dot, " -> ") == 5);     // w, x -> mul; mul, x -> add; add -> sum
  CHECK_FALSE(contains(dot, "|grad|"));
}

TEST_CASE("to_dot after a retained backward shows every node's gradient norm") {
  V w(Tensor<double>{3.0, 4.0}, true);
  w.set_name("w");
  V h = w * 2.0;      // dy/dh = 1 per element: norm sqrt(2)
  V y = sum(h * h);   // dy/dw = 8 w = [24, 32]: norm 40
  y.backward(true);
  const std::string dot = to_dot(y);
  CHECK(contains(dot, "label=\"w\\n[2]\\n|grad| = 40\""));
  CHECK(contains(dot, "label=\"mul\\n[2]\\n|grad| = 20\""));  // dy/dh = 2h = [12, 16]
  CHECK(contains(dot, "label=\"sum\\n[]\\n|grad| = 1\""));
  y.backward(true);  // a second pass does not count the intermediate twice
  CHECK(contains(to_dot(y), "label=\"mul\\n[2]\\n|grad| = 20\""));
  CHECK(contains(to_dot(y), "label=\"w\\n[2]\\n|grad| = 80\""));  // leaves accumulate
}

TEST_CASE("Sequential names its parameters on the graph's leaves") {
  Generator gen(1);
  Sequential<double> model;
  model.add<Dense<double>>(4, 3, "relu", true, Initializer::he_uniform, gen);
  model.add<Dense<double>>(3, 2, ActivationSpec{}, true, Initializer::glorot_uniform, gen);
  for (auto& [name, p] : model.named_parameters()) CHECK(p.name() == name);
  V out = sum(model(V(xt::ones<double>({5, 4}))));
  const std::string dot = to_dot(out);
  for (const char* name : {"0.weight\\n[4, 3]", "0.bias\\n[3]", "1.weight\\n[3, 2]", "1.bias\\n[2]", "linear\\n[5, 3]",
                           "relu\\n[5, 3]", "linear\\n[5, 2]"})
    CHECK_MESSAGE(contains(dot, name), name);
}

TEST_CASE("AnomalyMode: off by default, scoped, and silent while everything is finite") {
  CHECK_FALSE(anomaly_mode_enabled());
  {
    AnomalyMode anomaly;
    CHECK(anomaly_mode_enabled());
    V x(Tensor<double>{1.0, 2.0}, true);
    V y = sum(log(x));
    y.backward();
    CHECK(x.grad()(1) == doctest::Approx(0.5));
  }
  CHECK_FALSE(anomaly_mode_enabled());
  V x(Tensor<double>{-1.0});
  CHECK(std::isnan(log(x).value()(0)));  // off: NaN flows on, as in PyTorch
}

TEST_CASE("AnomalyMode names the op, the shapes and the direction of the first non-finite value") {
  AnomalyMode anomaly;
  SUBCASE("forward") {
    V x(Tensor<double>{1.0, -2.0, 3.0}, true);
    CHECK_THROWS_WITH_AS(log(x), "anomaly detected in forward: op 'log' produced nan at element 1 of its output [3] "
                                 "(input shapes [3])", AnomalyError);
  }
  SUBCASE("backward") {
    V x(Tensor<double>{4.0, 0.0}, true);
    x.set_name("x");
    V y = sum(pow(x, 0.5));  // finite forward; d/dx = 0.5 / sqrt(x) is inf at 0
    CHECK(y.item() == doctest::Approx(2.0));
    CHECK_THROWS_WITH_AS(y.backward(), "anomaly detected in backward: op 'pow' produced inf at element 1 of the "
                                       "gradient for its input 0 ('x') (input shapes [2], output [2])", AnomalyError);
  }
}

TEST_CASE("AnomalyMode names the layer of a Sequential model") {
  Generator gen(3);
  Sequential<float> model;
  model.add<Dense<float>>(2, 3, "tanh", true, Initializer::glorot_uniform, gen);
  model.add<Dense<float>>(3, 1, ActivationSpec{}, true, Initializer::glorot_uniform, gen);
  AnomalyMode anomaly;
  SUBCASE("forward: a NaN weight in the second layer") {
    model.layers()[1]->named_parameters()[0].second.mutable_value()(1, 0) = std::numeric_limits<float>::quiet_NaN();
    CHECK_THROWS_WITH_AS(model(Variable<float>(xt::ones<float>({4, 2}))),
                         doctest::Contains("forward: op 'linear' in layer 1 (Dense) produced nan at element 0 of its "
                                           "output [4, 1] (input shapes [4, 3], [3, 1], [1])"),
                         AnomalyError);
  }
  SUBCASE("backward: a gradient that overflows float in a layer's weight") {
    Sequential<float> one;
    one.add<Dense<float>>(3, 1, ActivationSpec{}, true, Initializer::glorot_uniform, gen);
    Variable<float> out = one(Variable<float>(Tensor<float>{{1e30f, 1e30f, 1e30f}}));  // finite: |w| < 1
    CHECK(std::isfinite(out.item()));
    CHECK_THROWS_WITH_AS(out.backward(Tensor<float>(xt::ones<float>({1, 1}) * 1e30f)),  // dW = x^T g = 1e60 overflows
                         doctest::Contains("backward: op 'linear' in layer 0 (Dense) produced inf at element 0 of the "
                                           "gradient for its input 1 ('0.weight') (input shapes [1, 3], [3, 1], [1], "
                                           "output [1, 1])"),
                         AnomalyError);
  }
}
