// Exactness of the catalogue activation definitions (core/include/xgrad/core/
// activations/*.hpp, listed in activation_catalogue.hpp) against exact values
// from mpmath at 256 bits (tools/make_reference.py -> catalogue_reference.csv).
//
// For every definition in the list, float32 and float64: f and f' within 4 ulp
// where the exact value is normal in the dtype (float32: the definition
// through ScalarMath<double>, rounded once; float64: through its Float64Math);
// NaN in gives NaN out; the float32 results stay within 4 ulp when exp, expm1,
// tanh and log1p carry the vector policy's errors (NoisyMath); parameters are
// checked (check_param, invalid); and at each kink f and f' are PyTorch 1.13's
// (kink_reference.csv, tools/torch_kinks.py). Adding a definition to
// CatalogueDefinitions adds its tests.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "../tools/exactness_reference.hpp"
#include "xgrad/core/activation_catalogue.hpp"

namespace {

using namespace xgrad::exactness;
namespace m = xgrad::math;

// XGRAD_CATALOGUE_CSV: another reference of the same layout (a --dense run of make_reference.py).
const std::string kCatalogueCsv = std::getenv("XGRAD_CATALOGUE_CSV") != nullptr
                                      ? std::string(std::getenv("XGRAD_CATALOGUE_CSV"))
                                      : std::string(XGRAD_TEST_DATA_DIR) + "/catalogue_reference.csv";
const std::string kKinkCsv = std::string(XGRAD_TEST_DATA_DIR) + "/kink_reference.csv";
constexpr long double kMaxUlps = 4;

/// ScalarMath<double> with the vector policy's error bounds as actual errors:
/// exp and expm1 times (1 + 1e-11 s), tanh (two expm1 there) times (1 + 2e-11 s),
/// log1p times (1 + 4e-9 s), s = +-1 from a pseudo-random sequence (each call
/// draws anew, so a formula's terms get errors of either sign).
struct NoisyMath : m::ScalarMath<double> {
  static inline std::uint64_t state = 0x9E3779B97F4A7C15ull;
  static double s() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return (state >> 63) ? 1.0 : -1.0;
  }
  static V exp(V x) { return std::exp(x) * (1 + 1e-11 * s()); }
  static V expm1(V x) { return std::expm1(x) * (1 + 1e-11 * s()); }
  static V tanh(V x) { return std::tanh(x) * (1 + 2e-11 * s()); }
  static V log1p(V x) { return std::log1p(x) * (1 + 4e-9 * s()); }
};

/// The parameters the reference was made with: the defaults; threshold has
/// none and uses PyTorch's documentation example (0.1, 20), as make_reference.py.
template <class D>
std::vector<double> reference_params() {
  std::vector<double> p;
  for (const auto& spec : D::params) p.push_back(spec.default_value);
  if (std::string(D::name) == "threshold") p = {0.1, 20.0};
  return p;
}

template <class Tuple, class F, std::size_t... I>
void for_each_type(F&& f, std::index_sequence<I...>) {
  (f(static_cast<std::tuple_element_t<I, Tuple>*>(nullptr)), ...);
}
template <class Tuple, class F>
void for_each_definition(F&& f) {
  for_each_type<Tuple>(f, std::make_index_sequence<std::tuple_size_v<Tuple>>{});
}
using Definitions = m::CatalogueDefinitions;

const std::vector<ReferenceRow>& rows() {
  static const std::vector<ReferenceRow> r = read_reference_rows(kCatalogueCsv);
  return r;
}

template <class D, class M, class T>
T eval_f(T x, const double* p) {
  return static_cast<T>(D::template f<M>(static_cast<typename M::V>(x), p));
}
template <class D, class M, class T>
T eval_df(T x, const double* p) {
  return static_cast<T>(D::template df<M>(static_cast<typename M::V>(x), p));
}

struct Tally {
  std::size_t rows = 0, failures = 0;
  long double worst_f = 0, worst_df = 0;
  std::string first;

  void add(const ReferenceRow& r, const char* which, long double got, const Exact& e, const Check& c) {
    long double& worst = std::string(which) == "f" ? worst_f : worst_df;
    if (c.measured) worst = std::max(worst, c.ulps);
    if (c.ok) return;
    if (++failures > 10) return;
    char buf[360];
    std::snprintf(buf, sizeof buf, "\n  %s %s %s(x = %s) = %.21Lg, exact %s, %.3Lf ulp: %s", r.function.c_str(),
                  r.dtype.c_str(), which, r.x_text.c_str(), got, e.text.c_str(), c.ulps,
                  c.why.empty() ? c.miss : c.why.c_str());
    first += buf;
  }
};

