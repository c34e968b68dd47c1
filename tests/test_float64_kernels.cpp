// The vectorised float64 kernels (core/src/kernels/float64_kernels.inc), every
// instruction-set build this CPU runs, against a long double evaluation of
// each definition (ScalarMath<long double>; the hand-written ones' formulas in
// long double below) within 2 ulp, on a dense sweep of float64 inputs: bit
// patterns over the whole range, a fine grid on [-40, 40], the neighbourhoods
// of the roots of f' (silu, mish, gelu) and of gelu's range boundaries, the tails, +-1e6, subnormals; NaN,
// the infinities and the zeros as the scalar float64 path gives them.
// (test_catalogue_exactness.cpp holds the same arrays to 4 ulp of mpmath.)
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "xgrad/core/activations.hpp"
#include "xgrad/core/activations/catalogue.hpp"
#include "xgrad/core/kernels.hpp"
#include "restore_isa.hpp"

namespace {

namespace k = xgrad::kernels;
namespace m = xgrad::math;
using xgrad::Act;
using LD = long double;

using Restore = xgrad_test::RestoreIsa;

double from_bits(std::uint64_t u) {
  double d;
  std::memcpy(&d, &u, sizeof d);
  return d;
}

const std::vector<double>& sweep() {
  static const std::vector<double> xs = [] {
    std::vector<double> v;
    for (std::uint64_t u = 0; u < ~std::uint64_t(0) - 0x0000A5A5A5A5A5A5ull; u += 0x0000A5A5A5A5A5A5ull)
      v.push_back(from_bits(u));
    for (int i = -200000; i <= 200000; ++i) v.push_back(i * 2e-4 + 1e-9 * (i % 7));
    for (double root : {-1.27846454276107379510, -1.19243121451548659, -0.751791524693564457,
                        -0.752461422071016258, 0.0}) {
      double lo = root, hi = root;
      for (int i = 0; i < 2000; ++i) {
        v.push_back(lo = std::nextafter(lo, -2.0));
        v.push_back(hi = std::nextafter(hi, 2.0));
      }
      for (int i = -20000; i <= 20000; ++i) v.push_back(root + i * 1e-7);
    }
    // gelu's range boundaries (|x| / sqrt 2 = 0.84375, 1.25, 1/0.35), its scalar-lane boundary
    for (double b : {1.1932426932522988, -1.1932426932522988, 1.7677669529663689, -1.7677669529663689,
                     4.040610178208843, -4.040610178208843, -37.0, 37.5}) {
      double lo = b, hi = b;
      for (int i = 0; i < 2000; ++i) {
        v.push_back(lo = std::nextafter(lo, -1e9));
        v.push_back(hi = std::nextafter(hi, 1e9));
      }
    }
    for (double mag = 1e-320; mag < 1e7; mag *= 1.01) {
      v.push_back(mag);
      v.push_back(-mag);
    }
    const double inf = std::numeric_limits<double>::infinity();
    for (double s : {0.0, -0.0, 1e-30, -1e-30, 1e6, -1e6, 700.0, -700.0, 708.5, -708.5, 709.9, -709.9, 745.5,
                     -745.5, 354.0, -354.0, 351.0, -351.0, 1e4, -1e4, 20.0, -20.0, inf, -inf,
                     std::numeric_limits<double>::quiet_NaN(), -std::numeric_limits<double>::quiet_NaN(),
                     std::numeric_limits<double>::denorm_min(), -std::numeric_limits<double>::denorm_min(),
                     std::numeric_limits<double>::min(), std::numeric_limits<double>::max(),
                     -std::numeric_limits<double>::max()})
      v.push_back(s);
    return v;
  }();
  return xs;
}

/// |r - ref| in ulps of ref rounded to double (at least the smallest subnormal's).
double ulps(double r, LD ref) {
  if (std::isnan(ref) || std::isnan(r)) return std::isnan(ref) && std::isnan(r) ? 0 : 1e30;
  const double rd = static_cast<double>(ref);  // overflow: inf in double
  if (std::isinf(rd) || std::isinf(r)) return r == rd ? 0 : 1e30;
  const int e = rd == 0 ? -1022 : std::max(std::ilogb(rd), -1022);
  return static_cast<double>(std::fabs(LD(r) - ref) / std::ldexp(LD(1), e - 52));
}

template <class D>
LD reference(D, bool derivative, LD x, const double* p) {
  using M = m::ScalarMath<LD>;
  if constexpr (std::is_same_v<D, m::Sigmoid>) {
    return derivative ? m::sigmoid_derivative_of(x) : m::sigmoid_of(x);
  } else if constexpr (std::is_same_v<D, m::Tanh>) {
    if (!derivative) return std::tanh(x);
    const LD e = std::exp(-2 * std::fabs(x));
    return 4 * e / ((1 + e) * (1 + e));
  } else if constexpr (std::is_same_v<D, m::Softplus>) {
    const LD z = p[0] * x;
    if (derivative) return z > p[1] ? 1 : m::sigmoid_of(z);
    return z > p[1] ? x : std::log1p(std::exp(z)) / p[0];
  } else if constexpr (std::is_same_v<D, m::Elu>) {
    if (derivative) return x > 0 ? 1 : p[0] * std::exp(x);
    return x > 0 ? x : p[0] * std::expm1(x);
  } else if constexpr (std::is_same_v<D, m::Gelu>) {
    if (!derivative) return m::gelu_of<LD>(x, m::kSqrtHalfL);
    const m::RootSeries& r = m::kGeluDerivativeRoot;  // the series in long double, as the scalar path
    const LD h = (x - r.hi) - r.lo;
    if (!(std::fabs(h) < 0x1p-9L)) return m::gelu_derivative_of<LD>(x, m::kSqrtHalfL, m::kInvSqrt2PiL);
    LD s = r.c[7];
    for (int k = 6; k >= 0; --k) s = s * h + r.c[k];
    return s * h;
  } else if constexpr (std::is_same_v<D, m::GeluTanh>) {
    if (derivative && std::fabs(x - LD(-0.752461422071016258L)) < 0x1p-9L)
      return m::gelu_tanh_derivative(static_cast<double>(x));  // the series in long double (the scalar lanes)
    return derivative ? m::gelu_tanh_derivative_of<LD>(x, m::kSqrt2OverPiL, m::kGeluTanhCubicL)
                      : m::gelu_tanh_of<LD>(x, m::kSqrt2OverPiL, m::kGeluTanhCubicL);
  } else if constexpr (std::is_same_v<D, m::Relu> || std::is_same_v<D, m::LeakyRelu> || std::is_same_v<D, m::Prelu> ||
                       std::is_same_v<D, m::Rrelu>) {
    const double xd = static_cast<double>(x);  // exact: no rounding but the slope's product
    return derivative ? D::df(xd, p) : D::f(xd, p);
  } else if constexpr (!xgrad::tuned_kernel_v<D>) {
    return derivative ? D::template df<M>(x, p) : D::template f<M>(x, p);
  } else {
    return std::numeric_limits<LD>::quiet_NaN();  // not reached: every tuned kernel is listed above
  }
}

xgrad::ActivationParams params_of(Act a) {
  xgrad::ActivationParams p = xgrad::default_params(a);
  for (double& v : p.v)
    if (std::isnan(v)) v = 0.5;  // threshold's required value
  return p;
}

}  // namespace

