#pragma once
#include "xgrad/core/activations/catalogue.hpp"

namespace xgrad::detail {
/// Whether activation_third knows f''' of f.
bool has_activation_third(Act f);
/// f'''(x); `second` is f''(x) (some forms reuse it).
double activation_third(Act f, const ActivationParams& p, double x, double second);
}  // namespace xgrad::detail
