#include "xgrad/autograd/gradcheck.hpp"

#include <cmath>
#include <sstream>

#include <xtensor/xbuilder.hpp>

#include "xgrad/autograd/higher_order.hpp"
#include "xgrad/autograd/ops.hpp"

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

GradcheckResult gradgradcheck(const GradcheckFunction& f, const std::vector<Variable<double>>& inputs,
                              GradcheckOptions options, unsigned seed) {
  std::vector<Variable<double>> leaves = inputs;
  std::vector<std::size_t> checked;  // the inputs that require grad
  for (std::size_t k = 0; k < leaves.size(); ++k)
    if (leaves[k].requires_grad()) checked.push_back(k);
  Tensor<double> upstream = Tensor<double>::from_shape(f(leaves).value().shape());
  std::uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
  for (std::size_t i = 0; i < upstream.size(); ++i) {  // a fixed sequence in [-1, 1), no zeros
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const double u = static_cast<double>(state >> 11) / 9007199254740992.0;
    upstream.data()[i] = u < 0.5 ? -1 + u : u;
  }
  leaves.push_back(Variable<double>(std::move(upstream), true));
  const std::size_t count = inputs.size();
  GradcheckFunction first_order = [&f, &checked, count](const std::vector<Variable<double>>& all) {
    EnableGradGuard enable;  // gradcheck evaluates its differences under NoGradGuard
    const std::vector<Variable<double>> xs(all.begin(), all.begin() + static_cast<long>(count));
    std::vector<Variable<double>> wrt;
    for (std::size_t k : checked) wrt.push_back(xs[k]);
    const std::vector<Variable<double>> grads = grad({f(xs)}, wrt, {all.back()}, true, std::nullopt, true);
    std::vector<Variable<double>> flat;
    for (const auto& g : grads) flat.push_back(reshape(g, {g.size()}));
    return concat(flat, 0);
  };
  GradcheckResult result = gradcheck(first_order, leaves, options);
  if (result.passed) result.message = "gradgradcheck passed";
  else result.message = "gradgradcheck: " + result.message + " (input " + std::to_string(count) + " is the upstream v)";
  return result;
}

}  // namespace xgrad
