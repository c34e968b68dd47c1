// The softmax row kernels (core/src/kernels/softmax_rows.inc) of every
// instruction-set build this CPU runs against xgrad::math's scalar lanes, on
// many random rows: widths with and without tails, spreads that do and do not
// need exp's clamp (x - max below -708), repeated maxima, forward and backward
// (writing and accumulating), softmin as softmax of -x. Within 1 ulp (the
// forward also within 0.51 ulp of long-double evaluations); a
// backward term that cancels (g - e^y sum g, y (g - s) near 0) within 1 ulp or
// 2^-44 of the magnitude of its parts, as both sides compute it in double.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
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

/// |a - b| in ulps of the larger magnitude (at least FLT_MIN's); 0 for equal or both NaN.
double ulps(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : 1e30;
  if (a == b) return 0;
  if (std::isinf(a) || std::isinf(b)) return 1e30;
  const double big = std::max({std::fabs(double(a)), std::fabs(double(b)), double(std::numeric_limits<float>::min())});
  return std::fabs(double(a) - double(b)) / std::ldexp(1.0, std::ilogb(big) - 23);
}

double worst(const std::vector<float>& a, const std::vector<float>& b) {
  double w = 0;
  for (std::size_t i = 0; i < a.size(); ++i) w = std::max(w, ulps(a[i], b[i]));
  return w;
}

/// The worst backward disagreement: in ulps, unless within 2^-44 of `scale` (the parts' magnitude).
double worst_back(const std::vector<float>& a, const std::vector<float>& b, const std::vector<double>& scale) {
  double w = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::fabs(double(a[i]) - double(b[i])) > 0x1p-44 * scale[i]) w = std::max(w, ulps(a[i], b[i]));
  return w;
}

/// |y - exact| in ulps of the exact value (subnormal ulp below FLT_MIN).
double ulps_exact(float y, long double exact) {
  if (std::isnan(y)) return 1e30;
  const long double a = std::fabs(exact);
  const int e = a < std::numeric_limits<float>::min() ? -126 : std::ilogb(a);
  return static_cast<double>(std::fabs(static_cast<long double>(y) - exact) / std::ldexp(1.0L, e - 23));
}

/// The worst distance of softmax (log: log_softmax) rows from long-double evaluations.
double worst_exact(bool log, const std::vector<float>& x, const std::vector<float>& y, std::size_t cols) {
  double w = 0;
  for (std::size_t r = 0; r < x.size() / cols; ++r) {
    const float* xr = &x[r * cols];
    const std::size_t k = static_cast<std::size_t>(std::max_element(xr, xr + cols) - xr);
    long double sum = 0, rest = 0;
    for (std::size_t j = 0; j < cols; ++j) {
      const long double e = std::exp(static_cast<long double>(xr[j]) - xr[k]);
      sum += e;
      if (j != k) rest += e;
    }
    for (std::size_t j = 0; j < cols; ++j) {
      const long double d = static_cast<long double>(xr[j]) - xr[k];
      w = std::max(w, ulps_exact(y[r * cols + j], log ? d - std::log1p(rest) : std::exp(d) / sum));
    }
  }
  return w;
}

struct Rng {
  std::uint64_t s;
  double next() {  // uniform in [0, 1)
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return double(s >> 11) * 0x1p-53;
  }
};

}  // namespace

