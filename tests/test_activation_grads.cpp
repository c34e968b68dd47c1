// The activations as graph ops: gradcheck in float64, parameters, prelu's alpha, errors.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "xgrad/autograd/autograd.hpp"
#include "xgrad/core/activations.hpp"
#include "xgrad/core/kernels.hpp"
#include "xgrad/core/random.hpp"

using namespace xgrad;
using V = Variable<double>;
using Inputs = std::vector<V>;

namespace {
/// Uniform in [-3, 3] but at least 0.05 away from every kink of `info`, where
/// central differences straddle two branches.
Tensor<double> away_from_kinks(const Shape& shape, Generator& gen, const ActivationInfo* info = nullptr) {
  Tensor<double> t = gen.uniform_tensor<double>(shape, -3.0, 3.0);
  std::vector<double> kinks{0.0};
  if (info) kinks.assign(info->kinks, info->kinks + info->kink_count);
  for (auto& v : t)
    for (int round = 0; round < 4; ++round)
      for (double k : kinks)
        if (std::fabs(v - k) < 0.05) v = v < k ? k - 0.05 - (k - v) : k + 0.05 + (v - k);
  return t;
}
Tensor<double> away_from_kink(const Shape& shape, Generator& gen) { return away_from_kinks(shape, gen); }
}  // namespace

TEST_CASE("gradcheck of every activation of the catalogue (float64, default parameters)") {
  Generator gen(3);
  std::size_t checked = 0;
  for (const ActivationInfo& a : activation_catalogue()) {
    CAPTURE(a.name);
    const Act id = a.id;
    const ActivationParams p = default_params(id);
    bool required = false;
    for (std::size_t i = 0; i < a.param_count; ++i) required = required || a.params[i].required();
    ActivationParams q = p;
    if (required) q = ActivationParams{{0.5, -2.0}};  // threshold: threshold 0.5, value -2
    std::vector<std::function<V(const Inputs&)>> fns;
    if (a.shape == ActivationShape::elementwise) {
      fns.push_back([id, q](const Inputs& v) { return activation(v[0], id, q); });
    } else {
      fns.push_back([id](const Inputs& v) { return axis_activation(v[0], id, -1); });
      fns.push_back([id](const Inputs& v) { return axis_activation(v[0], id, 0); });
    }
    for (const auto& f : fns) {
      const double shift = required ? 0.5 : 0.0;  // threshold's kink
      Tensor<double> x = away_from_kinks({4, 4}, gen, &a);
      if (required)
        for (auto& v : x)
          if (std::fabs(v - shift) < 0.05) v += 0.1;
      GradcheckResult r = gradcheck(f, {V(x, true)});
      CHECK_MESSAGE(r.passed, a.name << ": " << r.message);
      ++checked;
    }
  }
  CHECK(checked >= kActivations);
}

TEST_CASE("gradcheck with non-default parameters") {
  const std::vector<std::pair<const char*, std::function<V(const Inputs&)>>> cases = {
      {"leaky_relu 0.2", [](const Inputs& v) { return leaky_relu(v[0], 0.2); }},
      {"elu 0.5", [](const Inputs& v) { return elu(v[0], 0.5); }},
      {"softplus beta 2 threshold 1", [](const Inputs& v) { return softplus(v[0], 2.0, 1.0); }},
  };
  Generator gen(4);
  for (const auto& [name, f] : cases) {
    CAPTURE(name);
    GradcheckResult r = gradcheck(f, {V(away_from_kink({3, 4}, gen), true)});
    CHECK_MESSAGE(r.passed, name << ": " << r.message);
  }
}

TEST_CASE("NaN in gives NaN out, f and the gradient, for every elementwise activation") {
  for (const ActivationInfo& a : activation_catalogue()) {
    if (a.shape != ActivationShape::elementwise || a.id == Act::linear) continue;
    CAPTURE(a.name);
    ActivationParams p = default_params(a.id);
    for (std::size_t j = 0; j < a.param_count; ++j)
      if (std::isnan(p.v[j])) p.v[j] = j == 0 ? 0.5 : -2.0;  // required (threshold)
    Variable<double> xd(Tensor<double>{NAN, 1.0}, true);
    Variable<double> yd = activation(xd, a.id, p);
    CHECK(std::isnan(yd.value()(0)));
    yd.backward(Tensor<double>{1.0, 1.0});
    CHECK(std::isnan(xd.grad()(0)));
    Variable<float> xf(Tensor<float>{NAN, 1.0f, NAN, 2, 3, 4, 5, 6, 7, NAN}, true);
    Variable<float> yf = activation(xf, a.id, p);
    CHECK(std::isnan(yf.value()(0)));
    CHECK(std::isnan(yf.value()(9)));
    yf.backward(Tensor<float>(xt::ones<float>({10})));
    CHECK(std::isnan(xf.grad()(0)));
  }
}

