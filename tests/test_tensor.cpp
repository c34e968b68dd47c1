// Shapes: broadcasting, reduction back to a shape, axes.
#include <doctest/doctest.h>

#include <xtensor/xbuilder.hpp>

#include "xgrad/core/tensor.hpp"

using namespace xgrad;

TEST_CASE("broadcast_shapes follows NumPy and names both shapes on failure") {
  CHECK(broadcast_shapes({2, 3}, {3}, "t") == Shape{2, 3});
  CHECK(broadcast_shapes({2, 1}, {1, 4}, "t") == Shape{2, 4});
  CHECK(broadcast_shapes({}, {5}, "t") == Shape{5});
  CHECK_THROWS_WITH_AS(broadcast_shapes({2, 3}, {2}, "add"), "add: shapes [2, 3] and [2] do not broadcast",
                       std::invalid_argument);
}

TEST_CASE("sum_to_shape reverses broadcasting") {
  Tensor<double> g = xt::ones<double>({2, 3});
  CHECK(sum_to_shape(g, {3}) == Tensor<double>{2.0, 2.0, 2.0});
  CHECK(sum_to_shape(g, {2, 1}) == Tensor<double>(3.0 * xt::ones<double>({2, 1})));
  CHECK(sum_to_shape(g, {}) == Tensor<double>(6.0));
  CHECK(sum_to_shape(g, {2, 3}) == g);
}

TEST_CASE("normalize_axis") {
  CHECK(normalize_axis(-1, 3, "t") == 2);
  CHECK(normalize_axis(0, 3, "t") == 0);
  CHECK_THROWS_WITH_AS(normalize_axis(3, 3, "softmax"), doctest::Contains("axis 3"), std::invalid_argument);
  CHECK_THROWS_AS(normalize_axis(-4, 3, "t"), std::invalid_argument);
}
