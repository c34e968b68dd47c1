// The float32-lane kernels' hard spots that the exhaustive sweeps
// (tools/kernel_sweep, every float32 below 128 in magnitude) found and the
// million-input sweep of test_kernels.cpp is too sparse to meet.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "xgrad/core/activations.hpp"
#include "xgrad/core/kernels.hpp"
#include "restore_isa.hpp"

namespace {

namespace k = xgrad::kernels;

using RestoreIsa = xgrad_test::RestoreIsa;

double ulps_apart(float a, float b) {
  if (a == b) return 0;
  const double big = std::max({std::fabs(double(a)), std::fabs(double(b)), double(std::numeric_limits<float>::min())});
  return std::fabs(double(a) - double(b)) / std::ldexp(1.0, std::ilogb(big) - 23);
}

}  // namespace

TEST_CASE("tanhshrink's kernels keep 1 ulp where x^3 / 3 nears float32's underflow") {
  RestoreIsa restore;
  // Every 101st float32 of [2^-52, 2^-36] (the cube's low parts went subnormal from
  // 2^-39 on), both signs, and +-4.13002965e-13, once 2 ulp off.
  std::vector<float> xs{4.13002965e-13f, -4.13002965e-13f};
  for (float lo = std::ldexp(1.f, -52); lo < std::ldexp(1.f, -36);) {
    xs.push_back(lo);
    xs.push_back(-lo);
    std::uint32_t b;
    std::memcpy(&b, &lo, 4);
    b += 101;
    std::memcpy(&lo, &b, 4);
  }
  const xgrad::ActivationParams p = xgrad::default_params(xgrad::Act::tanhshrink);
  std::vector<float> f(xs.size()), df(xs.size());
  const std::vector<float> ones(xs.size(), 1.f);
  for (const std::string& isa : k::available_isas()) {
    REQUIRE(k::use_isa(isa));
    k::activation_forward<float>(xgrad::Act::tanhshrink, xs.data(), f.data(), xs.size(), p);
    k::activation_backward<float>(xgrad::Act::tanhshrink, xs.data(), ones.data(), df.data(), xs.size(), false, p);
    std::size_t bad = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
      const float rf = xgrad::activation_f<float>(xgrad::Act::tanhshrink, xs[i], p);
      const float rd = xgrad::activation_df<float>(xgrad::Act::tanhshrink, xs[i], p);
      if (ulps_apart(f[i], rf) > 1 || ulps_apart(df[i], rd) > 1 || std::signbit(f[i]) != std::signbit(rf)) {
        if (++bad <= 5) MESSAGE(isa << " tanhshrink(" << xs[i] << "): " << f[i] << ", " << df[i] << "; scalar " << rf << ", " << rd);
      }
    }
    CHECK(bad == 0);
  }
}

TEST_CASE("elu, selu and celu keep 1 ulp where their e^x changes table entry or form") {
  RestoreIsa restore;
  // Every 31st float32 of [-0.05, -0.035] (around -ln2/16: the first step of AVX2's 2^(i/8)
  // table), of [-0.75, -0.6] (2^k T below 1/2: 2^k T - 1 no longer exact) and of
  // [-80.5, -79.5] (the scalar lanes' edge), with +-0 (sign kept), +-inf and NaN.
  std::vector<float> xs{0.f, -0.f, std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                        std::numeric_limits<float>::quiet_NaN(), -80.f, -1e-45f, 1e-45f};
  for (auto [lo, hi] : {std::pair{-0.05f, -0.035f}, std::pair{-0.75f, -0.6f}, std::pair{-80.5f, -79.5f}})
    for (float x = lo; x < hi;) {
      xs.push_back(x);
      std::uint32_t b;
      std::memcpy(&b, &x, 4);
      b -= 31;  // toward zero: x < 0
      std::memcpy(&x, &b, 4);
    }
  const std::vector<float> ones(xs.size(), 1.f);
  std::vector<float> f(xs.size()), df(xs.size());
  for (xgrad::Act fn : {xgrad::Act::elu, xgrad::Act::selu, xgrad::Act::celu}) {
    const xgrad::ActivationParams p = xgrad::default_params(fn);
    for (const std::string& isa : k::available_isas()) {
      REQUIRE(k::use_isa(isa));
      k::activation_forward<float>(fn, xs.data(), f.data(), xs.size(), p);
      k::activation_backward<float>(fn, xs.data(), ones.data(), df.data(), xs.size(), false, p);
      std::size_t bad = 0;
      for (std::size_t i = 0; i < xs.size(); ++i) {
        const float rf = xgrad::activation_f<float>(fn, xs[i], p), rd = xgrad::activation_df<float>(fn, xs[i], p);
        const bool nan_ok = std::isnan(rf) ? std::isnan(f[i]) && std::isnan(df[i]) : !std::isnan(f[i]) && !std::isnan(df[i]);
        if (!nan_ok || (!std::isnan(rf) && (ulps_apart(f[i], rf) > 1 || ulps_apart(df[i], rd) > 1 ||
                                            std::signbit(f[i]) != std::signbit(rf)))) {
          if (++bad <= 5) MESSAGE(isa << " act " << int(fn) << "(" << xs[i] << "): " << f[i] << ", " << df[i] << "; scalar " << rf << ", " << rd);
        }
      }
      CHECK(bad == 0);
    }
  }
}
