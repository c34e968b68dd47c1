// leaky_relu and prelu on every instruction-set build: the slope product is
// xgrad::math's (formed in double, rounded once) bit for bit, whether the
// kernel multiplies in float32 (a slope that is a float32 number, as prelu's
// always is) or on float64 lanes (any other slope), including products that
// overflow or fall in the subnormals, with per-feature slopes and tails.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "xgrad/core/activations.hpp"
#include "xgrad/core/kernels.hpp"
#include "restore_isa.hpp"

namespace {

namespace k = xgrad::kernels;
namespace m = xgrad::math;

using Restore = xgrad_test::RestoreIsa;

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b)); }

/// Bit patterns over the whole float32 range (subnormals and both signs included), and specials.
std::vector<float> inputs() {
  std::vector<float> xs;
  for (std::uint64_t u = 0; u < (1ull << 32); u += 65521) {
    const auto bits = static_cast<std::uint32_t>(u);
    float x;
    std::memcpy(&x, &bits, sizeof x);
    xs.push_back(x);
  }
  for (float s : {0.f, -0.f, std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                  std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::denorm_min(),
                  -std::numeric_limits<float>::max(), -1.f, -3.f})
    xs.push_back(s);
  return xs;
}

}  // namespace

TEST_CASE("leaky_relu and prelu kernels give xgrad::math's slope products bit for bit (float32 slopes and others)") {
  Restore restore;
  const std::vector<float> xs = inputs();
  const std::size_t n = xs.size();
  // float32 numbers (float32 multiply) and doubles that are not (float64 lanes); huge and tiny
  // slopes push products past FLT_MAX and into the subnormals
  const std::vector<double> slopes{0.25, 0.1f, -1.7f, 3e30f, 1e-30f, 0.01, 1.0 / 3, -0.7, 1e-300, 1e300};
  for (const std::string& isa : k::available_isas()) {
    REQUIRE(k::use_isa(isa));
    CAPTURE(isa);
    for (double slope : slopes) {
      CAPTURE(slope);
      std::vector<float> y(n);
      k::leaky_relu_forward(xs.data(), y.data(), n, slope);
      std::size_t bad = 0;
      for (std::size_t i = 0; i < n; ++i) bad += !same_bits(y[i], m::leaky_relu(xs[i], slope));
      CHECK(bad == 0);
    }
    // one float32 alpha per feature: 37 features (a tail after the vector blocks) with every slope above
    const std::size_t features = 37, rows = n / features;
    std::vector<float> alpha(features), g(rows * features), y(rows * features), dx(rows * features, 0.5f);
    for (std::size_t j = 0; j < features; ++j) alpha[j] = static_cast<float>(slopes[j % slopes.size()]);
    for (std::size_t i = 0; i < g.size(); ++i) g[i] = static_cast<float>(std::cos(i * 0.3));
    k::prelu_rows_forward(xs.data(), alpha.data(), y.data(), rows, features);
    std::vector<double> dalpha(features, 0.0), expect(features, 0.0);
    k::prelu_rows_backward(xs.data(), g.data(), alpha.data(), dx.data(), dalpha.data(), rows, features, true);
    std::size_t bad = 0, bad_dx = 0;
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t j = 0; j < features; ++j) {
        const std::size_t i = r * features + j;
        bad += !same_bits(y[i], m::prelu(xs[i], alpha[j]));
        bad_dx += !same_bits(dx[i], 0.5f + g[i] * m::prelu_derivative(xs[i], alpha[j]));
        expect[j] += static_cast<double>(g[i]) * static_cast<double>(xs[i] > 0.f ? 0.f : xs[i]);
      }
    CHECK(bad == 0);
    CHECK(bad_dx == 0);
    for (std::size_t j = 0; j < features; ++j)
      CHECK((dalpha[j] == expect[j] || (std::isnan(dalpha[j]) && std::isnan(expect[j]))));
  }
}
