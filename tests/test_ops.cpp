// Every differentiable op: known values, float64 gradcheck (with broadcasting), errors.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include <xtensor/xio.hpp>

#include "xgrad/autograd/autograd.hpp"
#include "xgrad/core/random.hpp"

using namespace xgrad;
using V = Variable<double>;
using Inputs = std::vector<V>;

namespace {
V random_leaf(const Shape& shape, Generator& gen, double low = -2.0, double high = 2.0) {
  return V(gen.uniform_tensor<double>(shape, low, high), true);
}

struct OpCase {
  const char* name;
  std::vector<Shape> shapes;
  std::function<V(const Inputs&)> f;
  double low = -2.0, high = 2.0;
};
}  // namespace

TEST_CASE("gradcheck of every op, broadcasting included") {
  const std::vector<OpCase> cases = {
      {"add same", {{2, 3}, {2, 3}}, [](const Inputs& v) { return v[0] + v[1]; }},
      {"add row", {{2, 3}, {3}}, [](const Inputs& v) { return v[0] + v[1]; }},
      {"add outer", {{2, 1}, {1, 3}}, [](const Inputs& v) { return v[0] + v[1]; }},
      {"add scalar", {{2, 3}, {}}, [](const Inputs& v) { return v[0] + v[1]; }},
      {"sub row", {{3}, {2, 3}}, [](const Inputs& v) { return v[0] - v[1]; }},
      {"sub same", {{4}, {4}}, [](const Inputs& v) { return v[0] - v[1]; }},
      {"mul same", {{2, 3}, {2, 3}}, [](const Inputs& v) { return v[0] * v[1]; }},
      {"mul column", {{2, 3}, {2, 1}}, [](const Inputs& v) { return v[0] * v[1]; }},
      {"div same", {{2, 3}, {2, 3}}, [](const Inputs& v) { return v[0] / (v[1] * v[1] + 1.0); }},
      {"div broadcast", {{2, 3}, {3}}, [](const Inputs& v) { return v[0] / (v[1] * v[1] + 1.0); }},
      {"neg", {{5}}, [](const Inputs& v) { return -v[0]; }},
      {"matmul 2x2", {{3, 4}, {4, 2}}, [](const Inputs& v) { return matmul(v[0], v[1]); }},
      {"matmul vec-mat", {{4}, {4, 2}}, [](const Inputs& v) { return matmul(v[0], v[1]); }},
      {"matmul mat-vec", {{3, 4}, {4}}, [](const Inputs& v) { return matmul(v[0], v[1]); }},
      {"matmul dot", {{4}, {4}}, [](const Inputs& v) { return matmul(v[0], v[1]); }},
      {"linear", {{5, 3}, {3, 2}, {2}}, [](const Inputs& v) { return linear(v[0], v[1], &v[2]); }},
      {"linear no bias", {{5, 3}, {3, 2}}, [](const Inputs& v) { return linear(v[0], v[1], static_cast<const V*>(nullptr)); }},
      {"transpose", {{2, 3}}, [](const Inputs& v) { return transpose(v[0]) * transpose(v[0]); }},
      {"reshape", {{2, 3}}, [](const Inputs& v) { return reshape(v[0] * v[0], {3, 2}); }},
      {"sum all", {{2, 3}}, [](const Inputs& v) { return sum(v[0] * v[0]); }},
      {"sum axis 0", {{2, 3}}, [](const Inputs& v) { return sum(v[0] * v[0], 0); }},
      {"sum axis -1 keepdims", {{2, 3}}, [](const Inputs& v) { return sum(v[0] * v[0], -1, true); }},
      {"mean all", {{2, 3}}, [](const Inputs& v) { return mean(v[0] * v[0]); }},
      {"mean axis 1", {{2, 3, 2}}, [](const Inputs& v) { return mean(v[0] * v[0], 1); }},
      {"exp", {{2, 3}}, [](const Inputs& v) { return exp(v[0]); }},
      {"log", {{2, 3}}, [](const Inputs& v) { return log(v[0]); }, 0.5, 3.0},
      {"pow 3", {{4}}, [](const Inputs& v) { return pow(v[0], 3.0); }},
      {"pow -0.5", {{4}}, [](const Inputs& v) { return pow(v[0], -0.5); }, 0.5, 3.0},
      {"sqrt", {{2, 3}}, [](const Inputs& v) { return sqrt(v[0]); }, 0.2, 3.0},
      {"abs", {{2, 3}}, [](const Inputs& v) { return abs(v[0]) * v[0]; }},
      {"clamp", {{3, 4}}, [](const Inputs& v) { return clamp(v[0], -1.0, 0.5) * v[0]; }},
      {"clamp one-sided", {{5}}, [](const Inputs& v) { return clamp(v[0], 0.0, INFINITY) * v[0]; }},
      {"maximum same", {{2, 3}, {2, 3}}, [](const Inputs& v) { return maximum(v[0], v[1]) * v[0]; }},
      {"maximum row", {{2, 3}, {3}}, [](const Inputs& v) { return maximum(v[0], v[1]); }},
      {"maximum outer", {{2, 1}, {1, 3}}, [](const Inputs& v) { return maximum(v[0], v[1]); }},
      {"minimum same", {{4}, {4}}, [](const Inputs& v) { return minimum(v[0], v[1]) * v[1]; }},
      {"minimum scalar", {{2, 3}, {}}, [](const Inputs& v) { return minimum(v[0], v[1]); }},
      {"concat axis 0", {{2, 3}, {1, 3}, {3, 3}}, [](const Inputs& v) { return concat(Inputs{v[0], v[1] * v[1], v[2]}, 0) * 2.0; }},
      {"concat axis 1", {{2, 1}, {2, 3}}, [](const Inputs& v) { return concat(Inputs{v[0] * v[0], v[1]}, 1); }},
      {"concat axis -2 of 3-D", {{2, 1, 2}, {2, 2, 2}}, [](const Inputs& v) { return concat(Inputs{v[0], v[1]}, -2) * 2.0; }},
      {"concat a tensor twice", {{2, 2}}, [](const Inputs& v) { return concat(Inputs{v[0], v[0]}, 1); }},
      {"slice rows", {{4, 3}}, [](const Inputs& v) { return slice(v[0] * v[0], 0, 1, 3); }},
      {"slice columns negative", {{2, 5}}, [](const Inputs& v) { return slice(v[0], 1, -3, -1) * 3.0; }},
      {"slice middle axis", {{2, 4, 3}}, [](const Inputs& v) { return slice(v[0], 1, 2, 4); }},
      {"index_select rows with repeats", {{4, 3}}, [](const Inputs& v) { return index_select(v[0] * v[0], 0, {3, 0, 3, 1}); }},
      {"index_select columns", {{2, 4}}, [](const Inputs& v) { return index_select(v[0], 1, {2, 2, 0}); }},
      {"index_select of a vector", {{5}}, [](const Inputs& v) { return index_select(v[0], -1, {4, 1}) * 2.0; }},
  };
  Generator gen(42);
  for (const auto& c : cases) {
    CAPTURE(c.name);
    Inputs inputs;
    for (const auto& s : c.shapes) inputs.push_back(random_leaf(s, gen, c.low, c.high));
    GradcheckResult r = gradcheck(c.f, inputs);
    CHECK_MESSAGE(r.passed, c.name << ": " << r.message);
  }
}

