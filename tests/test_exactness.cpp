// Exactness of the activation kernels (xgrad::math) against exact values
// computed with mpmath at 256 bits (tools/make_reference.py, docs/exactness.md).
//
// The requirement, in float32 and float64: f and f' within 4 ulp of the exact
// value wherever that value is a normal number of the dtype; never NaN or inf
// where it is finite; exactly 0 where it is exactly 0; NaN in gives NaN out.
// The inputs cover -1e6 .. 1e6 (log-spaced magnitudes of both signs), 0,
// +-1e-30, the saturated region 10 <= |x| <= 100, the overflow/underflow edges
// and a linear grid on [-5, 5]; no row is skipped.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "../tools/exactness_reference.hpp"
#include "xgrad/core/activations.hpp"

namespace {

using namespace xgrad::exactness;
namespace m = xgrad::math;

const std::string kActivationCsv = std::string(XGRAD_TEST_DATA_DIR) + "/activation_reference.csv";
const std::string kSoftmaxCsv = std::string(XGRAD_TEST_DATA_DIR) + "/softmax_reference.csv";
constexpr long double kMaxUlps = 4;

// Roots of gelu' and gelu_tanh' (mpmath, 200 bits). Near them f' is the
// difference of two terms near 0.2 that cancel, and a direct float64
// evaluation is off by up to 1e4 ulp; the reference has points from 1e-3 down
// to the nearest representable inputs on both sides, asserted like any other.
constexpr long double kGeluDerivativeRoot = -0.751791524693564457457904946779524L;
constexpr long double kGeluTanhDerivativeRoot = -0.752461422071016258487954443288916L;

const std::vector<Row>& activation_rows() {
  static const std::vector<Row> rows = read_activation_reference(kActivationCsv);
  return rows;
}

std::string describe(const Row& r, const char* which, long double got, const Check& c) {
  char buf[320];
  std::snprintf(buf, sizeof buf, "%s %s %s(x = %s = %.17Lg) = %.21Lg, exact %s, %.3Lf ulp: %s", r.function.c_str(),
                r.dtype.c_str(), which, r.x_text.c_str(), r.x, got, (std::string(which) == "f" ? r.f : r.df).text.c_str(),
                c.ulps, c.why.c_str());
  return buf;
}

struct Tally {
  std::size_t rows = 0, measured = 0, failures = 0;
  long double worst_f = 0, worst_df = 0;
  std::vector<std::string> first_failures;

  void fail(std::string s) {
    ++failures;
    if (first_failures.size() < 12) first_failures.push_back(std::move(s));
  }
};

template <class T>
void check_row(const Row& r, Tally& t) {
  const Value<T> v = evaluate<T>(r.fn, static_cast<T>(r.x));
  const Check cf = check_value<T>(v.f, r.f, kMaxUlps);
  const Check cd = check_value<T>(v.df, r.df, kMaxUlps);
  ++t.rows;
  if (cf.measured) {
    ++t.measured;
    t.worst_f = std::max(t.worst_f, cf.ulps);
  }
  if (cd.measured) {
    ++t.measured;
    t.worst_df = std::max(t.worst_df, cd.ulps);
  }
  if (!cf.ok) t.fail(describe(r, "f", v.f, cf));
  if (!cd.ok) t.fail(describe(r, "f'", v.df, cd));
}

template <class T>
void check_activation(const std::string& function, const std::string& dtype) {
  Tally t;
  for (const Row& r : activation_rows()) {
    if (r.function != function || r.dtype != dtype) continue;
    check_row<T>(r, t);
  }
  INFO(function << " " << dtype << ": " << t.rows << " rows, " << t.measured << " values measured, worst "
                << static_cast<double>(t.worst_f) << " ulp (f), " << static_cast<double>(t.worst_df)
                << " ulp (f')");
  std::string first;
  for (const auto& s : t.first_failures) first += "\n  " + s;
  INFO("first failures:" << first);
  CHECK(t.rows > 1000);
  CHECK_MESSAGE(t.failures == 0, t.failures << " failures");
}

}  // namespace

