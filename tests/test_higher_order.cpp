// Gradients of gradients: grad(), backward(create_graph), gradgradcheck on
// every op and every activation of the catalogue, third order, errors, leaks.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "xgrad/autograd/autograd.hpp"
#include "xgrad/core/activations.hpp"
#include "xgrad/core/kernels.hpp"
#include "xgrad/core/random.hpp"

using namespace xgrad;
using V = Variable<double>;
using Inputs = std::vector<V>;

namespace {
V scalar(double v, bool requires = true) { return V(Tensor<double>(v), requires); }

/// Uniform in [low, high], at least 0.05 away from each of `kinks`.
Tensor<double> away_from(const Shape& shape, Generator& gen, std::vector<double> kinks, double low = -3, double high = 3) {
  Tensor<double> t = gen.uniform_tensor<double>(shape, low, high);
  for (auto& v : t)
    for (int round = 0; round < 4; ++round)
      for (double k : kinks)
        if (std::fabs(v - k) < 0.05) v = v < k ? k - 0.05 - (k - v) : k + 0.05 + (v - k);
  return t;
}

struct OpCase {
  const char* name;
  std::function<V(const Inputs&)> f;
  std::vector<Shape> shapes;
  double low = -2, high = 2;
};
}  // namespace

TEST_CASE("grad: derivatives of x^3 to the third order, and of a product") {
  V x = scalar(1.5);
  V y = pow(x, 3.0);
  V d1 = grad({y}, {x}, {}, true)[0];
  CHECK(d1.item() == doctest::Approx(3 * 1.5 * 1.5));
  V d2 = grad({d1}, {x}, {}, true)[0];
  CHECK(d2.item() == doctest::Approx(6 * 1.5));
  V d3 = grad({d2}, {x})[0];
  CHECK(d3.item() == doctest::Approx(6.0));
  CHECK_FALSE(d3.requires_grad());  // without create_graph the gradient is a constant
  CHECK_FALSE(x.has_grad());         // grad() leaves .grad alone

  V a = scalar(2.0), b = scalar(-3.0);
  const Inputs g = grad({a * b * b}, {a, b}, {}, true);
  CHECK(g[0].item() == 9.0);
  CHECK(g[1].item() == -12.0);
  CHECK(grad({g[1]}, {a})[0].item() == -6.0);  // d2/(da db) of a b^2 = 2 b
}

TEST_CASE("grad: several outputs with grad_outputs, an intermediate input, unused inputs") {
  V x(Tensor<double>({1.0, 2.0, 3.0}), true);
  V h = x * x;
  V y = sum(h);
  V z = h * 2.0;
  const Inputs g = grad({y, z}, {x, h}, {scalar(1.0, false), V(Tensor<double>({1.0, 0.0, -1.0}))});
  // d/dh = 1 + 2 w; d/dx = 2 x (1 + 2 w)
  CHECK(g[1].value()(0) == 3.0);
  CHECK(g[1].value()(2) == -1.0);
  CHECK(g[0].value()(0) == 6.0);
  CHECK(g[0].value()(2) == -6.0);
  V unused = scalar(1.0);
  CHECK_THROWS_WITH_AS(grad({sum(x)}, {unused}), doctest::Contains("input 0 was not used"), std::invalid_argument);
  CHECK(grad({sum(x)}, {unused}, {}, false, std::nullopt, true)[0].item() == 0.0);
  CHECK_THROWS_AS(grad({sum(x)}, {scalar(1.0, false)}), std::invalid_argument);
  CHECK_THROWS_WITH_AS(grad({x * 2.0}, {x}), doctest::Contains("non-scalar"), std::invalid_argument);
  CHECK_THROWS_AS(grad({scalar(1.0, false)}, {x}), std::logic_error);
}

