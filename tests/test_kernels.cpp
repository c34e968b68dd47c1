// The vectorised float32 kernels (xgrad::kernels), every instruction-set build
// this CPU runs: the same 4-ulp contract as tests/test_exactness.cpp against
// the mpmath references, and agreement with the scalar kernels of xgrad::math
// (within 1 ulp: both are float64 evaluations rounded once; the sigmoid and
// gelu kernels compute in float32 and are held to 1 to 3 ulp) on a sweep of
// about a million float32 inputs spread over the whole range, including the
// neighbourhoods of the roots of gelu', gelu_tanh' and silu'.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "../tools/exactness_reference.hpp"
#include "xgrad/core/activations.hpp"
#include "xgrad/core/kernels.hpp"
#include "restore_isa.hpp"

namespace {

namespace k = xgrad::kernels;
namespace m = xgrad::math;
using namespace xgrad::exactness;

using Restore = xgrad_test::RestoreIsa;

/// f and f' of every x through the kernels (f' as the backward with g = 1).
Value<float> evaluate_kernel(Fn fn, float x) {
  float f = 0, df = 0;
  const float one = 1.f;
  const xgrad::ActivationParams p = reference_params(fn);
  k::activation_forward<float>(fn, &x, &f, 1, p);
  k::activation_backward<float>(fn, &x, &one, &df, 1, false, p);
  return {f, df};
}

/// |a - b| in ulps of the larger magnitude (at least FLT_MIN's); 0 for equal or both NaN.
double ulp_distance(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : 1e30;
  if (a == b) return 0;
  if (std::isinf(a) || std::isinf(b)) return 1e30;
  const double big = std::max({std::fabs(double(a)), std::fabs(double(b)), double(std::numeric_limits<float>::min())});
  const double ulp = std::ldexp(1.0, std::ilogb(big) - 23);
  return std::fabs(double(a) - double(b)) / ulp;
}

float from_bits(std::uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

/// sigmoid's and gelu's kernels compute in float32 (core/src/kernels/float32_kernels.inc).
/// Over every float32 below 128 (sigmoid) and 13 (gelu) in magnitude
/// (tools/kernel_sweep) they land within these distances of xgrad::math:
/// sigmoid 1 ulp, sigmoid' 2 (38 inputs of 2.2e9 beyond 1), gelu 2, gelu' 3
/// (11 inputs beyond 2 on AVX-512, 4 with AVX2's eight-interval tables); the
/// baseline build, whose multiply-adds round twice, sigmoid 2 and gelu 3.
double kernel_ulps(Fn fn, const std::string& isa, bool derivative) {
  switch (fn) {
    case Fn::relu: case Fn::leaky_relu: case Fn::prelu: case Fn::rrelu: case Fn::linear: return 0;
    case Fn::sigmoid: return derivative || isa == "baseline" ? 2 : 1;
    case Fn::gelu: return derivative || isa == "baseline" ? 3 : 2;
    default: return 1;
  }
}

/// ~1.1 million inputs: bit patterns over the whole float32 range, a fine grid
/// on [-20, 20], and every float32 within 2e-3 of the roots of gelu', gelu_tanh' and silu'
/// at a stride of 64 ulps (plus the nearest few hundred at stride 1).
const std::vector<float>& sweep() {
  static const std::vector<float> xs = [] {
    std::vector<float> v;
    for (std::uint64_t u = 0; u < (1ull << 32); u += 7919) v.push_back(from_bits(static_cast<std::uint32_t>(u)));
    for (int i = -200000; i <= 200000; ++i) v.push_back(static_cast<float>(i * 1e-4));
    for (double root : {-0.751791524693564457, -0.752461422071016258, -1.27846454276107380}) {
      const float r = static_cast<float>(root);
      float lo = r, hi = r;
      for (int i = 0; i < 300; ++i) {
        v.push_back(lo = std::nextafter(lo, -1.f));
        v.push_back(hi = std::nextafter(hi, 0.f));
      }
      for (float x = r - 2e-3f; x < r + 2e-3f; x = from_bits([&] { std::uint32_t b; std::memcpy(&b, &x, 4); return b; }() + (x < 0 ? -64 : 64)))
        v.push_back(x);
    }
    for (float s : {0.f, -0.f, std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                    std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::denorm_min(),
                    -std::numeric_limits<float>::denorm_min(), -std::numeric_limits<float>::min(),
                    std::numeric_limits<float>::max(), -std::numeric_limits<float>::max()})
      v.push_back(s);
    return v;
  }();
  return xs;
}

}  // namespace

TEST_CASE("every kernel build meets the 4-ulp contract on the mpmath references (float32)") {
  Restore restore;
  std::vector<Row> rows = read_activation_reference(std::string(XGRAD_TEST_DATA_DIR) + "/activation_reference.csv");
  for (Row& r : read_activation_reference(std::string(XGRAD_TEST_DATA_DIR) + "/catalogue_reference.csv")) rows.push_back(std::move(r));
  for (const std::string& isa : k::available_isas()) {
    REQUIRE(k::use_isa(isa));
    std::size_t checked = 0, failures = 0;
    long double worst = 0;
    for (const Row& r : rows) {
      if (r.dtype != "float32") continue;
      const Value<float> v = evaluate_kernel(r.fn, static_cast<float>(r.x));
      const Check cf = check_value<float>(v.f, r.f, 4), cd = check_value<float>(v.df, r.df, 4);
      ++checked;
      worst = std::max({worst, cf.ulps, cd.ulps});
      if (!cf.ok || !cd.ok) {
        if (++failures <= 10)
          MESSAGE(isa << " " << r.function << "(" << r.x_text << "): f " << v.f << " (" << double(cf.ulps)
                      << " ulp) f' " << v.df << " (" << double(cd.ulps) << " ulp) exact " << r.f.text << ", "
                      << r.df.text);
      }
    }
    MESSAGE(isa << ": " << checked << " float32 rows, worst " << double(worst) << " ulp");
    CHECK(checked > 1000);
    CHECK(failures == 0);
  }
}

TEST_CASE("every kernel build agrees with xgrad::math within 1 ulp (sigmoid', gelu: 2, gelu': 3) on a million float32 inputs") {
  Restore restore;
  const std::vector<float>& xs = sweep();
  const std::vector<float> ones(xs.size(), 1.f);
  std::vector<float> f(xs.size()), df(xs.size());
  for (const std::string& isa : k::available_isas()) {
    REQUIRE(k::use_isa(isa));
    for (const auto& [name, fn] : functions()) {
      const xgrad::ActivationParams p = reference_params(fn);
      k::activation_forward<float>(fn, xs.data(), f.data(), xs.size(), p);
      k::activation_backward<float>(fn, xs.data(), ones.data(), df.data(), xs.size(), false, p);
      double worst_f = 0, worst_df = 0;
      std::size_t bad = 0;
      for (std::size_t i = 0; i < xs.size(); ++i) {
        const Value<float> ref = evaluate<float>(fn, xs[i]);
        const double ef = ulp_distance(f[i], ref.f), ed = ulp_distance(df[i], ref.df);
        worst_f = std::max(worst_f, ef);
        worst_df = std::max(worst_df, ed);
        if (ef > kernel_ulps(fn, isa, false) || ed > kernel_ulps(fn, isa, true) ||
            (std::signbit(f[i]) != std::signbit(ref.f) && !(std::isnan(f[i]) && std::isnan(ref.f)))) {
          if (++bad <= 5)
            MESSAGE(isa << " " << name << "(" << xs[i] << " = " << std::hexfloat << xs[i] << std::defaultfloat << "): kernel "
                        << f[i] << ", " << df[i] << "; scalar " << ref.f << ", " << ref.df);
        }
      }
      MESSAGE(isa << " " << name << ": worst " << worst_f << " / " << worst_df << " ulp from xgrad::math over "
                  << xs.size() << " inputs");
      CHECK(bad == 0);
    }
  }
}

TEST_CASE("every elementwise kernel may write over its input: y = f(y), g = g * f'(x)") {
  Restore restore;
  // 37 values: not a multiple of any lane count; lanes for the scalar kernel (gelu: x <= -13, NaN, +-inf) in
  // the middle of a vector block and in the tail
  std::vector<float> x;
  for (int i = 0; i < 37; ++i) x.push_back(static_cast<float>(std::sin(i * 1.7) * 8));
  x[5] = -20.f;
  x[20] = std::numeric_limits<float>::quiet_NaN();
  x[33] = -std::numeric_limits<float>::infinity();
  x[35] = std::numeric_limits<float>::infinity();
  std::vector<float> g(x.size());
  for (std::size_t i = 0; i < g.size(); ++i) g[i] = static_cast<float>(std::cos(i * 0.9));
  auto same = [](const std::vector<float>& a, const std::vector<float>& b) {
    for (std::size_t i = 0; i < a.size(); ++i)
      if (std::memcmp(&a[i], &b[i], sizeof(float)) != 0 && !(std::isnan(a[i]) && std::isnan(b[i]))) return false;
    return true;
  };
  for (const std::string& isa : k::available_isas()) {
    REQUIRE(k::use_isa(isa));
    for (const auto& [name, u] : functions()) {
      CAPTURE(isa);
      CAPTURE(name);
      const xgrad::ActivationParams p = reference_params(u);
      std::vector<float> y(x.size()), y_in_place = x;
      k::activation_forward<float>(u, x.data(), y.data(), x.size(), p);
      k::activation_forward<float>(u, y_in_place.data(), y_in_place.data(), x.size(), p);
      CHECK(same(y, y_in_place));
      for (bool accumulate : {false, true}) {
        std::vector<float> dx = g, dx_in_place = g;
        k::activation_backward<float>(u, x.data(), g.data(), dx.data(), x.size(), accumulate, p);
        k::activation_backward<float>(u, x.data(), dx_in_place.data(), dx_in_place.data(), x.size(), accumulate, p);
        CHECK(same(dx, dx_in_place));
      }
    }
  }
}

TEST_CASE("softmax and log_softmax rows agree with xgrad::math within 1 ulp, NaN and infinite rows included") {
  Restore restore;
  // 37: not a multiple of the lane count (tails); 10 and 2: the narrow-row path (lanes across rows)
  for (const std::size_t cols : {std::size_t(37), std::size_t(10), std::size_t(2)}) {
  CAPTURE(cols);
  std::vector<std::vector<float>> rows;
  for (int r = 0; r < 40; ++r) {
    std::vector<float> row(cols);
    for (std::size_t j = 0; j < cols; ++j) row[j] = static_cast<float>(std::sin(r * 7.1 + j * 1.3) * (r < 20 ? 5 : 60));
    rows.push_back(row);
  }
  rows.push_back(std::vector<float>(cols, 3.f));                                   // ties: the first max is k
  rows.push_back(std::vector<float>(cols, -std::numeric_limits<float>::infinity()));  // all -inf: NaN
  rows.push_back(rows[0]);
  rows.back()[cols / 2] = std::numeric_limits<float>::quiet_NaN();
  rows.push_back(rows[1]);
  rows.back()[cols - 1] = std::numeric_limits<float>::infinity();
  rows.push_back(rows[2]);
  rows.back()[0] = -std::numeric_limits<float>::infinity();
  rows.push_back(std::vector<float>(cols, -1e4f));
  rows.back()[1] = 0.f;  // log_softmax of the max is -(tiny), not 0
  std::vector<float> x, g;
  for (auto& row : rows) x.insert(x.end(), row.begin(), row.end());
  for (std::size_t i = 0; i < x.size(); ++i) g.push_back(static_cast<float>(std::cos(i * 0.7)));
  const std::size_t n = rows.size();
  const xgrad::Shape shape{n, cols};
  for (const std::string& isa : k::available_isas()) {
    REQUIRE(k::use_isa(isa));
    for (bool log : {false, true}) {
      std::vector<float> y(x.size()), ref(x.size()), dx(x.size(), 0.5f), dref(x.size(), 0.5f);
      if (log) {
        k::log_softmax_rows(x.data(), y.data(), n, cols);
        m::log_softmax_lanes(x.data(), ref.data(), shape, 1);
        k::log_softmax_backward_rows(ref.data(), g.data(), dx.data(), n, cols, true);
        m::log_softmax_backward_lanes(ref.data(), g.data(), dref.data(), shape, 1);
      } else {
        k::softmax_rows(x.data(), y.data(), n, cols);
        m::softmax_lanes(x.data(), ref.data(), shape, 1);
        k::softmax_backward_rows(ref.data(), g.data(), dx.data(), n, cols, true);
        m::softmax_backward_lanes(ref.data(), g.data(), dref.data(), shape, 1);
      }
      double worst = 0, worst_back = 0;
      for (std::size_t i = 0; i < x.size(); ++i) {
        worst = std::max(worst, ulp_distance(y[i], ref[i]));
        worst_back = std::max(worst_back, ulp_distance(dx[i], dref[i]));
      }
      MESSAGE(isa << std::string(log ? " log_softmax" : " softmax") << ": worst " << worst << " ulp, backward " << worst_back);
      CHECK(worst <= 1);
      CHECK(worst_back <= 1);
    }
  }
  }
}

TEST_CASE("softmin rows are the softmax kernels on -x and -g, bit for bit, and agree with xgrad::math") {
  Restore restore;
  const float inf = std::numeric_limits<float>::infinity();
  // 1024: whole blocks of rows; 37: tails; 10 and 2: the narrow path, where a -inf (+inf once negated) row goes
  // to the scalar code, which must still see the input
  for (const std::size_t cols : {std::size_t(1024), std::size_t(37), std::size_t(10), std::size_t(2)}) {
    CAPTURE(cols);
    const std::size_t n = 13;
    std::vector<float> x(n * cols), g(n * cols);
    for (std::size_t i = 0; i < x.size(); ++i) {
      x[i] = static_cast<float>(std::sin(i * 1.7) * (i < x.size() / 2 ? 5 : 60));
      g[i] = static_cast<float>(std::cos(i * 0.7));
    }
    x[3 * cols] = -inf;
    x[5 * cols + 1] = std::numeric_limits<float>::quiet_NaN();
    std::vector<float> neg_x(x.size()), neg_g(g.size());
    for (std::size_t i = 0; i < x.size(); ++i) neg_x[i] = -x[i], neg_g[i] = -g[i];
    const xgrad::Shape shape{n, cols};
    std::vector<float> ref(x.size()), d(x.size(), 0.f);
    m::softmax_lanes(neg_x.data(), ref.data(), shape, 1);
    m::softmax_backward_lanes(ref.data(), g.data(), d.data(), shape, 1);
    for (const std::string& isa : k::available_isas()) {
      REQUIRE(k::use_isa(isa));
      std::vector<float> y(x.size()), ys(x.size());
      k::softmin_rows(x.data(), y.data(), n, cols);
      k::softmax_rows(neg_x.data(), ys.data(), n, cols);
      CHECK(std::memcmp(y.data(), ys.data(), y.size() * sizeof(float)) == 0);
      for (bool accumulate : {false, true}) {
        std::vector<float> dx(x.size(), 0.5f), ds(x.size(), 0.5f);
        k::softmin_backward_rows(ref.data(), g.data(), dx.data(), n, cols, accumulate);
        k::softmax_backward_rows(ref.data(), neg_g.data(), ds.data(), n, cols, accumulate);
        CHECK(std::memcmp(dx.data(), ds.data(), dx.size() * sizeof(float)) == 0);
        double worst = 0, worst_back = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
          worst = std::max(worst, ulp_distance(y[i], ref[i]));
          worst_back = std::max(worst_back, ulp_distance(dx[i], (accumulate ? 0.5f : 0.f) - d[i]));
        }
        CHECK(worst <= 1);
        CHECK(worst_back <= 1);
      }
    }
  }
}