TEST_CASE("every parameter's domain is checked, naming the activation, the parameter and the value") {
  V x(Tensor<double>{{1.0, 2.0}, {3.0, 4.0}}, true);
  std::size_t checked = 0;
  for (const ActivationInfo& a : activation_catalogue()) {
    for (std::size_t i = 0; i < a.param_count; ++i) {
      const math::ParamSpec& spec = a.params[i];
      const double bad = spec.domain == math::Domain::positive      ? 0.0
                         : spec.domain == math::Domain::nonnegative ? -1.0
                         : spec.domain == math::Domain::nonzero     ? 0.0
                                                                    : NAN;
      ActivationParams p = default_params(a.id);
      for (std::size_t j = 0; j < a.param_count; ++j)
        if (std::isnan(p.v[j])) p.v[j] = 0.5;
      p.v[i] = bad;
      CAPTURE(a.name);
      CAPTURE(spec.name);
      if (a.shape != ActivationShape::elementwise) continue;
      const std::string expected = std::string(a.name) + ": " + spec.name;
      CHECK_THROWS_WITH_AS(activation(x, a.id, p), doctest::Contains(expected.c_str()),
                           std::invalid_argument);
      ++checked;
    }
  }
  CHECK(checked >= 5);
}

TEST_CASE("rrelu: random slopes in [lower, upper] while training, reproducible from a seed; the mean slope in eval") {
  Tensor<double> xs = Tensor<double>::from_shape({1000});
  for (std::size_t i = 0; i < 1000; ++i) xs(i) = -1.0 - double(i % 7);
  Generator g1(42), g2(42);
  V x(xs, true);
  V y = rrelu(x, 0.1, 0.3, true, &g1);
  V y2 = rrelu(V(xs), 0.1, 0.3, true, &g2);
  double lo = 1, hi = 0;
  for (std::size_t i = 0; i < 1000; ++i) {
    const double slope = y.value()(i) / xs(i);
    lo = std::min(lo, slope), hi = std::max(hi, slope);
    CHECK(y.value()(i) == y2.value()(i));
  }
  CHECK(lo >= 0.1);
  CHECK(hi <= 0.3);
  CHECK(hi - lo > 0.15);  // really random
  sum(y).backward();
  for (std::size_t i = 0; i < 1000; ++i) CHECK(x.grad()(i) == doctest::Approx(y.value()(i) / xs(i)));
  V e = rrelu(V(Tensor<double>{-2.0, 3.0}), 0.1, 0.3, false);
  CHECK(e.value()(0) == doctest::Approx(-0.4));
  CHECK(e.value()(1) == 3.0);
  CHECK_THROWS_WITH_AS(rrelu(x, 0.5, 0.1), doctest::Contains("lower (0.5)"), std::invalid_argument);
}

TEST_CASE("PyTorch's named functions are the catalogue's ops with their defaults") {
  const V x(Tensor<double>{-4.0, -1.5, -0.25, 0.0, 0.3, 2.0, 7.0});
  auto same = [&](const V& a, Act id, ActivationParams p) {
    const V b = activation(x, id, p);
    for (std::size_t i = 0; i < x.size(); ++i) CHECK(a.value()(i) == b.value()(i));
  };
  same(selu(x), Act::selu, default_params(Act::selu));
  same(celu(x, 0.5), Act::celu, {{0.5}});
  same(silu(x), Act::silu, {});
  same(mish(x), Act::mish, {});
  same(hardtanh(x), Act::hardtanh, default_params(Act::hardtanh));
  same(hardtanh(x, -2.0, 2.0), Act::hardtanh, {{-2.0, 2.0}});
  same(relu6(x), Act::relu6, {});
  same(hardsigmoid(x), Act::hardsigmoid, {});
  same(hardswish(x), Act::hardswish, {});
  same(softsign(x), Act::softsign, {});
  same(tanhshrink(x), Act::tanhshrink, {});
  same(logsigmoid(x), Act::logsigmoid, {});
  same(softshrink(x), Act::softshrink, {{0.5}});
  same(hardshrink(x, 1.0), Act::hardshrink, {{1.0}});
  same(threshold(x, 0.1, 20.0), Act::threshold, {{0.1, 20.0}});
  same(squareplus(x), Act::squareplus, {{4.0}});
  CHECK(hardtanh(x, -2.0, 2.0).value()(0) == -2.0);
  CHECK(relu6(x).value()(6) == 6.0);
  CHECK(threshold(x, 0.1, 20.0).value()(4) == 0.3);
  CHECK(threshold(x, 0.1, 20.0).value()(3) == 20.0);
  CHECK_THROWS_WITH_AS(threshold(x, NAN, 1.0), doctest::Contains("threshold: threshold must be"), std::invalid_argument);
}