TEST_CASE("backward(create_graph): grad_graph() differentiates again and accumulates as PyTorch") {
  V x = scalar(2.0);
  V y = pow(x, 3.0);
  y.backward(false, true);
  CHECK(x.grad()() == 12.0);
  V g = x.grad_graph();
  CHECK(g.requires_grad());
  g.backward();  // x.grad = 3 x^2 + 6 x, as torch's x.grad.backward()
  CHECK(x.grad()() == 24.0);
  x.zero_grad();
  CHECK_FALSE(x.has_grad());
  CHECK_FALSE(x.grad_graph().requires_grad());
}

TEST_CASE("create_graph through an op without a differentiable rule is a clear error") {
  V x = scalar(1.0);
  V y = V::make_result(Tensor<double>(2.0), "custom_op", {x}, [](Node<double>& self) {
    detail::accumulate_grad_each(*self.inputs[0], [](std::size_t) { return 2.0; });
  });
  CHECK_THROWS_WITH_AS(grad({y}, {x}, {}, true), doctest::Contains("op 'custom_op' has no differentiable backward"),
                       std::logic_error);
  CHECK(grad({y}, {x})[0].item() == 2.0);  // the fast rule still works
}

TEST_CASE("gradgradcheck of every op") {
  Generator gen(11);
  const std::vector<std::int64_t> picks{2, 0, 2};
  std::vector<OpCase> cases{
      {"add broadcast", [](const Inputs& v) { return v[0] + v[1]; }, {{3, 4}, {4}}},
      {"sub broadcast", [](const Inputs& v) { return (v[0] - v[1]) * (v[0] - v[1]); }, {{3, 4}, {3, 1}}},
      {"mul broadcast", [](const Inputs& v) { return v[0] * v[1]; }, {{3, 4}, {4}}},
      {"mul scalar", [](const Inputs& v) { return v[0] * v[1] * v[0]; }, {{2, 3}, {}}},
      {"div broadcast", [](const Inputs& v) { return v[0] / v[1]; }, {{3, 4}, {4}}, 0.5, 2},
      {"neg", [](const Inputs& v) { return -(v[0] * v[0]); }, {{5}}},
      {"matmul", [](const Inputs& v) { return matmul(v[0], v[1]); }, {{3, 4}, {4, 2}}},
      {"matmul squared", [](const Inputs& v) { return matmul(v[0], v[0]); }, {{3, 3}}},
      {"matmul 1-D left", [](const Inputs& v) { return matmul(v[0], v[1]); }, {{4}, {4, 2}}},
      {"matmul 1-D right", [](const Inputs& v) { return matmul(v[0], v[1]); }, {{3, 4}, {4}}},
      {"linear", [](const Inputs& v) { return linear(v[0], v[1], &v[2]) * linear(v[0], v[1], &v[2]); }, {{3, 4}, {4, 2}, {2}}},
      {"linear no bias", [](const Inputs& v) { return linear(v[0] * v[0], v[1], static_cast<const V*>(nullptr)); }, {{3, 4}, {4, 2}}},
      {"transpose", [](const Inputs& v) { return transpose(v[0]) * transpose(v[0]); }, {{2, 3}}},
      {"reshape", [](const Inputs& v) { return reshape(v[0] * v[0], {3, 2}); }, {{2, 3}}},
      {"sum", [](const Inputs& v) { return sum(v[0] * v[0]); }, {{2, 3}}},
      {"sum axis", [](const Inputs& v) { return sum(v[0] * v[0], 0); }, {{2, 3}}},
      {"sum axis keepdims", [](const Inputs& v) { return sum(v[0] * v[0], -1, true); }, {{2, 3}}},
      {"mean", [](const Inputs& v) { return mean(v[0] * v[0]); }, {{2, 3}}},
      {"mean axis", [](const Inputs& v) { return mean(v[0] * v[0], 1); }, {{2, 3}}},
      {"exp", [](const Inputs& v) { return exp(v[0]); }, {{2, 3}}},
      {"log", [](const Inputs& v) { return log(v[0]); }, {{2, 3}}, 0.5, 3},
      {"pow 3", [](const Inputs& v) { return pow(v[0], 3.0); }, {{2, 3}}},
      {"pow -1.5", [](const Inputs& v) { return pow(v[0], -1.5); }, {{2, 3}}, 0.5, 3},
      {"sqrt", [](const Inputs& v) { return sqrt(v[0]); }, {{2, 3}}, 0.5, 3},
      {"abs", [](const Inputs& v) { return abs(v[0]) * v[0]; }, {{2, 3}}},
      {"clamp", [](const Inputs& v) { return clamp(v[0], -1.0, 1.0) * v[0]; }, {{2, 3}}},
      {"maximum", [](const Inputs& v) { return maximum(v[0], v[1]) * v[0]; }, {{2, 3}, {3}}},
      {"minimum", [](const Inputs& v) { return minimum(v[0], v[1]) * v[1]; }, {{2, 3}, {2, 3}}},
      {"concat", [](const Inputs& v) { return concat<double>({v[0] * v[0], v[1]}, 1); }, {{2, 3}, {2, 2}}},
      {"slice", [](const Inputs& v) { return slice(v[0] * v[0], 1, 1, 3); }, {{2, 4}}},
      {"index_select", [picks](const Inputs& v) { return index_select(v[0] * v[0], 0, picks); }, {{3, 2}}},
      {"broadcast_to", [](const Inputs& v) { return broadcast_to(v[0], {2, 3}) * broadcast_to(v[0], {2, 3}); }, {{3}}},
      {"sum_to_size", [](const Inputs& v) { return sum_to_size(v[0] * v[0], {1, 3}); }, {{2, 3}}},
  };
  for (const OpCase& c : cases) {
    CAPTURE(c.name);
    Inputs inputs;
    for (const Shape& s : c.shapes) {
      Tensor<double> t = away_from(s, gen, {0.0, -1.0, 1.0}, c.low, c.high);
      inputs.push_back(V(t, true));
    }
    GradcheckResult r1 = gradcheck(c.f, inputs);
    CHECK_MESSAGE(r1.passed, c.name << ": " << r1.message);
    GradcheckResult r2 = gradgradcheck(c.f, inputs);
    CHECK_MESSAGE(r2.passed, c.name << ": " << r2.message);
  }
}