TEST_CASE("backward kernels write or accumulate") {
  Restore restore;
  const std::vector<float> x{-2.f, -0.5f, 0.f, 0.5f, 2.f, 3.f, -3.f, 1.f, 0.25f, -0.25f};
  const std::vector<float> g{1.f, 2.f, 3.f, 4.f, 5.f, 6.f, 7.f, 8.f, 9.f, 10.f};
  for (const std::string& isa : k::available_isas()) {
    REQUIRE(k::use_isa(isa));
    std::vector<float> w(x.size(), 100.f), a(x.size(), 100.f);
    k::activation_backward<float>(xgrad::Act::tanh, x.data(), g.data(), w.data(), x.size(), false, {});
    k::activation_backward<float>(xgrad::Act::tanh, x.data(), g.data(), a.data(), x.size(), true, {});
    for (std::size_t i = 0; i < x.size(); ++i) {
      CHECK(w[i] == g[i] * m::tanh_derivative(x[i]));
      CHECK(a[i] == 100.f + g[i] * m::tanh_derivative(x[i]));
    }
    std::vector<float> d(x.size(), 1.f);
    double total = k::prelu_backward(x.data(), g.data(), d.data(), x.size(), 0.25f, true);
    double expect = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      expect += double(g[i]) * (x[i] > 0 ? 0.0 : double(x[i]));
      CHECK(d[i] == 1.f + g[i] * (x[i] > 0 ? 1.f : 0.25f));
    }
    CHECK(total == doctest::Approx(expect).epsilon(1e-15));
  }
}

