// The activations as graph ops: gradcheck in float64, parameters, prelu's alpha, errors.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "xgrad/autograd/autograd.hpp"
#include "xgrad/core/activations.hpp"
#include "xgrad/core/kernels.hpp"
#include "xgrad/core/random.hpp"

using namespace xgrad;
using V = Variable<double>;
using Inputs = std::vector<V>;

namespace {
/// Uniform in [-3, 3] but at least 0.05 away from the kink at 0, where central
/// differences straddle two branches.
Tensor<double> away_from_kink(const Shape& shape, Generator& gen) {
  Tensor<double> t = gen.uniform_tensor<double>(shape, -3.0, 3.0);
  for (auto& v : t)
    if (std::fabs(v) < 0.05) v = v < 0 ? -0.05 - v : 0.05 + v;
  return t;
}
}  // namespace

TEST_CASE("gradcheck of every activation") {
  const std::vector<std::pair<const char*, std::function<V(const Inputs&)>>> cases = {
      {"sigmoid", [](const Inputs& v) { return sigmoid(v[0]); }},
      {"tanh", [](const Inputs& v) { return tanh(v[0]); }},
      {"relu", [](const Inputs& v) { return relu(v[0]); }},
      {"leaky_relu 0.01", [](const Inputs& v) { return leaky_relu(v[0]); }},
      {"leaky_relu 0.2", [](const Inputs& v) { return leaky_relu(v[0], 0.2); }},
      {"elu", [](const Inputs& v) { return elu(v[0]); }},
      {"elu 0.5", [](const Inputs& v) { return elu(v[0], 0.5); }},
      {"softplus", [](const Inputs& v) { return softplus(v[0]); }},
      {"softplus beta 2 threshold 1", [](const Inputs& v) { return softplus(v[0], 2.0, 1.0); }},
      {"gelu", [](const Inputs& v) { return gelu(v[0]); }},
      {"gelu tanh", [](const Inputs& v) { return gelu(v[0], GeluApproximate::tanh); }},
      {"softmax last", [](const Inputs& v) { return softmax(v[0]); }},
      {"softmax axis 0", [](const Inputs& v) { return softmax(v[0], 0); }},
      {"log_softmax last", [](const Inputs& v) { return log_softmax(v[0]); }},
      {"log_softmax axis 0", [](const Inputs& v) { return log_softmax(v[0], 0); }},
  };
  Generator gen(3);
  for (const auto& [name, f] : cases) {
    CAPTURE(name);
    GradcheckResult r = gradcheck(f, {V(away_from_kink({3, 4}, gen), true)});
    CHECK_MESSAGE(r.passed, name << ": " << r.message);
  }
}

TEST_CASE("prelu: alpha of shape [1] and [features] receives its gradient") {
  Generator gen(5);
  for (std::size_t alpha_count : {std::size_t(1), std::size_t(4)}) {
    CAPTURE(alpha_count);
    V x(away_from_kink({3, 4}, gen), true);
    V alpha(gen.uniform_tensor<double>({alpha_count}, 0.05, 0.5), true);
    GradcheckResult r = gradcheck([](const Inputs& v) { return prelu(v[0], v[1]); }, {x, alpha});
    CHECK_MESSAGE(r.passed, r.message);
  }
  // Known values: the seed's prelu with alpha 0.01, and dL/dalpha = sum of x over x <= 0.
  V x(Tensor<double>{-2.0, -1.0, 0.0, 1.0, 2.0}, true);
  V alpha(Tensor<double>{0.01}, true);
  V y = prelu(x, alpha);
  CHECK(y.value()(0) == doctest::Approx(-0.02));
  CHECK(y.value()(1) == doctest::Approx(-0.01));
  sum(y).backward();
  CHECK(alpha.grad()(0) == doctest::Approx(-3.0));
  CHECK(x.grad()(2) == doctest::Approx(0.01));  // left branch at the kink
}