TEST_CASE("gradgradcheck of every activation of the catalogue, prelu's alpha and rrelu in training") {
  Generator gen(5);
  std::size_t checked = 0;
  for (const ActivationInfo& a : activation_catalogue()) {
    CAPTURE(a.name);
    const Act id = a.id;
    bool required = false;
    for (std::size_t i = 0; i < a.param_count; ++i) required = required || a.params[i].required();
    const ActivationParams q = required ? ActivationParams{{0.5, -2.0}} : default_params(id);
    std::vector<double> kinks(a.kinks, a.kinks + a.kink_count);
    kinks.push_back(0.0);
    if (required) kinks.push_back(0.5);
    std::vector<std::function<V(const Inputs&)>> fns;
    if (a.shape == ActivationShape::elementwise) {
      fns.push_back([id, q](const Inputs& v) { return activation(v[0], id, q); });
    } else {
      fns.push_back([id](const Inputs& v) { return axis_activation(v[0], id, -1); });
      fns.push_back([id](const Inputs& v) { return axis_activation(v[0], id, 0); });
    }
    for (const auto& f : fns) {
      const Inputs x{V(away_from({4, 4}, gen, kinks), true)};
      GradcheckResult r = gradgradcheck(f, x);
      CHECK_MESSAGE(r.passed, a.name << ": " << r.message);
      ++checked;
    }
  }
  CHECK(checked == kElementwiseActivations + 2 * (kActivations - kElementwiseActivations));

  const Inputs xa{V(away_from({3, 4}, gen, {0.0}), true), V(Tensor<double>({0.2, -0.1, 0.3, 0.5}), true)};
  GradcheckResult r = gradgradcheck([](const Inputs& v) { return prelu(v[0], v[1]) * v[0]; }, xa);
  CHECK_MESSAGE(r.passed, r.message);
  const Inputs x1{V(away_from({3, 4}, gen, {0.0}), true), V(Tensor<double>({0.25}), true)};
  r = gradgradcheck([](const Inputs& v) { return prelu(v[0] * v[0] - 1.0, v[1]) * v[1]; }, x1);
  CHECK_MESSAGE(r.passed, r.message);
  r = gradgradcheck([](const Inputs& v) {
    Generator g(9);  // the same slopes at every call
    return rrelu(v[0] * v[0] - 2.0, 0.1, 0.3, true, &g);
  }, {V(away_from({3, 4}, gen, {-1.41421356, 1.41421356}), true)});
  CHECK_MESSAGE(r.passed, r.message);
}

