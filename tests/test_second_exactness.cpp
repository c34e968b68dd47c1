// f'' of every elementwise activation (kernels::activation_second, the double
// backward's kernel) against exact values from mpmath at 256 bits
// (tools/make_reference.py --tables second -> catalogue_second_reference.csv,
// formulas in tools/catalogue_exact.py: exact_second).
//
// For every activation of the catalogue list, float32 and float64, whole
// columns through the array API: within 8 ulp where the exact value is normal
// in the dtype, exactly 0 where it is 0 (linear pieces, kinks), NaN for NaN;
// an activation without rows fails. f'' is checked against a central
// difference of f' (also at other parameters), and at the kinks against
// PyTorch 1.13's double backward (kink_second_reference.csv, tools/torch_kinks.py).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "../tools/exactness_reference.hpp"
#include "xgrad/core/kernels.hpp"

namespace {

using namespace xgrad::exactness;
using xgrad::Act;
using xgrad::ActivationParams;

// XGRAD_SECOND_CSV: another reference of the same layout (a --dense run of make_reference.py).
const std::string kSecondCsv = std::getenv("XGRAD_SECOND_CSV") != nullptr
                                   ? std::string(std::getenv("XGRAD_SECOND_CSV"))
                                   : std::string(XGRAD_TEST_DATA_DIR) + "/catalogue_second_reference.csv";
const std::string kKinkSecondCsv = std::string(XGRAD_TEST_DATA_DIR) + "/kink_second_reference.csv";
constexpr long double kMaxUlps = 8;

struct SecondRow {
  std::string x_text;
  long double x = 0;
  Exact d2f;
};

/// (function, dtype) -> its rows.
const std::map<std::pair<std::string, std::string>, std::vector<SecondRow>>& rows() {
  static const auto table = [] {
    std::map<std::pair<std::string, std::string>, std::vector<SecondRow>> t;
    for (auto& c : read_csv(kSecondCsv, 4)) t[{c[0], c[1]}].push_back({c[2], parse_exact(c[2]).value, parse_exact(c[3])});
    return t;
  }();
  return table;
}

struct Tally {
  std::size_t rows = 0, failures = 0, nan_rows = 0;
  long double worst = 0;
  std::string first;
};

/// activation_second<T> over the function's rows of one dtype, as one array
/// (float32: the vector kernel of the instruction set in use), and the scalar
/// activation_d2f<T> (float32: the definition in double, rounded once).
template <class T>
Tally measure(const xgrad::ActivationInfo& a, const char* dtype) {
  Tally t;
  const auto it = rows().find({a.name, dtype});
  if (it == rows().end()) return t;
  const std::vector<SecondRow>& rs = it->second;
  std::vector<T> x(rs.size()), out(rs.size());
  for (std::size_t i = 0; i < rs.size(); ++i) x[i] = static_cast<T>(rs[i].x);
  xgrad::kernels::activation_second<T>(a.id, reference_params(a.id), x.data(), out.data(), x.size());
  for (std::size_t i = 0; i < rs.size(); ++i) {
    ++t.rows;
    if (std::isnan(x[i])) ++t.nan_rows;
    const T scalar = xgrad::activation_d2f<T>(a.id, x[i], reference_params(a.id));
    for (const T got : {out[i], scalar}) {
      const Check c = check_value<T>(got, rs[i].d2f, kMaxUlps);
      if (c.measured) t.worst = std::max(t.worst, c.ulps);
      if (c.ok) continue;
      if (++t.failures > 10) continue;
      char buf[400];
      std::snprintf(buf, sizeof buf, "\n  %s %s %s f''(x = %s) = %.21Lg, exact %s, %.3Lf ulp: %s", a.name, dtype,
                    got == out[i] ? "array" : "scalar", rs[i].x_text.c_str(), static_cast<long double>(got),
                    rs[i].d2f.text.c_str(), c.ulps, c.why.empty() ? c.miss : c.why.c_str());
      t.first += buf;
    }
  }
  return t;
}

}  // namespace