TEST_CASE("large tensor buffers are reused from the per-thread cache") {
  xgrad::detail::release_cached_buffers();
  const float* first = nullptr;
  {
    xgrad::Tensor<float> t = xgrad::Tensor<float>::from_shape({512, 1024});  // 2 MiB
    first = t.data();
    CHECK(reinterpret_cast<std::uintptr_t>(first) % 64 == 0);
  }
  CHECK(xgrad::detail::cached_buffer_bytes() >= 2u << 20);
  xgrad::Tensor<float> again = xgrad::Tensor<float>::from_shape({1024, 512});
  CHECK(again.data() == first);
  CHECK(xgrad::detail::cached_buffer_bytes() == 0);
  xgrad::Tensor<float> small = xgrad::Tensor<float>::from_shape({16});  // a small-block free list
  CHECK(small.size() == 16);
  const float* mid = nullptr;
  {
    xgrad::Tensor<float> t = xgrad::Tensor<float>::from_shape({256, 64});  // 64 KiB: a batch's activations
    mid = t.data();
  }
  CHECK(xgrad::detail::cached_buffer_bytes() >= 64u << 10);
  xgrad::Tensor<float> mid_again = xgrad::Tensor<float>::from_shape({64, 256});
  CHECK(mid_again.data() == mid);
}