TEST_CASE("f'' from double backward is the activation_second kernel's value (float64 and float32)") {
  for (const ActivationInfo& a : activation_catalogue()) {
    if (a.shape != ActivationShape::elementwise || a.id == Act::linear) continue;
    CAPTURE(a.name);
    bool required = false;
    for (std::size_t i = 0; i < a.param_count; ++i) required = required || a.params[i].required();
    const ActivationParams q = required ? ActivationParams{{0.5, -2.0}} : default_params(a.id);
    const std::vector<double> xs{-30.0, -4.5, -1.25, -0.3, 0.0, 1e-3, 0.7, 2.5, 12.0};
    {
      Tensor<double> xt = Tensor<double>::from_shape({xs.size()});
      std::copy(xs.begin(), xs.end(), xt.data());
      V x(xt, true);
      V d1 = grad({activation(x, a.id, q)}, {x}, {V(Tensor<double>(xt * 0.0 + 1.0))}, true)[0];
      V d2 = grad({d1}, {x}, {V(Tensor<double>(xt * 0.0 + 1.0))})[0];
      Tensor<double> expected = Tensor<double>::from_shape({xs.size()});
      kernels::activation_second<double>(a.id, q, xt.data(), expected.data(), xs.size());
      for (std::size_t i = 0; i < xs.size(); ++i) CHECK(d2.value()(i) == expected(i));
    }
    {
      Tensor<float> xt = Tensor<float>::from_shape({xs.size()});
      for (std::size_t i = 0; i < xs.size(); ++i) xt(i) = static_cast<float>(xs[i]);
      Variable<float> x(xt, true);
      Tensor<float> ones = xt * 0.0f + 1.0f;
      Variable<float> d1 = grad({activation(x, a.id, q)}, {x}, {Variable<float>(ones)}, true)[0];
      Variable<float> d2 = grad({d1}, {x}, {Variable<float>(ones)})[0];
      Tensor<float> expected = Tensor<float>::from_shape({xs.size()});
      kernels::activation_second<float>(a.id, q, xt.data(), expected.data(), xs.size());
      for (std::size_t i = 0; i < xs.size(); ++i) CHECK(d2.value()(i) == expected(i));
    }
  }
}

TEST_CASE("relu'' is 0 everywhere, 0 included (as PyTorch); a third derivative of an activation throws") {
  V x(Tensor<double>({-1.0, 0.0, 2.0}), true);
  const V ones(Tensor<double>({1.0, 1.0, 1.0}));
  V d1 = grad({relu(x)}, {x}, {ones}, true)[0];
  CHECK(d1.value()(1) == 0.0);
  CHECK(d1.value()(2) == 1.0);
  V d2 = grad({d1}, {x}, {ones}, true)[0];
  for (std::size_t i = 0; i < 3; ++i) CHECK(d2.value()(i) == 0.0);
  V t = scalar(0.3);
  V t2 = grad({grad({tanh(t)}, {t}, {}, true)[0]}, {t}, {}, true)[0];
  const double th = std::tanh(0.3);
  CHECK(t2.item() == doctest::Approx(-2 * th * (1 - th * th)));
  const double t3 = grad({t2}, {t}, {}, false, true)[0].item();  // tanh''' = -2 (1 - t^2)(1 - 3 t^2)
  CHECK(t3 == doctest::Approx(-2 * (1 - th * th) * (1 - 3 * th * th)));
  CHECK_THROWS_WITH_AS(grad({t2}, {t}, {}, true), doctest::Contains("op 'activation_second' has no differentiable"),
                       std::logic_error);
  V m = scalar(0.3);
  V m2 = grad({grad({mish(m)}, {m}, {}, true)[0]}, {m}, {}, true)[0];
  CHECK_THROWS_WITH_AS(grad({m2}, {m}), doctest::Contains("third derivative of mish"), std::logic_error);
}