TEST_CASE("f'' exactness: every elementwise activation within 8 ulp in float32 and float64") {
  const std::string isa = xgrad::kernels::isa();
  std::size_t functions = 0;
  for (const auto& a : xgrad::activation_catalogue()) {
    if (a.shape != xgrad::ActivationShape::elementwise) continue;
    ++functions;
    Tally f32;
    for (const std::string& name : xgrad::kernels::available_isas()) {  // the float32 kernel of each
      REQUIRE(xgrad::kernels::use_isa(name));
      const Tally t = measure<float>(a, "float32");
      f32.rows = t.rows, f32.nan_rows = t.nan_rows, f32.worst = std::max(f32.worst, t.worst);
      f32.failures += t.failures, f32.first += t.first;
      if (t.failures) f32.first += " (" + name + ")";
    }
    xgrad::kernels::use_isa(isa);
    const Tally f64 = measure<double>(a, "float64");
    // The figures for docs/second_derivatives.md (printed on every run).
    MESSAGE(std::string(a.name) << ": worst ulp f'' f32 " << static_cast<double>(f32.worst) << ", f64 "
                                << static_cast<double>(f64.worst));
    INFO(a.name);
    CHECK_MESSAGE(f32.rows > 1000, "no (or too few) float32 f'' rows");
    CHECK_MESSAGE(f64.rows > 1000, "no (or too few) float64 f'' rows");
    CHECK(f32.nan_rows == 1);
    CHECK(f64.nan_rows == 1);
    CHECK_MESSAGE(f32.failures == 0, f32.failures << " float32 failures" << f32.first);
    CHECK_MESSAGE(f64.failures == 0, f64.failures << " float64 failures" << f64.first);
    // Infinite inputs give a number (the limit), never NaN.
    for (double inf : {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()}) {
      INFO("x = " << inf);
      CHECK(!std::isnan(xgrad::activation_d2f<double>(a.id, inf, reference_params(a.id))));
      CHECK(!std::isnan(xgrad::activation_d2f<float>(a.id, static_cast<float>(inf), reference_params(a.id))));
    }
  }
  CHECK(functions == xgrad::kElementwiseActivations);
  CHECK(rows().size() == 2 * xgrad::kElementwiseActivations);  // no rows of an unknown function
}

TEST_CASE("f'': not for the axis activations") {
  const double x[2] = {1, 2};
  double out[2];
  CHECK_THROWS_WITH_AS(xgrad::kernels::activation_second<double>(Act::softmax, xgrad::default_params(Act::softmax), x,
                                                                 out, 2),
                       "softmax is not an elementwise activation", std::invalid_argument);
}

TEST_CASE("f'': the reference has the roots of f'' and the kinks, with their nearest neighbours") {
  // (function, x0): the nearest float64 inputs on both sides of each root must be rows
  const std::vector<std::pair<const char*, long double>> roots = {
      {"gelu", 1.41421356237309504880L},        {"gelu", -1.41421356237309504880L},
      {"gelu_tanh", 1.41850400879082835555L},   {"silu", 2.39935728051546766783L},
      {"silu", -2.39935728051546766783L},       {"mish", -2.25637639636079312001L},
      {"mish", 1.49057117948542845929L},        {"sigmoid", 0.0L},
      {"tanh", 0.0L}};
  for (auto [name, root] : roots) {
    INFO(name << " " << static_cast<double>(root));
    const auto& rs = rows().at({name, "float64"});
    auto has = [&](double v) { return std::any_of(rs.begin(), rs.end(), [&](const SecondRow& r) { return r.x == v; }); };
    CHECK(has(std::nextafter(static_cast<double>(root), -1e300)));
    CHECK(has(std::nextafter(static_cast<double>(root), 1e300)));
  }
  for (auto [name, kink] : std::vector<std::pair<const char*, double>>{{"elu", 0}, {"relu", 0}, {"softplus", 20}, {"hardswish", 3}}) {
    const auto& rs = rows().at({name, "float32"});
    CHECK_MESSAGE(std::any_of(rs.begin(), rs.end(), [&](const SecondRow& r) { return r.x == kink; }), name);
  }
}

