// kernel_sweep: every float32 of magnitude below a bound (13 for gelu, 128
// for sigmoid; a sparse stride beyond) through the float32 kernel of each
// instruction-set build this CPU runs, against xgrad::math (a float64
// evaluation, within 0.58 ulp of the exact value): the worst distance in
// ulps for f and f', where it occurs, and how many inputs are more than 1 and
// 2 ulp away (a sign that differs counts as 1e9), and how many differ at all.
// gelu takes about four minutes.
// Usage: kernel_sweep gelu|sigmoid [stride]  (default stride 1: every float).
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
  std::uint64_t differ = 0, over1 = 0, over2 = 0;
  void add(double u, float x) {
    if (u > ulps) ulps = u, at = x;
    differ += u > 0;
    over1 += u > 1;
    over2 += u > 2;
  }
};

}  // namespace

int main(int argc, char** argv) {
  namespace k = xgrad::kernels;
  const std::string name = argc > 1 ? argv[1] : "";
  const xgrad::ActivationInfo* info = xgrad::find_activation(name);
  if (!info || info->shape != xgrad::ActivationShape::elementwise)
    return std::fprintf(stderr, "usage: kernel_sweep ACTIVATION [stride] [bound]  (an elementwise activation: %s)\n",
                        xgrad::activation_name_list().c_str()), 2;
  const std::uint32_t stride = argc > 2 ? static_cast<std::uint32_t>(std::atoi(argv[2])) : 1;
  if (stride == 0) return std::fprintf(stderr, "kernel_sweep: the stride must be positive\n"), 2;
  const float bound = argc > 3 ? std::strtof(argv[3], nullptr) : 128.f;
  const xgrad::Act fn = info->id;
  const xgrad::ActivationParams params = xgrad::default_params(fn);
  auto f_ref = [&](float x) { return xgrad::activation_f<float>(fn, x, params); };
  auto d_ref = [&](float x) { return xgrad::activation_df<float>(fn, x, params); };
  const std::vector<std::string> isas = k::available_isas();
  std::vector<Worst> wf(isas.size()), wd(isas.size());
  std::vector<float> xs, ref_f, ref_d, f, d, ones;
  std::uint64_t count = 0;
  auto flush = [&] {
    const std::size_t n = xs.size();
    ref_f.resize(n), ref_d.resize(n), f.resize(n), d.resize(n), ones.assign(n, 1.f);
    for (std::size_t i = 0; i < n; ++i) ref_f[i] = f_ref(xs[i]), ref_d[i] = d_ref(xs[i]);
    for (std::size_t s = 0; s < isas.size(); ++s) {
      k::use_isa(isas[s]);
      k::activation_forward<float>(fn, xs.data(), f.data(), n, params);
      k::activation_backward<float>(fn, xs.data(), ones.data(), d.data(), n, false, params);
      for (std::size_t i = 0; i < n; ++i) {
        wf[s].add(ulp_distance(f[i], ref_f[i]) + (std::signbit(f[i]) != std::signbit(ref_f[i]) ? 1e9 : 0), xs[i]);
        wd[s].add(ulp_distance(d[i], ref_d[i]) + (std::signbit(d[i]) != std::signbit(ref_d[i]) ? 1e9 : 0), xs[i]);
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
      if (!(std::fabs(x) < bound)) b += 4093ull * stride;  // beyond the bound: a sparse stride
      xs.push_back(x);
      if (xs.size() == (1u << 20)) flush();
    }
  }
  flush();
  std::printf("%s: %llu inputs (stride %u below %g in magnitude)\n", name.c_str(), static_cast<unsigned long long>(count), stride, bound);
  for (std::size_t s = 0; s < isas.size(); ++s)
    std::printf("%-8s f  worst %.2f ulp at %.9g (%llu differ, %llu > 1 ulp, %llu > 2)\n"
                "%-8s f' worst %.2f ulp at %.9g (%llu differ, %llu > 1 ulp, %llu > 2)\n",
                isas[s].c_str(), wf[s].ulps, wf[s].at, (unsigned long long)wf[s].differ, (unsigned long long)wf[s].over1,
                (unsigned long long)wf[s].over2, isas[s].c_str(), wd[s].ulps, wd[s].at, (unsigned long long)wd[s].differ,
                (unsigned long long)wd[s].over1, (unsigned long long)wd[s].over2);
  return 0;
}