TEST_CASE("derivatives at the kink take the left branch, as PyTorch does") {
  V x(Tensor<double>{0.0}, true);
  SUBCASE("relu") { relu(x).backward(Tensor<double>{1.0}); CHECK(x.grad()(0) == 0.0); }
  SUBCASE("leaky_relu") { leaky_relu(x, 0.1).backward(Tensor<double>{1.0}); CHECK(x.grad()(0) == doctest::Approx(0.1)); }
  SUBCASE("elu") { elu(x, 0.5).backward(Tensor<double>{1.0}); CHECK(x.grad()(0) == doctest::Approx(0.5)); }
}

TEST_CASE("graph gradients equal the kernels' derivatives, float32 and float64") {
  Generator gen(11);
  Tensor<double> xs = away_from_kink({64}, gen);
  auto check = [&](auto tag, auto op, auto derivative) {
    using T = decltype(tag);
    Variable<T> x(xt::cast<T>(xs), true);
    op(x).backward(Tensor<T>(xt::ones<T>({64})));
    for (std::size_t i = 0; i < 64; ++i) CHECK(x.grad()(i) == derivative(x.value()(i)));
  };
  // float32 sigmoid' and gelu' come from the float32 kernels (within 2 and 3 ulp of xgrad::math, test_kernels.cpp)
  auto kernel_derivative = [](kernels::Unary f) {
    return [f](float v) {
      float d = 0;
      const float one = 1;
      kernels::unary_backward(f, &v, &one, &d, 1, false);
      return d;
    };
  };
  check(float{}, [](auto& v) { return sigmoid(v); }, kernel_derivative(kernels::Unary::sigmoid));
  check(double{}, [](auto& v) { return sigmoid(v); }, [](double v) { return math::sigmoid_derivative(v); });
  check(double{}, [](auto& v) { return tanh(v); }, [](double v) { return math::tanh_derivative(v); });
  check(float{}, [](auto& v) { return gelu(v); }, kernel_derivative(kernels::Unary::gelu));
  check(double{}, [](auto& v) { return gelu(v); }, [](double v) { return math::gelu_derivative(v); });
  check(double{}, [](auto& v) { return softplus(v); }, [](double v) { return math::softplus_derivative(v, 1.0, 20.0); });
}

TEST_CASE("softmax and log_softmax stay finite for logits of +-1e4") {
  Variable<float> x(Tensor<float>{{1e4f, -1e4f, 0.0f}, {-1e4f, -1e4f, -1e4f}}, true);
  Variable<float> y = softmax(x);
  CHECK(y.value()(0, 0) == 1.0f);
  CHECK(y.value()(1, 2) == doctest::Approx(1.0 / 3));
  Variable<float> l = log_softmax(x);
  CHECK(l.value()(0, 1) == -2e4f);
  sum(l).backward();
  for (float g : x.grad()) CHECK(std::isfinite(g));
}

TEST_CASE("invalid parameters are clear std::invalid_argument") {
  V x(Tensor<double>{{1.0, 2.0}, {3.0, 4.0}}, true);
  CHECK_THROWS_WITH_AS(softplus(x, 0.0), doctest::Contains("beta"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(softplus(x, 1.0, -1.0), doctest::Contains("threshold"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(elu(x, 0.0), doctest::Contains("alpha"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(leaky_relu(x, NAN), doctest::Contains("slope"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(prelu(x, V(Tensor<double>{0.1, 0.2, 0.3})), doctest::Contains("[3]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(prelu(x, V(Tensor<double>(0.1 * xt::ones<double>({2, 1})))), doctest::Contains("[2, 1]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(softmax(x, 2), doctest::Contains("axis 2"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(log_softmax(x, -3), doctest::Contains("axis -3"), std::invalid_argument);
}

TEST_CASE("softmax's gradient under a uniform upstream is exactly 0") {
  for (double c : {1.0, 2.0, -0.5}) {
    V x(Tensor<double>{1.0, 2.0, 3.0, 4.0, 5.0}, true);
    softmax(x).backward(Tensor<double>(xt::ones<double>({5}) * c));
    for (double g : x.grad()) CHECK(g == 0.0);
    Variable<float> xf(Tensor<float>{{-3.0f, 0.5f, 7.0f}}, true);
    softmax(xf).backward(Tensor<float>(xt::ones<float>({1, 3}) * static_cast<float>(c)));
    for (float g : xf.grad()) CHECK(g == 0.0f);
  }
}
