// Whole-tensor activation functions (no graph): softmax along axes, map.
#include <doctest/doctest.h>

#include <cmath>

#include "xgrad/core/activations.hpp"

using namespace xgrad;

TEST_CASE("softmax and log_softmax along any axis") {
  Tensor<double> x{{1.0, 2.0, 3.0}, {1.0, 1.0, 1.0}};
  Tensor<double> rows = math::softmax(x);
  Tensor<double> cols = math::softmax(x, 0);
  for (std::size_t i = 0; i < 2; ++i) CHECK(rows(i, 0) + rows(i, 1) + rows(i, 2) == doctest::Approx(1.0));
  for (std::size_t j = 0; j < 3; ++j) CHECK(cols(0, j) + cols(1, j) == doctest::Approx(1.0));
  CHECK(cols(0, 0) == doctest::Approx(0.5));
  Tensor<double> logs = math::log_softmax(x);
  for (std::size_t k = 0; k < 6; ++k) CHECK(std::exp(logs.data()[k]) == doctest::Approx(rows.data()[k]));
  CHECK_THROWS_AS(math::softmax(x, 2), std::invalid_argument);
}

TEST_CASE("map applies a kernel elementwise and keeps the shape") {
  Tensor<float> x{{-1.0f, 0.0f}, {2.0f, -3.0f}};
  Tensor<float> y = math::map(x, [](float v) { return math::relu(v); });
  CHECK(y == Tensor<float>{{0.0f, 0.0f}, {2.0f, 0.0f}});
}

TEST_CASE("NaN in gives NaN out for the elementwise kernels") {
  const double nan = std::nan("");
  CHECK(std::isnan(math::relu(nan)));
  CHECK(std::isnan(math::relu_derivative(nan)));
  CHECK(std::isnan(math::leaky_relu(nan, 0.01)));
  CHECK(std::isnan(math::sigmoid(nan)));
  CHECK(std::isnan(math::tanh_derivative(nan)));
  CHECK(std::isnan(math::gelu_tanh_derivative(nan)));
  CHECK(std::isnan(math::softplus(static_cast<float>(nan), 1.0, 20.0)));
  Tensor<double> lane{1.0, nan, 2.0};
  Tensor<double> s = math::softmax(lane);
  CHECK(std::isnan(s(0)));
}