TEST_CASE("every float64 kernel build is within 2 ulp of long double on a dense sweep (NaN, inf as the scalar path)") {
  Restore restore;
  const std::vector<double>& xs = sweep();
  const std::size_t n = xs.size();
  std::vector<double> y(n), dy(n), ones(n, 1.0), acc(n);
  for (const xgrad::ActivationInfo& info : xgrad::activation_catalogue()) {
    if (info.shape != xgrad::ActivationShape::elementwise) continue;
    const xgrad::ActivationParams p = params_of(info.id);
    const std::string name = info.name;
    std::vector<LD> rf(n), rd(n);
    xgrad::visit_elementwise(info.id, [&](auto d) {
      for (std::size_t i = 0; i < n; ++i) {
        rf[i] = reference(d, false, xs[i], p.data());
        rd[i] = reference(d, true, xs[i], p.data());
      }
    });
    for (const std::string& isa : k::available_isas()) {
      REQUIRE(k::use_isa(isa));
      k::activation_forward<double>(info.id, xs.data(), y.data(), n, p);
      k::activation_backward<double>(info.id, xs.data(), ones.data(), dy.data(), n, false, p);
      double worst_f = 0, worst_df = 0, at_f = 0, at_df = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const double x = xs[i];
        if (!std::isfinite(x)) {
          const double sf = xgrad::activation_f<double>(info.id, x, p), sd = xgrad::activation_df<double>(info.id, x, p);
          CHECK_MESSAGE((std::memcmp(&sf, &y[i], 8) == 0 || (std::isnan(sf) && std::isnan(y[i]))), name, " ", isa, " f(", x, ")");
          CHECK_MESSAGE((std::memcmp(&sd, &dy[i], 8) == 0 || (std::isnan(sd) && std::isnan(dy[i]))), name, " ", isa, " f'(", x, ")");
          continue;
        }
        const double ef = ulps(y[i], rf[i]), ed = ulps(dy[i], rd[i]);
        if (ef > worst_f) worst_f = ef, at_f = x;
        if (ed > worst_df) worst_df = ed, at_df = x;
        if (x == 0 && std::signbit(y[i]) != std::signbit(xgrad::activation_f<double>(info.id, x, p)))
          FAIL_CHECK(name, " ", isa, ": the sign of f(", x, ")");
      }
      MESSAGE(name, " ", isa, ": f ", worst_f, " ulp at ", at_f, ", f' ", worst_df, " ulp at ", at_df);
      CHECK_MESSAGE(worst_f <= 2.0, name, " ", isa, " f: ", worst_f, " ulp at x = ", at_f);
      CHECK_MESSAGE(worst_df <= 2.0, name, " ", isa, " f': ", worst_df, " ulp at x = ", at_df);
      // accumulate: dx += g f'(x), bit for bit the write form plus the old value
      for (std::size_t i = 0; i < n; ++i) acc[i] = 0.25 * (i % 5);
      k::activation_backward<double>(info.id, xs.data(), ones.data(), acc.data(), n, true, p);
      std::size_t bad = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const double want = 0.25 * (i % 5) + dy[i];
        if (!(acc[i] == want || (std::isnan(acc[i]) && std::isnan(want)))) ++bad;
      }
      CHECK_MESSAGE(bad == 0, name, " ", isa, ": accumulate differs in ", bad, " elements");
    }
  }
}