TEST_CASE("glu and softmin: known values and shape errors") {
  V x(Tensor<double>{{1.0, -2.0, 0.5, 3.0}}, true);
  V y = glu(x);
  REQUIRE(y.shape() == Shape{1, 2});
  CHECK(y.value()(0, 0) == doctest::Approx(1.0 / (1 + std::exp(-0.5))));
  CHECK(y.value()(0, 1) == doctest::Approx(-2.0 / (1 + std::exp(-3.0))));
  CHECK_THROWS_WITH_AS(glu(V(Tensor<double>{{1.0, 2.0, 3.0}})), doctest::Contains("must be even"), std::invalid_argument);
  V s = softmin(V(Tensor<double>{1.0, 2.0}));
  CHECK(s.value()(0) == doctest::Approx(1.0 / (1 + std::exp(-1.0))));
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
  // float32 sigmoid' and gelu' come from the float32 kernels (within 2 and 3 ulp of xgrad::math, test_kernels.cpp);
  // float64 sigmoid', tanh', softplus' and gelu' from the float64 lane kernels (within 2 ulp of long
  // double, test_float64_kernels.cpp)
  auto kernel_derivative = [](Act f) {
    return [f](auto v) {
      decltype(v) d = 0;
      const decltype(v) one = 1;
      kernels::activation_backward<decltype(v)>(f, &v, &one, &d, 1, false, default_params(f));
      return d;
    };
  };
  check(float{}, [](auto& v) { return sigmoid(v); }, kernel_derivative(Act::sigmoid));
  check(double{}, [](auto& v) { return sigmoid(v); }, kernel_derivative(Act::sigmoid));
  check(double{}, [](auto& v) { return tanh(v); }, kernel_derivative(Act::tanh));
  check(float{}, [](auto& v) { return gelu(v); }, kernel_derivative(Act::gelu));
  check(double{}, [](auto& v) { return gelu(v); }, kernel_derivative(Act::gelu));
  check(double{}, [](auto& v) { return softplus(v); }, kernel_derivative(Act::softplus));
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

TEST_CASE("softmin (float32): the row kernels agree with the lane loops, backward writes then accumulates") {
  // [5, 37] along its rows (the kernels) and its transpose along axis 0 (the lane loops of xgrad::math)
  Tensor<float> x = Tensor<float>::from_shape({5, 37}), g = Tensor<float>::from_shape({5, 37});
  for (std::size_t i = 0; i < x.size(); ++i) {
    x.data()[i] = static_cast<float>(std::sin(i * 1.9) * 8);
    g.data()[i] = static_cast<float>(std::cos(i * 0.3));
  }
  x(2, 3) = -std::numeric_limits<float>::infinity();  // +inf once negated: the scalar row
  Variable<float> a(x, true), b(Tensor<float>(xt::transpose(x)), true);
  const Tensor<float> gt = xt::transpose(g);
  for (int pass = 1; pass <= 2; ++pass) {
    Variable<float> ya = softmin(a, 1), yb = softmin(b, 0);
    ya.backward(g);
    yb.backward(gt);
    for (std::size_t r = 0; r < 5; ++r)
      for (std::size_t c = 0; c < 37; ++c) {
        CAPTURE(pass);
        CAPTURE(r);
        CAPTURE(c);
        const float y1 = ya.value()(r, c), y2 = yb.value()(c, r), d1 = a.grad()(r, c), d2 = b.grad()(c, r);
        CHECK(std::isnan(y1) == std::isnan(y2));  // row 2 (its maximum infinite): NaN, as xgrad::math
        CHECK(std::isnan(d1) == std::isnan(d2));
        if (!std::isnan(y1)) CHECK(y1 == doctest::Approx(y2).epsilon(3e-7));
        if (!std::isnan(d1)) CHECK(d1 == doctest::Approx(d2).epsilon(1e-6).scale(1e-6));
      }
  }
}

TEST_CASE("glu (float32) agrees with float64 over many lane groups, backward writes then accumulates") {
  // 10 rows of 2 x 37 (tails of every loop), halved along the last axis, and along axis 0 (one group)
  Tensor<double> xd = Tensor<double>::from_shape({10, 74}), gd = Tensor<double>::from_shape({10, 37});
  for (std::size_t i = 0; i < xd.size(); ++i) xd.data()[i] = static_cast<float>(std::sin(i * 1.3) * 6);
  for (std::size_t i = 0; i < gd.size(); ++i) gd.data()[i] = static_cast<float>(std::cos(i * 0.4));
  for (long axis : {1L, 0L}) {
    CAPTURE(axis);
    const Tensor<double> g = axis == 1 ? gd : Tensor<double>(xt::reshape_view(gd, {5, 74}));
    V x(xd, true);
    Variable<float> xf(Tensor<float>(xt::cast<float>(xd)), true);
    for (int pass = 1; pass <= 2; ++pass) {
      V y = glu(x, axis);
      Variable<float> yf = glu(xf, axis);
      y.backward(g);
      yf.backward(Tensor<float>(xt::cast<float>(g)));
      CAPTURE(pass);
      for (std::size_t i = 0; i < y.size(); ++i)
        CHECK(yf.value().data()[i] == doctest::Approx(y.value().data()[i]).epsilon(3e-7));
      for (std::size_t i = 0; i < x.size(); ++i)
        CHECK(xf.grad().data()[i] == doctest::Approx(x.grad().data()[i]).epsilon(1e-6).scale(1e-6));
    }
  }
}