/// f and f' of D over its rows of one dtype, through the policy M, rounded to T.
template <class D, class M, class T>
Tally measure(const char* dtype, const double* p) {
  Tally t;
  for (const ReferenceRow& r : rows()) {
    if (r.function != D::name || r.dtype != dtype) continue;
    ++t.rows;
    const T x = static_cast<T>(r.x);
    const T f = eval_f<D, M>(x, p), df = eval_df<D, M>(x, p);
    t.add(r, "f", f, r.f, check_value<T>(f, r.f, kMaxUlps));
    t.add(r, "f'", df, r.df, check_value<T>(df, r.df, kMaxUlps));
  }
  return t;
}

template <class D>
void check_definition() {
  const std::vector<double> params = reference_params<D>();
  const double* p = params.data();
  const Tally f32 = measure<D, m::ScalarMath<double>, float>("float32", p);
  const Tally f64 = measure<D, typename D::Float64Math, double>("float64", p);
  const Tally noisy = measure<D, NoisyMath, float>("float32", p);
  // The figures for docs/exactness.md (printed on every run).
  MESSAGE(std::string(D::name) << ": worst ulp f32 f " << static_cast<double>(f32.worst_f) << ", f' "
                  << static_cast<double>(f32.worst_df) << "; f64 f " << static_cast<double>(f64.worst_f) << ", f' "
                  << static_cast<double>(f64.worst_df) << "; noisy f32 f " << static_cast<double>(noisy.worst_f)
                  << ", f' " << static_cast<double>(noisy.worst_df));
  INFO(std::string(D::name));
  CHECK(f32.rows > 1000);
  CHECK(f64.rows > 1000);
  CHECK_MESSAGE(f32.failures == 0, f32.failures << " float32 failures" << f32.first);
  CHECK_MESSAGE(f64.failures == 0, f64.failures << " float64 failures" << f64.first);
  CHECK_MESSAGE(noisy.failures == 0, noisy.failures << " float32 failures under NoisyMath" << noisy.first);
  // NaN in, NaN out, whatever the path (the reference has a NaN row too).
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK(std::isnan(eval_f<D, m::ScalarMath<double>>(std::nanf(""), p)));
  CHECK(std::isnan(eval_df<D, m::ScalarMath<double>>(std::nanf(""), p)));
  CHECK(std::isnan(eval_f<D, typename D::Float64Math>(nan, p)));
  CHECK(std::isnan(eval_df<D, typename D::Float64Math>(nan, p)));
  CHECK(std::isnan(eval_f<D, NoisyMath>(std::nanf(""), p)));
  CHECK(std::isnan(eval_df<D, NoisyMath>(std::nanf(""), p)));
  // Infinite inputs give a number or the right infinity, never NaN.
  for (double x : {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()}) {
    INFO("x = " << x);
    CHECK(!std::isnan(eval_f<D, typename D::Float64Math>(x, p)));
    CHECK(!std::isnan(eval_df<D, typename D::Float64Math>(x, p)));
    CHECK(!std::isnan(eval_f<D, m::ScalarMath<double>>(static_cast<float>(x), p)));
    CHECK(!std::isnan(eval_df<D, m::ScalarMath<double>>(static_cast<float>(x), p)));
  }
}

}  // namespace

TEST_CASE("catalogue exactness: f and f' within 4 ulp, also under the vector policy's errors") {
  for_each_definition<Definitions>([](auto* d) { check_definition<std::remove_pointer_t<decltype(d)>>(); });
}

TEST_CASE("catalogue exactness: NoisyMath does perturb") {
  CHECK(NoisyMath::exp(1.0) != std::exp(1.0));
  CHECK(NoisyMath::log1p(1.0) != std::log1p(1.0));
  CHECK(std::fabs(NoisyMath::log1p(1.0) / std::log1p(1.0) - 1) < 5e-9);
}