TEST_CASE("float64 kernels: odd lengths and in-place (y = f(y)) give the same values as one long call") {
  Restore restore;
  std::vector<double> x(1031);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = -9.0 + 18.0 * i / x.size();
  x[17] = std::numeric_limits<double>::quiet_NaN();
  for (const std::string& isa : k::available_isas()) {
    REQUIRE(k::use_isa(isa));
    for (Act a : {Act::sigmoid, Act::tanh, Act::silu, Act::softplus, Act::elu, Act::selu, Act::celu, Act::mish,
                  Act::tanhshrink, Act::squareplus, Act::gelu_tanh, Act::gelu, Act::leaky_relu}) {
      const xgrad::ActivationParams p = params_of(a);
      std::vector<double> full(x.size()), inplace = x;
      k::activation_forward<double>(a, x.data(), full.data(), x.size(), p);
      k::activation_forward<double>(a, inplace.data(), inplace.data(), inplace.size(), p);
      for (std::size_t len : {1, 3, 5, 7, 9, 13}) {
        std::vector<double> part(len);
        k::activation_forward<double>(a, x.data() + 100, part.data(), len, p);
        for (std::size_t i = 0; i < len; ++i) CHECK(part[i] == full[100 + i]);
      }
      for (std::size_t i = 0; i < x.size(); ++i)
        CHECK((inplace[i] == full[i] || (std::isnan(inplace[i]) && std::isnan(full[i]))));
      CHECK(std::isnan(full[17]));
    }
  }
}

TEST_CASE("float64 elu and celu kernels with other alphas: within 2 ulp of long double") {
  Restore restore;
  const std::vector<double>& xs = sweep();
  const std::size_t n = xs.size();
  std::vector<double> y(n), dy(n), ones(n, 1.0);
  const struct {
    Act act;
    double alpha;
  } cases[] = {{Act::elu, 0.7}, {Act::elu, 2.5}, {Act::celu, 2.5}, {Act::celu, 0.3}, {Act::celu, 1e-3}, {Act::celu, -1.5}};
  for (const auto& c : cases) {
    xgrad::ActivationParams p = params_of(c.act);
    p.v[0] = c.alpha;
    std::vector<LD> rf(n), rd(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (c.act == Act::elu) {
        rf[i] = reference(m::Elu{}, false, xs[i], p.data());
        rd[i] = reference(m::Elu{}, true, xs[i], p.data());
      } else {
        rf[i] = m::Celu::f<m::ScalarMath<LD>>(LD(xs[i]), p.data());
        rd[i] = m::Celu::df<m::ScalarMath<LD>>(LD(xs[i]), p.data());
      }
    }
    for (const std::string& isa : k::available_isas()) {
      REQUIRE(k::use_isa(isa));
      k::activation_forward<double>(c.act, xs.data(), y.data(), n, p);
      k::activation_backward<double>(c.act, xs.data(), ones.data(), dy.data(), n, false, p);
      double worst_f = 0, worst_df = 0, at_f = 0, at_df = 0;
      for (std::size_t i = 0; i < n; ++i) {
        if (!std::isfinite(xs[i])) continue;
        const double ef = ulps(y[i], rf[i]), ed = ulps(dy[i], rd[i]);
        if (ef > worst_f) worst_f = ef, at_f = xs[i];
        if (ed > worst_df) worst_df = ed, at_df = xs[i];
        if (xs[i] == 0) CHECK(std::signbit(y[i]) == std::signbit(xs[i]));
      }
      const std::string name = xgrad::activation_info(c.act).name;
      MESSAGE(name, " alpha ", c.alpha, " ", isa, ": f ", worst_f, " ulp at ", at_f, ", f' ", worst_df, " ulp at ", at_df);
      CHECK_MESSAGE(worst_f <= 2.0, name, " alpha ", c.alpha, " ", isa, " f: ", worst_f, " ulp at x = ", at_f);
      CHECK_MESSAGE(worst_df <= 2.0, name, " alpha ", c.alpha, " ", isa, " f': ", worst_df, " ulp at x = ", at_df);
    }
  }
}