TEST_CASE("known values") {
  V a(Tensor<double>{{1.0, 2.0}, {3.0, 4.0}});
  V b(Tensor<double>{10.0, 20.0});
  CHECK((a + b).value() == Tensor<double>{{11.0, 22.0}, {13.0, 24.0}});
  CHECK((a * b).value() == Tensor<double>{{10.0, 40.0}, {30.0, 80.0}});
  CHECK((b - a).value() == Tensor<double>{{9.0, 18.0}, {7.0, 16.0}});
  CHECK(matmul(a, a).value() == Tensor<double>{{7.0, 10.0}, {15.0, 22.0}});
  CHECK(matmul(a, b).value() == Tensor<double>{50.0, 110.0});
  CHECK(transpose(a).value() == Tensor<double>{{1.0, 3.0}, {2.0, 4.0}});
  CHECK(sum(a).item() == 10.0);
  CHECK(sum(a, 0).value() == Tensor<double>{4.0, 6.0});
  CHECK(mean(a, -1).value() == Tensor<double>{1.5, 3.5});
  CHECK(sum(a, 1, true).shape() == Shape{2, 1});
  CHECK(pow(b, 2.0).value() == Tensor<double>{100.0, 400.0});
  CHECK(reshape(a, {4}).value() == Tensor<double>{1.0, 2.0, 3.0, 4.0});
  CHECK(log(exp(b)).value() == Tensor<double>{10.0, 20.0});
}