namespace {
/// gemm_small in T against a long-double reference on every transpose, beta and shape.
template <class T>
void check_gemm_small(double tolerance) {
  for (auto [m, n, kk] : {std::array<std::size_t, 3>{1, 1, 1}, {3, 2, 5}, {32, 16, 2}, {9, 33, 17}, {64, 128, 64},
                           {17, 10, 64}, {13, 8, 7}, {70, 24, 40}}) {
    for (bool ta : {false, true})
      for (bool tb : {false, true})
        for (T beta : {T(0), T(0.5)}) {
          std::vector<T> a(m * kk), b(kk * n), c(m * n), ref(m * n);
          for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<T>(std::sin(i * 0.37));
          for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<T>(std::cos(i * 0.11));
          for (std::size_t i = 0; i < c.size(); ++i) c[i] = ref[i] = static_cast<T>(i % 7);
          const std::size_t lda = ta ? m : kk, ldb = tb ? kk : n;
          REQUIRE(k::gemm_small(ta, tb, m, n, kk, T(1.5), a.data(), lda, b.data(), ldb, beta, c.data(), n));
          for (std::size_t i = 0; i < m; ++i)
            for (std::size_t j = 0; j < n; ++j) {
              long double s = 0;
              for (std::size_t p = 0; p < kk; ++p)
                s += static_cast<long double>(ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
              const double expect = static_cast<double>(1.5L * s + static_cast<long double>(beta) * ref[i * n + j]);
              CHECK(double(c[i * n + j]) == doctest::Approx(expect).epsilon(tolerance).scale(double(kk)));
            }
        }
  }
}
}  // namespace

TEST_CASE("the small matrix product matches a double-precision reference for every transpose and shape") {
  Restore restore;
  for (const std::string& isa : k::available_isas()) {
    REQUIRE(k::use_isa(isa));
    CAPTURE(isa);
    check_gemm_small<float>(1e-5);
    check_gemm_small<double>(1e-13);
  }
  float x = 0;
  CHECK_FALSE(k::gemm_small(false, false, 512, 512, 512, 1.f, &x, 1, &x, 1, 0.f, &x, 1));  // left to BLAS
  double xd = 0;
  CHECK_FALSE(k::gemm_small(false, false, 512, 512, 512, 1.0, &xd, 1, &xd, 1, 0.0, &xd, 1));
}
