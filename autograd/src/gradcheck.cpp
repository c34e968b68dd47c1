#include "xgrad/autograd/gradcheck.hpp"

#include <cmath>
#include <sstream>

#include <xtensor/xbuilder.hpp>

namespace xgrad {

GradcheckResult gradcheck(const GradcheckFunction& f, const std::vector<Variable<double>>& inputs,
                          GradcheckOptions options) {
  GradcheckResult result;
  result.passed = true;
  // The caller's own variables: f may reach them through a module's parameters.
  std::vector<Variable<double>> leaves = inputs;

  const Variable<double> reference = f(leaves);
  const std::size_t outputs = reference.size();

  for (std::size_t k = 0; k < leaves.size(); ++k) {
    if (!leaves[k].requires_grad()) continue;
    const std::size_t count = leaves[k].size();
    // Numeric Jacobian column by column.
    std::vector<std::vector<double>> numeric(count, std::vector<double>(outputs));
    for (std::size_t j = 0; j < count; ++j) {
      double& x = leaves[k].mutable_value().data()[j];
      const double saved = x;
      Tensor<double> plus, minus;
      {
        NoGradGuard no_grad;
        x = saved + options.eps;
        plus = f(leaves).value();
        x = saved - options.eps;
        minus = f(leaves).value();
      }
      x = saved;
      for (std::size_t i = 0; i < outputs; ++i)
        numeric[j][i] = (plus.data()[i] - minus.data()[i]) / (2 * options.eps);
    }
    // Analytic Jacobian row by row.
    for (std::size_t i = 0; i < outputs; ++i) {
      for (auto& leaf : leaves) leaf.zero_grad();
      Variable<double> out = f(leaves);
      Tensor<double> upstream = xt::zeros<double>(out.value().shape());
      upstream.data()[i] = 1.0;
      out.backward(upstream);
      const Tensor<double>& g = leaves[k].grad();
      for (std::size_t j = 0; j < count; ++j) {
        const double a = g.data()[j], n = numeric[j][i];
        const double err = std::fabs(a - n);
        result.max_abs_error = std::isnan(err) ? INFINITY : std::max(err, result.max_abs_error);
        if (result.passed && !(err <= options.atol + options.rtol * std::fabs(n))) {
          result.passed = false;
          std::ostringstream msg;
          msg.precision(17);
          msg << "gradcheck: input " << k << " element " << j << ", output element " << i
              << ": analytic " << a << " vs numeric " << n;
          result.message = msg.str();
        }
      }
    }
  }
  for (auto& leaf : leaves) leaf.zero_grad();
  if (result.passed) result.message = "gradcheck passed";
  return result;
}

}  // namespace xgrad