TEST_CASE("float32 ops agree with float64") {
  Generator gen(7);
  Tensor<double> x = gen.uniform_tensor<double>({3, 4}, -1, 1);
  Tensor<double> w = gen.uniform_tensor<double>({4, 2}, -1, 1);
  Variable<float> xf(xt::cast<float>(x), true), wf(xt::cast<float>(w), true);
  V xd(x, true), wd(w, true);
  sum(tanh(matmul(xf, wf))).backward();
  sum(tanh(matmul(xd, wd))).backward();
  for (std::size_t i = 0; i < w.size(); ++i)
    CHECK(wf.grad().data()[i] == doctest::Approx(wd.grad().data()[i]).epsilon(1e-5));
}

TEST_CASE("shape errors name both shapes") {
  V a(Tensor<double>::from_shape({2, 3}));
  V b(Tensor<double>::from_shape({4}));
  V m(Tensor<double>::from_shape({4, 5}));
  CHECK_THROWS_WITH_AS(a + b, doctest::Contains("[2, 3] and [4]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(a * b, doctest::Contains("[2, 3] and [4]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(a - b, doctest::Contains("[2, 3] and [4]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(a / b, doctest::Contains("[2, 3] and [4]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(matmul(a, m), doctest::Contains("[2, 3] and [4, 5]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(linear(a, m, static_cast<const V*>(nullptr)), doctest::Contains("[2, 3]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(reshape(a, {5}), doctest::Contains("[2, 3]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(sum(a, 2), doctest::Contains("axis 2"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(mean(a, -3), doctest::Contains("axis -3"), std::invalid_argument);
  CHECK_THROWS_AS(mean(V(Tensor<double>::from_shape({0}))), std::invalid_argument);
}

// Values and gradients from PyTorch 1.13 (tools/layers_reference.py), kinks and ties included:
// abs'(0) = 0, clamp passes the gradient at both bounds, maximum/minimum split a tie half-half.
TEST_CASE("sqrt, abs, clamp, maximum, minimum: values and gradients at kinks and ties as PyTorch") {
  const Tensor<double> upstream{1.0, 2.0, 4.0, 8.0};
  V a(Tensor<double>{1.0, 2.0, -3.0, 0.5}, true), b(Tensor<double>{1.0, -1.0, -3.0, 2.0}, true);
  V mx = maximum(a, b);
  CHECK(mx.value() == Tensor<double>{1.0, 2.0, -3.0, 2.0});
  mx.backward(upstream);
  CHECK(a.grad() == Tensor<double>{0.5, 2.0, 2.0, 0.0});
  CHECK(b.grad() == Tensor<double>{0.5, 0.0, 2.0, 8.0});
  a.zero_grad();
  b.zero_grad();
  V mn = minimum(a, b);
  CHECK(mn.value() == Tensor<double>{1.0, -1.0, -3.0, 0.5});
  mn.backward(upstream);
  CHECK(a.grad() == Tensor<double>{0.5, 0.0, 2.0, 8.0});
  CHECK(b.grad() == Tensor<double>{0.5, 2.0, 2.0, 0.0});

  V x(Tensor<double>{-1.0, 0.0, 2.0, -0.0}, true);
  sum(abs(x)).backward();
  CHECK(x.grad() == Tensor<double>{-1.0, 0.0, 1.0, 0.0});

  V c(Tensor<double>{-2.0, -1.0, 0.0, 1.0, 1.5, 3.0}, true);
  V cl = clamp(c, -1.0, 1.5);
  CHECK(cl.value() == Tensor<double>{-1.0, -1.0, 0.0, 1.0, 1.5, 1.5});
  sum(cl).backward();
  CHECK(c.grad() == Tensor<double>{0.0, 1.0, 1.0, 1.0, 1.0, 0.0});

  V r(Tensor<double>{0.0, 4.0}, true);
  V sq = sqrt(r);
  CHECK(sq.value() == Tensor<double>{0.0, 2.0});
  sum(sq).backward();
  CHECK(std::isinf(r.grad()(0)));
  CHECK(r.grad()(1) == 0.25);

  // NaN propagates through maximum, minimum and clamp, as in PyTorch.
  V n(Tensor<double>{NAN, 1.0}), m(Tensor<double>{0.0, NAN});
  CHECK(std::isnan(maximum(n, m).value()(0)));
  CHECK(std::isnan(minimum(n, m).value()(1)));
  CHECK(std::isnan(clamp(n, 0.0, 1.0).value()(0)));
}

TEST_CASE("concat, slice, index_select: known values") {
  V a(Tensor<double>{{1.0, 2.0}, {3.0, 4.0}});
  V b(Tensor<double>{{5.0, 6.0}});
  CHECK(concat(Inputs{a, b}, 0).value() == Tensor<double>{{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}});
  CHECK(concat(Inputs{a, a}, -1).value() == Tensor<double>{{1.0, 2.0, 1.0, 2.0}, {3.0, 4.0, 3.0, 4.0}});
  V m(Tensor<double>{{0.0, 1.0, 2.0, 3.0}, {4.0, 5.0, 6.0, 7.0}, {8.0, 9.0, 10.0, 11.0}});
  CHECK(slice(m, 0, 1, 3).value() == Tensor<double>{{4.0, 5.0, 6.0, 7.0}, {8.0, 9.0, 10.0, 11.0}});
  CHECK(slice(m, 1, -3, -1).value() == Tensor<double>{{1.0, 2.0}, {5.0, 6.0}, {9.0, 10.0}});
  CHECK(slice(m, 0, 2, 2).shape() == Shape{0, 4});
  CHECK(index_select(m, 0, {2, 0, 2}).value() == Tensor<double>{{8.0, 9.0, 10.0, 11.0}, {0.0, 1.0, 2.0, 3.0}, {8.0, 9.0, 10.0, 11.0}});
  CHECK(index_select(m, 1, {3, 0}).value() == Tensor<double>{{3.0, 0.0}, {7.0, 4.0}, {11.0, 8.0}});
  V leaf(m.value(), true);
  sum(index_select(leaf, 0, {1, 1})).backward();
  CHECK(leaf.grad() == Tensor<double>{{0.0, 0.0, 0.0, 0.0}, {2.0, 2.0, 2.0, 2.0}, {0.0, 0.0, 0.0, 0.0}});
  // empty pieces and empty selections
  V e(Tensor<double>::from_shape({0, 2}), true), full(a.value(), true);
  V joined = concat(Inputs{e, full, e}, 0);
  CHECK(joined.value() == a.value());
  sum(joined * joined).backward();
  CHECK(full.grad() == Tensor<double>{{2.0, 4.0}, {6.0, 8.0}});
  CHECK(e.grad().shape() == e.value().shape());
  CHECK(index_select(m, 0, {}).shape() == Shape{0, 4});
  // float32 runs the same code
  Variable<float> f(Tensor<float>{{1.0f, 2.0f}, {3.0f, 4.0f}});
  CHECK(concat(std::vector<Variable<float>>{f, slice(f, 0, 0, 1)}, 0).value() == Tensor<float>{{1.0f, 2.0f}, {3.0f, 4.0f}, {1.0f, 2.0f}});
}

TEST_CASE("new ops: errors name the op, the shapes and the values") {
  V a(Tensor<double>::from_shape({2, 3}));
  CHECK_THROWS_WITH_AS(maximum(a, V(Tensor<double>::from_shape({4}))), doctest::Contains("[2, 3] and [4]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(minimum(a, V(Tensor<double>::from_shape({2}))), doctest::Contains("minimum"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(clamp(a, 1.0, -1.0), doctest::Contains("min <= max"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(clamp(a, NAN, 1.0), doctest::Contains("clamp"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(concat(Inputs{}, 0), doctest::Contains("no tensors"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(concat(Inputs{a, V(Tensor<double>::from_shape({3, 2}))}, 0), doctest::Contains("[3, 2]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(concat(Inputs{a, V(Tensor<double>::from_shape({2}))}, 0), doctest::Contains("tensor 1"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(concat(Inputs{a, a}, 2), doctest::Contains("axis 2"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(concat(Inputs{V(Tensor<double>(1.0))}, 0), doctest::Contains("0-d"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(slice(a, 1, 2, 4), doctest::Contains("[2, 4)"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(slice(a, 0, 2, 1), doctest::Contains("start <= stop"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(slice(a, 0, -3, 1), doctest::Contains("[2, 3]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(slice(a, 3, 0, 1), doctest::Contains("axis 3"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(index_select(a, 0, {0, 2}), doctest::Contains("index 2 (position 1)"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(index_select(a, 1, {-1}), doctest::Contains("index -1"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(index_select(V(Tensor<double>(1.0)), 0, {0}), doctest::Contains("0-d"), std::invalid_argument);
}