TEST_CASE("catalogue exactness: the reference covers each definition's hard points") {
  std::map<std::pair<std::string, std::string>, std::set<long double>> xs;
  std::set<std::pair<std::string, std::string>> nan_rows;
  for (const ReferenceRow& r : rows()) {
    if (std::isnan(r.x))
      nan_rows.insert({r.function, r.dtype});
    else
      xs[{r.function, r.dtype}].insert(r.x);
  }
  for_each_definition<Definitions>([&](auto* d) {
    using D = std::remove_pointer_t<decltype(d)>;
    for (const char* dtype : {"float32", "float64"}) {
      INFO(std::string(D::name) << " " << dtype);
      const auto& s = xs[{D::name, dtype}];
      CHECK(nan_rows.count({D::name, dtype}) == 1);
      CHECK(s.size() > 1000);
      const bool f32 = std::string(dtype) == "float32";
      auto has = [&](long double v) { return s.count(f32 ? (long double)(float)v : (long double)(double)v) > 0; };
      for (long double v : {0.0L, 1e-30L, -1e-30L, 1e6L, -1e6L, 1e20L, -1e20L, 3.4028234663852886e38L})
        CHECK_MESSAGE(has(v), "missing x = " << static_cast<double>(v));
      if (!f32)
        for (long double v : {1.7976931348623157e308L, -1.7976931348623157e308L, 1e155L, -1e155L})
          CHECK_MESSAGE(has(v), "missing x = " << static_cast<double>(v));
      // each kink and its nearest neighbours in the dtype on both sides
      for (double k : D::kinks) {
        CHECK_MESSAGE(has(k), "missing kink " << k);
        const long double below = f32 ? (long double)std::nextafter((float)k, -INFINITY) : std::nextafter(k, -INFINITY);
        const long double above = f32 ? (long double)std::nextafter((float)k, INFINITY) : std::nextafter(k, INFINITY);
        CHECK_MESSAGE((s.count(below) && s.count(above)), "no nearest neighbours of the kink " << k);
      }
    }
  });
  CHECK(xs[{"logsigmoid", "float32"}].count(-300.0L));
  CHECK(xs[{"logsigmoid", "float64"}].count(-300.0L));
  // The roots of silu' and mish': the nearest float64 inputs on both sides.
  for (auto [name, root] : {std::pair<const char*, long double>{"silu", m::Silu::root_hi + m::Silu::root_lo},
                            std::pair<const char*, long double>{"mish", m::Mish::root_hi + m::Mish::root_lo}}) {
    const auto& s = xs[{name, "float64"}];
    const double below = std::nextafter(static_cast<double>(root), -1e300);
    const double above = std::nextafter(static_cast<double>(root), 1e300);
    CHECK_MESSAGE(s.count(below), name);
    CHECK_MESSAGE(s.count(above), name);
  }
}

TEST_CASE("catalogue: parameter domains give the message") {
  using m::check_param;
  CHECK(check_param("softshrink", m::Softshrink::params[0], -1.0) ==
        "softshrink: lambd must be a finite number >= 0, got -1");
  CHECK(check_param("softshrink", m::Softshrink::params[0], 0.0).empty());
  CHECK(check_param("hardshrink", m::Hardshrink::params[0], -0.25) ==
        "hardshrink: lambd must be a finite number >= 0, got -0.25");
  CHECK(check_param("threshold", m::Threshold::params[0], std::nan("")) ==
        "threshold: threshold must be a finite number, got NaN");
  CHECK(check_param("threshold", m::Threshold::params[1], INFINITY) ==
        "threshold: value must be a finite number, got inf");
  CHECK(m::is_required(m::Threshold::params[0]));
  CHECK(m::is_required(m::Threshold::params[1]));
  CHECK(check_param("celu", m::Celu::params[0], 0.0) == "celu: alpha must be a finite nonzero number, got 0");
  CHECK(check_param("celu", m::Celu::params[0], -2.0).empty());  // PyTorch allows a negative alpha
  CHECK(check_param("squareplus", m::Squareplus::params[0], -4.0) ==
        "squareplus: b must be a finite number >= 0, got -4");
  CHECK(check_param("hardtanh", m::Hardtanh::params[0], std::nan("")) ==
        "hardtanh: min_val must be a finite number, got NaN");
  const double swapped[2] = {2, 1}, equal[2] = {1, 1}, fine[2] = {-1, 1}, tiny[2] = {1e-30, 0.5};
  CHECK(m::Hardtanh::invalid(swapped) == "hardtanh: min_val (2) must be less than max_val (1)");
  CHECK(m::Hardtanh::invalid(equal) == "hardtanh: min_val (1) must be less than max_val (1)");
  CHECK(m::Hardtanh::invalid(fine).empty());
  CHECK(m::Hardtanh::invalid(tiny).empty());
  // Every default is inside its own domain; a NaN is refused by every parameter.
  for_each_definition<Definitions>([](auto* d) {
    using D = std::remove_pointer_t<decltype(d)>;
    for (const auto& spec : D::params) {
      INFO(std::string(D::name) << " " << spec.name);
      if (!m::is_required(spec)) CHECK(check_param(D::name, spec, spec.default_value).empty());
      const std::string msg = check_param(D::name, spec, std::nan(""));
      CHECK(msg.find(std::string(D::name) + ": " + spec.name + " must be") == 0);
      CHECK(msg.find("got NaN") != std::string::npos);
    }
  });
}

namespace {

/// "alpha=2.0;..." in the order of D::params (empty: the defaults).
template <class D>
std::vector<double> parse_params(const std::string& text) {
  std::vector<double> p = reference_params<D>();
  std::istringstream in(text);
  std::string item;
  while (std::getline(in, item, ';')) {
    const auto eq = item.find('=');
    REQUIRE(eq != std::string::npos);
    bool found = false;
    for (std::size_t i = 0; i < D::params.size(); ++i)
      if (item.substr(0, eq) == D::params[i].name) {
        p[i] = std::stod(item.substr(eq + 1));
        found = true;
      }
    REQUIRE_MESSAGE(found, std::string(D::name) << ": unknown parameter in " << item);
  }
  return p;
}

}  // namespace