TEST_CASE("exactness: the reference covers the required inputs") {
  const auto& rows = activation_rows();
  REQUIRE(!rows.empty());
  std::set<std::string> seen;
  for (const auto& [name, fn] : functions()) {
    if (!in_activation_reference(fn)) continue;  // catalogue_reference.csv: test_catalogue_exactness.cpp
    (void)fn;
    for (const char* dtype : {"float32", "float64"}) {
      std::set<long double> xs;
      bool nan_row = false;
      for (const Row& r : rows)
        if (r.function == name && r.dtype == dtype) {
          if (std::isnan(r.x))
            nan_row = true;
          else
            xs.insert(r.x);
        }
      INFO(name << " " << dtype);
      CHECK(nan_row);
      CHECK(xs.size() > 1000);
      const bool f32 = std::string(dtype) == "float32";
      auto has = [&](long double v) { return xs.count(f32 ? (long double)(float)v : (long double)(double)v) > 0; };
      for (long double v : {0.0L, 1e-30L, -1e-30L, 1e6L, -1e6L, 10.0L, -10.0L, 100.0L, -100.0L, 88.7L, -88.7L,
                            709.8L, -709.8L, 5.0L, -5.0L, 20.0L})
        CHECK_MESSAGE(has(v), "missing x = " << static_cast<double>(v));
      // a dense saturated region and both signs of the log-spaced magnitudes
      std::size_t saturated = 0, tiny_neg = 0, huge_neg = 0;
      for (long double x : xs) {
        if (std::fabs(x) >= 10 && std::fabs(x) <= 100) ++saturated;
        if (x < 0 && x > -1e-20L) ++tiny_neg;
        if (x < -1e4L) ++huge_neg;
      }
      CHECK(saturated >= 300);
      CHECK(tiny_neg >= 50);
      CHECK(huge_neg >= 10);
      // the roots of gelu' and gelu_tanh': inputs within 1e-7 on both sides
      for (long double root : {kGeluDerivativeRoot, kGeluTanhDerivativeRoot}) {
        bool below = false, above = false;
        for (long double x : xs) {
          below = below || (x < root && x > root - 1e-7L);
          above = above || (x > root && x < root + 1e-7L);
        }
        CHECK_MESSAGE((below && above), "no input within 1e-7 of the root " << static_cast<double>(root));
      }
    }
  }
}

TEST_CASE("exactness: f and f' within 4 ulp (float32)") {
  for (const auto& [name, fn] : functions()) {
    if (!in_activation_reference(fn)) continue;  // catalogue_reference.csv: test_catalogue_exactness.cpp
    (void)fn;
    check_activation<float>(name, "float32");
  }
}

TEST_CASE("exactness: f and f' within 4 ulp (float64)") {
  for (const auto& [name, fn] : functions()) {
    if (!in_activation_reference(fn)) continue;  // catalogue_reference.csv: test_catalogue_exactness.cpp
    (void)fn;
    check_activation<double>(name, "float64");
  }
}

TEST_CASE("exactness: softmax and log_softmax within 4 ulp") {
  const auto cases = read_softmax_reference(kSoftmaxCsv);
  REQUIRE(cases.size() >= 20);
  auto run = [](const SoftmaxCase& sc, auto zero) {
    using T = decltype(zero);
    const auto x = make_lane<T>(sc.x);
    const auto y = m::softmax(x);
    const auto ly = m::log_softmax(x);
    for (std::size_t i = 0; i < sc.x.size(); ++i) {
      const Check cs = check_value<T>(y(i), sc.softmax[i], kMaxUlps);
      const Check cl = check_value<T>(ly(i), sc.log_softmax[i], kMaxUlps);
      INFO(sc.name << " " << sc.dtype << " [" << i << "] x = " << static_cast<double>(sc.x[i]));
      CHECK_MESSAGE(cs.ok, "softmax = " << static_cast<double>(y(i)) << ", exact " << sc.softmax[i].text << ", "
                                        << static_cast<double>(cs.ulps) << " ulp: " << cs.why);
      CHECK_MESSAGE(cl.ok, "log_softmax = " << static_cast<double>(ly(i)) << ", exact "
                                            << sc.log_softmax[i].text << ", " << static_cast<double>(cl.ulps)
                                            << " ulp: " << cl.why);
    }
  };
  for (const SoftmaxCase& sc : cases) {
    if (sc.dtype == "float32")
      run(sc, 0.0f);
    else
      run(sc, 0.0);
  }
}