TEST_CASE("softmax rows of every ISA build agree with xgrad::math within 1 ulp on many random rows") {
  Restore restore;
  const double spreads[] = {0.01, 1, 10, 60, 300, 700, 720, 2000, 1e5, 1e30};
  for (const std::size_t cols : {std::size_t(1024), std::size_t(1000), std::size_t(100), std::size_t(48), std::size_t(33)}) {
    CAPTURE(cols);
    const std::size_t n = 96;
    Rng rng{cols};
    std::vector<float> x(n * cols), g(n * cols), neg_x(n * cols);
    for (std::size_t r = 0; r < n; ++r) {
      const double spread = spreads[r % 10], centre = (rng.next() - 0.5) * (r % 3 == 0 ? 1e3 : 10);
      for (std::size_t j = 0; j < cols; ++j) x[r * cols + j] = static_cast<float>(centre + spread * (rng.next() - 0.5));
      if (r % 4 == 1)  // the maximum repeated (log_softmax leaves out its first occurrence's term)
        for (std::size_t j = cols / 3; j < cols; j += cols / 3) x[r * cols + j] = *std::max_element(&x[r * cols], &x[r * cols] + cols);
    }
    for (std::size_t i = 0; i < x.size(); ++i) {
      g[i] = static_cast<float>(rng.next() * 2 - 1);
      neg_x[i] = -x[i];
    }
    const xgrad::Shape shape{n, cols};
    std::vector<double> scale(x.size()), log_scale(x.size());  // |g| + |y s|, |g| + e^y |sum g|, computed below
    std::vector<float> ref(x.size()), log_ref(x.size()), min_ref(x.size());
    m::softmax_lanes(x.data(), ref.data(), shape, 1);
    m::log_softmax_lanes(x.data(), log_ref.data(), shape, 1);
    m::softmax_lanes(neg_x.data(), min_ref.data(), shape, 1);
    for (std::size_t r = 0; r < n; ++r) {
      double gy = 0, ys = 0, gs = 0;
      for (std::size_t j = r * cols; j < (r + 1) * cols; ++j) gy += double(g[j]) * ref[j], ys += ref[j], gs += g[j];
      for (std::size_t j = r * cols; j < (r + 1) * cols; ++j) {
        scale[j] = std::fabs(ref[j]) * (std::fabs(g[j]) + std::fabs(gy / ys));
        log_scale[j] = std::fabs(g[j]) + std::exp(double(log_ref[j])) * std::fabs(gs);
      }
    }
    for (const std::string& isa : k::available_isas()) {
      CAPTURE(isa);
      REQUIRE(k::use_isa(isa));
      std::vector<float> y(x.size());
      k::softmax_rows(x.data(), y.data(), n, cols);
      CHECK(worst(y, ref) <= 1);
      CHECK(worst_exact(false, x, y, cols) <= 0.51);  // correctly rounded but for 2e-4 of the values (docs/kernels.md)
      k::log_softmax_rows(x.data(), y.data(), n, cols);
      CHECK(worst(y, log_ref) <= 1);
      CHECK(worst_exact(true, x, y, cols) <= 0.51);
      k::softmin_rows(x.data(), y.data(), n, cols);
      CHECK(worst(y, min_ref) <= 1);
      for (const bool accumulate : {false, true}) {
        CAPTURE(accumulate);
        const float start = accumulate ? 0.25f : 0.f;
        std::vector<float> dx(x.size(), start), dref(x.size(), start);
        k::softmax_backward_rows(ref.data(), g.data(), dx.data(), n, cols, accumulate);
        m::softmax_backward_lanes(ref.data(), g.data(), dref.data(), shape, 1);
        CHECK(worst_back(dx, dref, scale) <= 1);
        std::fill(dx.begin(), dx.end(), start);
        std::fill(dref.begin(), dref.end(), start);
        k::log_softmax_backward_rows(log_ref.data(), g.data(), dx.data(), n, cols, accumulate);
        m::log_softmax_backward_lanes(log_ref.data(), g.data(), dref.data(), shape, 1);
        CHECK(worst_back(dx, dref, log_scale) <= 1);
      }
    }
  }
}

TEST_CASE("glu rows of every ISA build are the sigmoid kernels and products, bit for bit") {
  Restore restore;
  const float inf = std::numeric_limits<float>::infinity();
  for (const std::size_t block : {std::size_t(1), std::size_t(5), std::size_t(16), std::size_t(37), std::size_t(512)}) {
    CAPTURE(block);
    const std::size_t groups = 7, n = groups * block;
    Rng rng{block};
    std::vector<float> x(2 * n), g(n);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double u = rng.next();
      x[i] = static_cast<float>((u - 0.5) * (i % 5 == 0 ? 300 : i % 5 == 1 ? 1e-3 : 20));
    }
    for (float& v : g) v = static_cast<float>(rng.next() * 4 - 2);
    x[1] = std::numeric_limits<float>::quiet_NaN();
    x[x.size() - 1] = inf;
    x[x.size() - 2] = -inf;
    if (block > 1) x[block + 1] = std::numeric_limits<float>::quiet_NaN();  // a b lane
    const xgrad::ActivationParams p{};
    auto same = [](const std::vector<float>& a, const std::vector<float>& b) {
      for (std::size_t i = 0; i < a.size(); ++i)
        if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return false;
      return true;
    };
    for (const std::string& isa : k::available_isas()) {
      CAPTURE(isa);
      REQUIRE(k::use_isa(isa));
      std::vector<float> y(n), ref(n), s(block), ga(block);
      k::glu_rows(x.data(), y.data(), groups, block);
      for (std::size_t o = 0; o < groups; ++o) {
        const float* a = &x[2 * o * block];
        k::activation_forward<float>(xgrad::Act::sigmoid, a + block, &ref[o * block], block, p);
        for (std::size_t j = 0; j < block; ++j) ref[o * block + j] *= a[j];
      }
      CHECK(same(y, ref));
      for (const bool accumulate : {false, true}) {
        CAPTURE(accumulate);
        std::vector<float> dx(2 * n, 0.5f), dref(2 * n, 0.5f);
        k::glu_rows_backward(x.data(), g.data(), dx.data(), groups, block, accumulate);
        for (std::size_t o = 0; o < groups; ++o) {
          const float* a = &x[2 * o * block];
          float* da = &dref[2 * o * block];
          const float* go = &g[o * block];
          k::activation_forward<float>(xgrad::Act::sigmoid, a + block, s.data(), block, p);
          for (std::size_t j = 0; j < block; ++j) {
            da[j] = accumulate ? da[j] + go[j] * s[j] : go[j] * s[j];
            ga[j] = go[j] * a[j];
          }
          k::activation_backward<float>(xgrad::Act::sigmoid, a + block, ga.data(), da + block, block, accumulate, p);
        }
        CHECK(same(dx, dref));
      }
    }
  }
}
