#pragma once
/// gradcheck: compares the analytic Jacobian (from backward) with central
/// differences, in float64, like torch.autograd.gradcheck.
///
/// For every input element j and output element i:
///   numeric  J[i][j] = (f(x + eps e_j)_i - f(x - eps e_j)_i) / (2 eps)
///   analytic J[i][j] = d f_i / d x_j from backward with a one-hot upstream
/// and passes when |analytic - numeric| <= atol + rtol |numeric| everywhere.
#include <functional>
#include <string>
#include <vector>

#include "xgrad/autograd/variable.hpp"

namespace xgrad {

struct GradcheckResult {
  bool passed = false;
  double max_abs_error = 0;
  /// Names the first failing (input, element, output element) with both values.
  std::string message;
};

struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
};

using GradcheckFunction = std::function<Variable<double>(const std::vector<Variable<double>>&)>;

/// Inputs that require grad are checked; the others are held constant. The
/// inputs themselves are perturbed (and restored), so f may reach them through
/// a module's parameters; their gradients are left zeroed.
GradcheckResult gradcheck(const GradcheckFunction& f, const std::vector<Variable<double>>& inputs,
                          GradcheckOptions options = {});

/// gradgradcheck (torch.autograd.gradgradcheck): gradcheck of the gradient.
/// With v a fixed pseudo-random upstream of f's output shape (`seed`), the
/// function (inputs, v) -> grad(f(inputs), inputs, {v}, create_graph = true)
/// (the gradients flattened and joined) is checked by gradcheck with respect
/// to the inputs and v: this compares every op's differentiable backward rule
/// and the fast backward of the ops it builds with central differences.
GradcheckResult gradgradcheck(const GradcheckFunction& f, const std::vector<Variable<double>>& inputs,
                              GradcheckOptions options = {}, unsigned seed = 1);

}  // namespace xgrad