TEST_CASE_TEMPLATE("exactness: NaN in gives NaN out, for f and f'", T, float, double) {
  const T nan = std::numeric_limits<T>::quiet_NaN();
  for (const auto& [name, fn] : functions()) {
    if (!in_activation_reference(fn)) continue;  // catalogue_reference.csv: test_catalogue_exactness.cpp
    const Value<T> v = evaluate<T>(fn, nan);
    INFO(name);
    CHECK(std::isnan(v.f));
    CHECK(std::isnan(v.df));
  }
  CHECK(std::isnan(m::prelu_alpha_derivative(nan)));
  CHECK(std::isnan(m::elu(nan, 0.5)));
  CHECK(std::isnan(m::softplus(nan, 2.0, 5.0)));
  CHECK(std::isnan(m::softplus_derivative(nan, 2.0, 5.0)));
}

// ---------------------------------------------------------------- known values
// The values printed by the seed example, compared at their 8 printed decimals
// (float32 additionally allows its own rounding).

namespace {

template <class T, class F>
void check_printed(F f, const std::vector<double>& printed) {
  const std::vector<T> xs = {-2, -1, 0, 1, 2};
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const T y = f(xs[i]);
    INFO("x = " << static_cast<double>(xs[i]) << ": " << static_cast<double>(y) << " vs printed " << printed[i]);
    const double tol = 5e-9 + 1e-15 + (std::is_same_v<T, float> ? std::fabs(printed[i]) * 0x1p-24 : 0.0);
    CHECK(std::fabs(static_cast<double>(y) - printed[i]) <= tol);
  }
}

}  // namespace

TEST_CASE_TEMPLATE("exactness: the seed's printed values", T, float, double) {
  check_printed<T>([](T x) { return m::sigmoid(x); },
                   {0.11920292, 0.26894142, 0.5, 0.73105858, 0.88079708});
  check_printed<T>([](T x) { return m::relu(x); }, {0, 0, 0, 1, 2});
  check_printed<T>([](T x) { return m::leaky_relu(x, 0.01); }, {-0.02, -0.01, 0, 1, 2});
  check_printed<T>([](T x) { return m::prelu(x, T(0.01)); }, {-0.02, -0.01, 0, 1, 2});
  check_printed<T>([](T x) { return m::gelu_tanh(x); },
                   {-0.04540231, -0.15880801, 0, 0.84119199, 1.95459769});
  check_printed<T>([](T x) { return m::elu(x, 1.0); }, {-0.86466472, -0.63212056, 0, 1, 2});

  xgrad::Tensor<T> logits = {T(1), T(2), T(3), T(4), T(5)};
  const auto y = m::softmax(logits);
  const std::vector<double> printed = {0.01165623, 0.03168492, 0.08612854, 0.23412166, 0.63640865};
  for (std::size_t i = 0; i < printed.size(); ++i) {
    const double tol = 5e-9 + 1e-15 + (std::is_same_v<T, float> ? printed[i] * 0x1p-24 : 0.0);
    CHECK(std::fabs(static_cast<double>(y(i)) - printed[i]) <= tol);
  }
}

// ---------------------------------------------------------------- identities
// Derivative identities on [-8, 8], formed in long double from the kernels'
// rounded outputs; the tolerances are a few eps of the dtype, absolute, as
// every quantity here is O(1) (1 - y style forms lose relative accuracy).

