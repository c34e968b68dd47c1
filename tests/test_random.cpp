// The seedable random source.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "xgrad/core/random.hpp"

using namespace xgrad;

TEST_CASE("a seed reproduces every stream bit for bit") {
  Generator a(123), b(123), c(124);
  CHECK(a.normal_tensor<double>({100}) == b.normal_tensor<double>({100}));
  CHECK(a.permutation(50) == b.permutation(50));
  CHECK(a.uniform01() != c.uniform01());
  a.seed(9);
  b.seed(9);
  CHECK(a.integer(-100, 100) == b.integer(-100, 100));
}

TEST_CASE("distributions have the right range and moments") {
  Generator g(1);
  const int n = 200000;
  double sum = 0, sum_sq = 0;
  for (int i = 0; i < n; ++i) {
    const double v = g.normal();
    sum += v;
    sum_sq += v * v;
  }
  CHECK(std::fabs(sum / n) < 0.01);
  CHECK(std::fabs(sum_sq / n - 1.0) < 0.02);
  Tensor<float> u = g.uniform_tensor<float>({1000}, -5.0, 5.0);
  CHECK(*std::min_element(u.begin(), u.end()) >= -5.0f);
  CHECK(*std::max_element(u.begin(), u.end()) < 5.0f);
  Tensor<double> ints = g.integer_tensor<double>({1000}, -100, 100);
  for (double v : ints) CHECK((v >= -100 && v < 100 && v == std::floor(v)));
  auto p = g.permutation(10);
  std::sort(p.begin(), p.end());
  for (std::size_t i = 0; i < 10; ++i) CHECK(p[i] == i);
  CHECK_THROWS_AS(g.integer(3, 3), std::invalid_argument);
}
