// The autograd engine: accumulation, order, release, deep graphs, no-grad, errors.
#include <doctest/doctest.h>

#include <string>

#include "xgrad/autograd/autograd.hpp"

using namespace xgrad;
using V = Variable<double>;

namespace {
V scalar_leaf(double v) { return V(Tensor<double>(v), true); }
bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("fan-out: a variable used twice gets the sum of both gradients") {
  V x = scalar_leaf(3.0);
  V y = x * x + x;  // dy/dx = 2x + 1
  y.backward();
  CHECK(x.grad()() == doctest::Approx(7.0));
}

TEST_CASE("diamond graph: every path is counted once, in dependency order") {
  V x = scalar_leaf(2.0);
  V a = x * 2.0;      // 4
  V b = a * 3.0;      // 12
  V c = a + b;        // 16 = 8x
  V d = c * c;        // 64 x^2 -> dd/dx = 128 x
  d.backward();
  CHECK(d.item() == doctest::Approx(256.0));
  CHECK(x.grad()() == doctest::Approx(256.0));
}

TEST_CASE("leaf gradients accumulate across backward calls until zero_grad") {
  V x = scalar_leaf(1.5);
  (x * 4.0).backward();
  (x * 4.0).backward();
  CHECK(x.grad()() == doctest::Approx(8.0));
  x.zero_grad();
  CHECK_FALSE(x.has_grad());
  CHECK(x.grad()() == 0.0);
  (x * 4.0).backward();
  CHECK(x.grad()() == doctest::Approx(4.0));
}

TEST_CASE("the graph is released after backward unless retained") {
  V x = scalar_leaf(2.0);
  SUBCASE("released: a second backward is a clear error") {
    V y = x * x;
    y.backward();
    CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("already freed"), std::logic_error);
    CHECK(y.node()->inputs.empty());
  }
  SUBCASE("retained: a second backward accumulates again, without double counting intermediates") {
    V h = x * x;
    V y = h * 3.0;
    y.backward(true);
    y.backward();
    CHECK(x.grad()() == doctest::Approx(24.0));  // 2 * (6x)
  }
  SUBCASE("using a released intermediate in a new graph is an error at its backward") {
    V h = x * x;
    V y = h * 3.0;
    y.backward();
    V z = h * 2.0;
    CHECK_THROWS_AS(z.backward(), std::logic_error);
  }
}

TEST_CASE("backward frees every intermediate node (no ownership cycles)") {
  const long before = live_node_count();
  {
    V x(Tensor<double>{1.0, 2.0, 3.0}, true);
    V w(Tensor<double>{0.5, -1.0, 2.0}, true);
    V loss = sum(tanh(x * w + 1.0) * sigmoid(x));
    CHECK(live_node_count() > before + 6);
    loss.backward();
    // Left alive: x, w and loss itself.
    CHECK(live_node_count() == before + 3);
  }
  CHECK(live_node_count() == before);
}

TEST_CASE("a graph dropped without backward is freed too") {
  const long before = live_node_count();
  {
    V x = scalar_leaf(1.0);
    V y = exp(x) * x + x;
    (void)y;
  }
  CHECK(live_node_count() == before);
}

TEST_CASE("a chain of 1,000,000 ops: backward and teardown without stack overflow") {
  const long before = live_node_count();
  {
    V x = scalar_leaf(0.5);
    V y = x;
    for (int i = 0; i < 1000000; ++i) y = y + 1e-6;
    CHECK(y.item() == doctest::Approx(1.5));
    y.backward();
    CHECK(x.grad()() == 1.0);
  }
  CHECK(live_node_count() == before);
  {
    V x = scalar_leaf(0.5);
    V y = x;
    for (int i = 0; i < 1000000; ++i) y = y * 1.0;
  }  // teardown of the unreleased chain
  CHECK(live_node_count() == before);
}

TEST_CASE("NoGradGuard records nothing and restores the previous mode") {
  V x = scalar_leaf(1.0);
  {
    NoGradGuard guard;
    CHECK_FALSE(grad_enabled());
    V y = x * 2.0;
    CHECK_FALSE(y.requires_grad());
    CHECK(y.node()->inputs.empty());
    {
      NoGradGuard nested;
    }
    CHECK_FALSE(grad_enabled());
  }
  CHECK(grad_enabled());
  CHECK((x * 2.0).requires_grad());
}

TEST_CASE("error cases of backward") {
  V x(Tensor<double>{1.0, 2.0}, true);
  V y = x * 3.0;
  CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("[2]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(y.backward(Tensor<double>{1.0, 1.0, 1.0}), doctest::Contains("[3]"), std::invalid_argument);
  V c(Tensor<double>(1.0));
  CHECK_THROWS_WITH_AS((c * 2.0).backward(), doctest::Contains("does not require grad"), std::logic_error);
  CHECK_THROWS_AS(x.item(), std::invalid_argument);
  y.backward(Tensor<double>{1.0, 10.0});
  CHECK(x.grad()(0) == 3.0);
  CHECK(x.grad()(1) == 30.0);
}

TEST_CASE("detach cuts the graph") {
  V x = scalar_leaf(2.0);
  V y = (x * x).detach() * x;  // d/dx = 4 (the detached x^2 is a constant)
  y.backward();
  CHECK(x.grad()() == 4.0);
}

TEST_CASE("gradcheck catches a wrong backward") {
  auto wrong_square = [](const std::vector<V>& in) {
    Tensor<double> out = in[0].value() * in[0].value();
    return V::make_result(std::move(out), "wrong_square", {in[0]}, [](Node<double>& self) {
      detail::accumulate_grad(*self.inputs[0], Tensor<double>(self.incoming_grad() * self.inputs[0]->value));  // misses the 2
    });
  };
  GradcheckResult r = gradcheck(wrong_square, {V(Tensor<double>{1.0, -2.0}, true)});
  CHECK_FALSE(r.passed);
  CHECK(contains(r.message, "analytic"));
  GradcheckResult ok = gradcheck([](const std::vector<V>& in) { return in[0] * in[0]; },
                                 {V(Tensor<double>{1.0, -2.0}, true)});
  CHECK_MESSAGE(ok.passed, ok.message);
}