TEST_CASE_TEMPLATE("exactness: derivative identities on [-8, 8]", T, float, double) {
  using L = long double;
  const L eps = std::numeric_limits<T>::epsilon();
  const L inv_sqrt_2pi = xgrad::math::kInvSqrt2PiL;
  const L sqrt_2_over_pi = xgrad::math::kSqrt2OverPiL;
  const L cubic = xgrad::math::kGeluTanhCubicL;
  for (int k = 0; k <= 256; ++k) {
    const T x = static_cast<T>(-8 + k * 0.0625 + 0.0131);  // avoids x = 0: the kinks have their own checks
    const L lx = x;
    INFO("x = " << static_cast<double>(x));

    const L s = m::sigmoid(x);
    CHECK(std::fabs(L(m::sigmoid_derivative(x)) - s * (1 - s)) <= 4 * eps);
    CHECK(std::fabs(s + L(m::sigmoid(T(-x))) - 1) <= 2 * eps);

    const L t = m::tanh(x);
    CHECK(std::fabs(L(m::tanh_derivative(x)) - (1 - t * t)) <= 8 * eps);
    CHECK(m::tanh(T(-x)) == -m::tanh(x));

    CHECK(std::fabs(L(m::softplus_derivative(x, 1.0, 20.0)) - s) <= 2 * eps);
    CHECK(std::fabs(L(m::softplus(x, 1.0, 20.0)) - L(m::softplus(T(-x), 1.0, 20.0)) - lx) <=
          8 * eps * (std::fabs(lx) + 1));

    const L e = m::elu(x, 1.0);
    if (x < 0)
      CHECK(std::fabs(L(m::elu_derivative(x, 1.0)) - (e + 1)) <= 4 * eps);
    else
      CHECK(m::elu_derivative(x, 1.0) == T(1));

    CHECK(m::relu(x) == x * m::relu_derivative(x));
    CHECK(std::fabs(L(m::leaky_relu(x, 0.01)) - lx * L(m::leaky_relu_derivative(x, 0.01))) <=
          2 * eps * std::fabs(lx));
    CHECK(m::prelu(x, T(0.25)) == x * m::prelu_derivative(x, T(0.25)));
    CHECK(m::prelu_alpha_derivative(x) == (x > 0 ? T(0) : x));

    // gelu' = Phi + x phi, Phi = gelu / x; gelu(x) - gelu(-x) = x
    const L g = m::gelu(x);
    const L phi = std::exp(-lx * lx / 2) * inv_sqrt_2pi;
    CHECK(std::fabs(L(m::gelu_derivative(x)) - (g / lx + lx * phi)) <= 8 * eps);
    CHECK(std::fabs(g - L(m::gelu(T(-x))) - lx) <= 4 * eps * (std::fabs(lx) + 1));

    // gelu_tanh = x/2 (1 + tanh u); gelu_tanh' = s + 2 x u' s (1 - s), s = gelu_tanh / x
    const L u = sqrt_2_over_pi * (lx + cubic * lx * lx * lx);
    const L du = sqrt_2_over_pi * (1 + 3 * cubic * lx * lx);
    const L gt = m::gelu_tanh(x);
    CHECK(std::fabs(gt - lx / 2 * (1 + std::tanh(u))) <= 4 * eps * (std::fabs(lx) + 1));
    const L st = gt / lx;
    CHECK(std::fabs(L(m::gelu_tanh_derivative(x)) - (st + 2 * lx * du * st * (1 - st))) <=
          8 * eps * (1 + std::fabs(2 * lx * du)));
  }
  // the kinks take the left branch
  CHECK(m::relu_derivative(T(0)) == T(0));
  CHECK(m::leaky_relu_derivative(T(0), 0.01) == T(0.01));
  CHECK(m::prelu_derivative(T(0), T(0.25)) == T(0.25));
  CHECK(m::elu_derivative(T(0), 1.0) == T(1));
  CHECK(m::elu_derivative(T(0), 0.5) == T(0.5));
}