TEST_CASE("catalogue: at each kink, PyTorch 1.13's f and f' (float64)") {
  const auto table = read_csv(kKinkCsv, 5);
  REQUIRE(table.size() >= 20);
  std::size_t checked = 0;
  for (const auto& c : table) {
    bool known = false;
    for_each_definition<Definitions>([&](auto* d) {
      using D = std::remove_pointer_t<decltype(d)>;
      if (c[0] != D::name) return;
      known = true;
      const std::vector<double> p = parse_params<D>(c[1]);
      const double x = std::stod(c[2]), torch_f = std::stod(c[3]), torch_df = std::stod(c[4]);
      const double f = eval_f<D, typename D::Float64Math>(x, p.data());
      const double df = eval_df<D, typename D::Float64Math>(x, p.data());
      INFO(c[0] << "(" << c[1] << ") at x = " << c[2] << ": f " << f << " (torch " << c[3] << "), f' " << df
                << " (torch " << c[4] << ")");
      CHECK(f == torch_f);
      if (c[0] == "selu") {
        // PyTorch multiplies the rounded scale and alpha (1.7580993408473766);
        // xgrad's scale alpha is the exact product rounded once (one ulp above).
        CHECK(df == 1.7580993408473768);
        CHECK(std::nextafter(df, 0.0) == torch_df);
      } else {
        CHECK(df == torch_df);
      }
      ++checked;
    });
    CHECK_MESSAGE(known, "kink table names an unknown function: " << c[0]);
  }
  CHECK(checked == table.size());
}

namespace {

/// f' against a central difference of f (in the Float64Math, unrounded) on a
/// grid of [-6, 6], away from kinks and parameter values: catches a wrong f'
/// at parameters the reference does not use.
template <class D>
void check_derivative_by_differences(const std::vector<double>& params) {
  using M = typename D::Float64Math;
  using V = typename M::V;
  const double* p = params.data();
  std::vector<double> avoid(D::kinks.begin(), D::kinks.end());
  for (double v : params) {
    avoid.push_back(v);
    avoid.push_back(-v);
  }
  const V h = static_cast<V>(1e-5);
  std::size_t n = 0;
  for (double x = -6; x <= 6; x += 0.0173) {
    if (std::any_of(avoid.begin(), avoid.end(), [&](double a) { return std::fabs(x - a) < 1e-3; })) continue;
    const V xv = static_cast<V>(x);
    const V fd = (D::template f<M>(xv + h, p) - D::template f<M>(xv - h, p)) / (2 * h);
    const V df = D::template df<M>(xv, p);
    INFO(std::string(D::name) << " x = " << x << ": f' " << static_cast<double>(df) << ", difference "
                              << static_cast<double>(fd));
    CHECK(std::fabs(static_cast<double>(fd - df)) <= 1e-6 * (1 + std::fabs(static_cast<double>(df))));
    ++n;
  }
  CHECK(n > 600);
}

}  // namespace

TEST_CASE("catalogue: f' is the derivative of f, also at other parameters") {
  for_each_definition<Definitions>([](auto* d) {
    using D = std::remove_pointer_t<decltype(d)>;
    check_derivative_by_differences<D>(reference_params<D>());
  });
  check_derivative_by_differences<m::Celu>({2.0});
  check_derivative_by_differences<m::Celu>({-1.5});
  check_derivative_by_differences<m::Squareplus>({0.5});
  check_derivative_by_differences<m::Squareplus>({0.0});
  check_derivative_by_differences<m::Hardtanh>({-2.0, 3.0});
  check_derivative_by_differences<m::Softshrink>({1.0});
  check_derivative_by_differences<m::Hardshrink>({1.0});
  check_derivative_by_differences<m::Threshold>({-1.0, 0.5});
}

TEST_CASE("catalogue: squareplus with b = 0 is relu, with f'(0) = 1/2") {
  const double b0[1] = {0.0};
  using M = m::ScalarMath<long double>;
  CHECK(m::Squareplus::f<M>(3.0L, b0) == 3.0L);
  CHECK(m::Squareplus::f<M>(-3.0L, b0) == 0.0L);
  CHECK(m::Squareplus::f<M>(0.0L, b0) == 0.0L);
  CHECK(m::Squareplus::df<M>(0.0L, b0) == 0.5L);
  CHECK(m::Squareplus::df<M>(2.0L, b0) == 1.0L);
  CHECK(m::Squareplus::df<M>(-2.0L, b0) == 0.0L);
}
