// gelu_sweep: every float32 in (-13, 13) (and a stride over the rest of the
// range) through the float32 gelu kernel of each instruction-set build this
// CPU runs, against xgrad::math (the float64 evaluation, within 0.58 ulp of
// the exact value): the worst distance in ulps for gelu and gelu', where it
// occurs, and how many inputs are more than 1 and 2 ulp away. About four
// minutes. Usage: gelu_sweep [stride]  (stride 1: every float; default 1).
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "xgrad/core/activations.hpp"
#include "xgrad/core/kernels.hpp"

namespace {

double ulp_distance(float a, float b) {
  if (a == b || (std::isnan(a) && std::isnan(b))) return 0;
  const double big = std::max({std::fabs(double(a)), std::fabs(double(b)), double(FLT_MIN)});
  return std::fabs(double(a) - double(b)) / std::ldexp(1.0, std::ilogb(big) - 23);
}

struct Worst {
  double ulps = 0;
  float at = 0;
  std::uint64_t over1 = 0, over2 = 0;
  void add(double u, float x) {
    if (u > ulps) ulps = u, at = x;
    over1 += u > 1;
    over2 += u > 2;
  }
};

}  // namespace

int main(int argc, char** argv) {
  const std::uint32_t stride = argc > 1 ? static_cast<std::uint32_t>(std::atoi(argv[1])) : 1;
  if (stride == 0) return std::fprintf(stderr, "gelu_sweep: the stride must be positive\n"), 2;
  namespace k = xgrad::kernels;
  const std::vector<std::string> isas = k::available_isas();
  std::vector<Worst> wf(isas.size()), wd(isas.size());
  std::vector<float> xs, ref_f, ref_d, f, d, ones;
  std::uint64_t count = 0;
  auto flush = [&] {
    const std::size_t n = xs.size();
    ref_f.resize(n), ref_d.resize(n), f.resize(n), d.resize(n), ones.assign(n, 1.f);
    for (std::size_t i = 0; i < n; ++i) ref_f[i] = xgrad::math::gelu(xs[i]), ref_d[i] = xgrad::math::gelu_derivative(xs[i]);
    for (std::size_t s = 0; s < isas.size(); ++s) {
      k::use_isa(isas[s]);
      k::unary_forward(k::Unary::gelu, xs.data(), f.data(), n);
      k::unary_backward(k::Unary::gelu, xs.data(), ones.data(), d.data(), n, false);
      for (std::size_t i = 0; i < n; ++i) {
        wf[s].add(ulp_distance(f[i], ref_f[i]) + (std::signbit(f[i]) != std::signbit(ref_f[i]) ? 1e9 : 0), xs[i]);
        wd[s].add(ulp_distance(d[i], ref_d[i]), xs[i]);
      }
    }
    count += n;
    xs.clear();
  };
  for (std::uint32_t sign : {0u, 0x80000000u}) {
    for (std::uint64_t b = 0; b < 0x7F800000u; b += stride) {
      const std::uint32_t bits = static_cast<std::uint32_t>(b) | sign;
      float x;
      std::memcpy(&x, &bits, 4);
      if (std::fabs(x) >= 13.f) b += 4093ull * stride;  // outside (-13, 13): a sparse stride
      xs.push_back(x);
      if (xs.size() == (1u << 20)) flush();
    }
  }
  flush();
  std::printf("%llu inputs (stride %u inside (-13, 13))\n", static_cast<unsigned long long>(count), stride);
  for (std::size_t s = 0; s < isas.size(); ++s)
    std::printf("%-8s gelu  worst %.0f ulp at %.9g (%llu > 1 ulp, %llu > 2)\n%-8s gelu' worst %.0f ulp at %.9g (%llu > 1 ulp, %llu > 2)\n",
                isas[s].c_str(), wf[s].ulps, wf[s].at, (unsigned long long)wf[s].over1, (unsigned long long)wf[s].over2,
                isas[s].c_str(), wd[s].ulps, wd[s].at, (unsigned long long)wd[s].over1, (unsigned long long)wd[s].over2);
  return 0;
}
