#pragma once
// TEMPORARY until the fsecond branch lands kernels::activation_second: f'' by central differences of f'.
#include <cstddef>
#include <vector>
#include "xgrad/core/activations/catalogue.hpp"
#include "xgrad/core/kernels.hpp"
namespace xgrad::kernels {
template <class T>
void activation_second(Act f, const ActivationParams& p, const T* x, T* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const double h = 1e-5 * (1 + (x[i] < 0 ? -x[i] : x[i]));
    double xs[2] = {double(x[i]) + h, double(x[i]) - h}, g[2] = {1, 1}, d[2];
    activation_backward<double>(f, xs, g, d, 2, false, p);
    out[i] = static_cast<T>((d[0] - d[1]) / (2 * h));
  }
}
}  // namespace xgrad::kernels