TEST_CASE("third derivatives of the activations: gradcheck of f'' from double backward") {
  Generator gen(8);
  for (const ActivationInfo& a : activation_catalogue()) {
    if (a.shape != ActivationShape::elementwise || a.id == Act::gelu_tanh || a.id == Act::mish || a.id == Act::linear) continue;
    CAPTURE(a.name);
    bool required = false;
    for (std::size_t i = 0; i < a.param_count; ++i) required = required || a.params[i].required();
    const ActivationParams q = required ? ActivationParams{{0.5, -2.0}} : default_params(a.id);
    std::vector<double> kinks(a.kinks, a.kinks + a.kink_count);
    kinks.insert(kinks.end(), {0.0, 0.5, -3.0, 3.0, -1.0, 1.0, 6.0});
    const Act id = a.id;
    GradcheckFunction second = [id, q](const Inputs& v) {
      EnableGradGuard enable;  // gradcheck's differences run under NoGradGuard
      const V ones(Tensor<double>(v[0].value() * 0.0 + 1.0));
      const V d1 = grad({activation(v[0], id, q)}, {v[0]}, {ones}, true)[0];
      return grad({d1}, {v[0]}, {ones}, true)[0];
    };
    GradcheckResult r = gradcheck(second, {V(away_from({6}, gen, kinks), true)});
    CHECK_MESSAGE(r.passed, a.name << ": " << r.message);
  }
}

TEST_CASE("third order through composed rules: softmax, exp, log, matmul") {
  GradcheckFunction f = [](const Inputs& v) {
    const V g = grad({sum(softmax(v[0]) * exp(v[0]))}, {v[0]}, {}, true)[0];
    return sum(g * g);
  };
  Generator gen(2);
  GradcheckResult r = gradgradcheck(f, {V(gen.uniform_tensor<double>({2, 3}, -1, 1), true)});
  CHECK_MESSAGE(r.passed, r.message);
}

TEST_CASE("the graph of a gradient is freed: live nodes return to their count") {
  const long before = live_node_count();
  {
    V x(Tensor<double>({0.5, -0.25}), true);
    V w(Tensor<double>({{1.0, 2.0}, {3.0, -1.0}}), true);
    V y = sum(tanh(matmul(w, x)) * exp(x));
    V gx = grad({y}, {x}, {}, true)[0];
    V penalty = sum(gx * gx);
    penalty.backward();
    CHECK(w.has_grad());
  }
  CHECK(live_node_count() == before);
  {
    V x = scalar(0.5);
    sum(pow(x, 4.0) * sigmoid(x)).backward(false, true);
    x.grad_graph().backward();
    x.zero_grad();  // breaks the leaf <-> gradient-graph cycle, as set_to_none in PyTorch
  }
  CHECK(live_node_count() == before);
}

TEST_CASE("a second-order graph of a million-op chain neither recurses nor overflows") {
  const long before = live_node_count();
  {
    V x = scalar(0.5);
    V y = x * x;
    for (int i = 0; i < 1000000; ++i) y = y * 1.0;
    V g = grad({y}, {x}, {}, true)[0];  // 2 x through a million multiplications
    CHECK(g.item() == 1.0);
    V h = grad({g}, {x})[0];
    CHECK(h.item() == 2.0);
  }
  CHECK(live_node_count() == before);
}
