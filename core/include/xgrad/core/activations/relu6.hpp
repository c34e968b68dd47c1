#pragma once
/// ReLU6, torch.nn.functional.relu6(x) = hardtanh(x, 0, 6).
///   f(x)  = min(max(x, 0), 6)
///   f'(x) = 1 if 0 < x < 6 else 0        kinks: f'(0) = f'(6) = 0 (PyTorch)
#include <array>

#include "xgrad/core/activations/definition_helpers.hpp"
#include "xgrad/core/activations/param.hpp"
#include "xgrad/core/activations/policy.hpp"

namespace xgrad::math {

struct Relu6 : PiecewiseLinear {
  static constexpr const char* name = "relu6";
  static constexpr bool rectifier = true;
  static constexpr const char* torch = "torch.nn.functional.relu6(x)";
  static constexpr std::array<ParamSpec, 0> params{};
  static constexpr std::array<double, 2> kinks{{0.0, 6.0}};
  using Float64Math = ScalarMath<double>;  // exact: no arithmetic

  template <class M>
  static typename M::V f(typename M::V x, const double*) {
    return M::min(M::max(x, M::c(0)), M::c(6));
  }
  template <class M>
  static typename M::V df(typename M::V x, const double*) {
    return keep_nan<M>(x, M::select(M::land(x > 0.0, x < 6.0), M::c(1), M::c(0)));
  }
};

}  // namespace xgrad::math
