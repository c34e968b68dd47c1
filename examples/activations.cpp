// Prints every activation of the catalogue at x = -2..2 with its derivative,
// computed by backward through the autograd graph (default parameters; the
// seed tutorials' prelu with alpha = 0.01). Functions of a whole vector
// (softmax, ...) take x as one vector; glu's outputs are a_i sigmoid(b_i) for
// the halves a = x[:2], b = x[2:] (the middle value is left out).
#include <cmath>
#include <cstdio>

#include <xgrad.hpp>

using namespace xgrad;
using V = Variable<double>;

int main() {
  const Tensor<double> xs{-2.0, -1.0, 0.0, 1.0, 2.0};
  std::printf("%-18s %-6s", "function", "");
  for (double x : xs) std::printf(" %12g", x);
  std::printf("\n");
  for (const ActivationInfo& a : activation_catalogue()) {
    ActivationParams p = default_params(a.id);
    for (std::size_t i = 0; i < a.param_count; ++i)
      if (std::isnan(p.v[i])) p.v[i] = 0.0;  // a required parameter (threshold): 0
    if (a.id == Act::prelu) p.v[0] = 0.01;    // the seed's alpha
    const bool halves = a.shape == ActivationShape::halves;
    V x(halves ? Tensor<double>{-2.0, -1.0, 1.0, 2.0} : xs, true);
    V y = a.shape == ActivationShape::elementwise ? activation(x, a.id, p) : axis_activation(x, a.id);
    y.backward(xt::ones<double>(y.value().shape()));  // for softmax: the gradient of sum(y), which is 0
    std::printf("%-18s %-6s", a.name, "f");
    for (double v : y.value()) std::printf(" %12.8f", v);
    std::printf("\n%-18s %-6s", "", "f'");
    for (double v : x.grad()) std::printf(" %12.8f", v);
    std::printf("\n");
  }
  return 0;
}
