#pragma once
/// Hardswish, torch.nn.functional.hardswish(x) (Howard et al. 2019, MobileNetV3).
///   f(x)  = x relu6(x + 3) / 6 = 0 if x <= -3, x if x >= 3, else x (x + 3) / 6
///   f'(x) = 0 if x < -3, 1 if x > 3, else (2x + 3) / 6
///   kinks x = -3: f'(-3) = -0.5;  x = 3: f'(3) = 1.5 (PyTorch 1.13: the middle
///   piece on the closed interval [-3, 3])
/// (2x + 3) is exact near its root -3/2 (2x exact, Sterbenz), so f' is exactly
/// 0 there and rounds once elsewhere; PyTorch's x/3 + 1/2 rounds twice.
/// f(-inf) = 0 (not -inf * 0).
#include <array>

#include "xgrad/core/activations/definition_helpers.hpp"
#include "xgrad/core/activations/param.hpp"
#include "xgrad/core/activations/policy.hpp"

namespace xgrad::math {

struct Hardswish {
  static constexpr const char* name = "hardswish";
  static constexpr const char* alias = "hard_silu";
  static constexpr bool rectifier = true;
  static constexpr const char* torch = "torch.nn.functional.hardswish(x)";
  static constexpr std::array<ParamSpec, 0> params{};
  static constexpr std::array<double, 2> kinks{{-3.0, 3.0}};
  using Float64Math = ScalarMath<long double>;

  template <class M>
  static typename M::V f(typename M::V x, const double*) {
    const typename M::V mid = x * M::min(M::max(x + 3.0, M::c(0)), M::c(6)) / 6.0;
    return M::select(x < -3.0, M::c(0), mid);
  }
  template <class M>
  static typename M::V df(typename M::V x, const double*) {
    const typename M::V mid = (x + x + 3.0) / 6.0;
    return keep_nan<M>(x, M::select(x < -3.0, M::c(0), M::select(x > 3.0, M::c(1), mid)));
  }
  /// f''(x) = 1/3 if -3 < x < 3 else 0 (PyTorch's double backward: 0 at +-3).
  template <class M>
  static typename M::V d2f(typename M::V x, const double*) {
    return keep_nan<M>(x, M::select(M::land(x > -3.0, x < 3.0), M::c(1.0L / 3), M::c(0)));
  }
};

}  // namespace xgrad::math