namespace {

/// f'' against a central difference of f' (float64) on a grid of [-6, 6]
/// away from kinks and parameter values: catches a wrong f'' at parameters the
/// reference does not use.
void check_by_differences(Act id, const ActivationParams& p) {
  const xgrad::ActivationInfo& a = xgrad::activation_info(id);
  std::vector<double> avoid(a.kinks, a.kinks + a.kink_count);
  avoid.push_back(0);  // elu's, selu's, celu's, relu's f'' jumps at 0 without a kink of f'
  for (std::size_t i = 0; i < a.param_count; ++i) {
    avoid.push_back(p[i]);
    avoid.push_back(-p[i]);
  }
  if (id == Act::softplus) avoid.push_back(p[1] / p[0]);  // beta x = threshold
  const double h = 1e-4;
  std::size_t n = 0;
  for (double x = -6; x <= 6; x += 0.0173) {
    if (std::any_of(avoid.begin(), avoid.end(), [&](double k) { return std::fabs(x - k) < 1e-3; })) continue;
    const double fd = (xgrad::activation_df<double>(id, x + h, p) - xgrad::activation_df<double>(id, x - h, p)) / (2 * h);
    double d2f = 0;
    xgrad::kernels::activation_second<double>(id, p, &x, &d2f, 1);
    INFO(a.name << " x = " << x << ": f'' " << d2f << ", difference " << fd);
    CHECK(std::fabs(fd - d2f) <= 1e-6 * (1 + std::fabs(d2f)));
    ++n;
  }
  CHECK(n > 600);
}

ActivationParams params(double a, double b = 0) { return ActivationParams{{a, b}}; }

}  // namespace

TEST_CASE("f'' is the derivative of f', also at other parameters") {
  for (const auto& a : xgrad::activation_catalogue())
    if (a.shape == xgrad::ActivationShape::elementwise) check_by_differences(a.id, reference_params(a.id));
  check_by_differences(Act::celu, params(2.0));
  check_by_differences(Act::celu, params(-1.5));
  check_by_differences(Act::elu, params(0.5));
  check_by_differences(Act::softplus, params(2.0, 5.0));
  check_by_differences(Act::softplus, params(0.5, 1.0));
  check_by_differences(Act::squareplus, params(0.5));
  check_by_differences(Act::squareplus, params(0.0));
  check_by_differences(Act::leaky_relu, params(-0.3));
  check_by_differences(Act::hardtanh, params(-2.0, 3.0));
  check_by_differences(Act::threshold, params(-1.0, 0.5));
}

TEST_CASE("f'': at each kink, PyTorch 1.13's double backward (float64)") {
  const auto table = read_csv(kKinkSecondCsv, 4);
  REQUIRE(table.size() >= 20);
  for (const auto& c : table) {
    const Act id = fn_from_name(c[0]);
    ActivationParams p = reference_params(id);
    for (std::size_t start = 0; start < c[1].size();) {  // "name=value;name=value"
      const std::size_t end = std::min(c[1].find(';', start), c[1].size());
      const std::string item = c[1].substr(start, end - start);
      const int k = xgrad::param_index(id, item.substr(0, item.find('=')));
      REQUIRE_MESSAGE(k >= 0, c[0] << ": unknown parameter in " << item);
      p.v[static_cast<std::size_t>(k)] = std::stod(item.substr(item.find('=') + 1));
      start = end + 1;
    }
    const double x = std::stod(c[2]), torch_d2f = std::stod(c[3]);
    double d2f = 0;
    xgrad::kernels::activation_second<double>(id, p, &x, &d2f, 1);
    INFO(c[0] << "(" << c[1] << ") at x = " << c[2] << ": f'' " << d2f << " (torch " << c[3] << ")");
    CHECK(d2f == torch_d2f);
  }
}
