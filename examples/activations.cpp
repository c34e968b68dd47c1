// Prints every activation of the seed tutorials at x = -2..2 with its
// derivative, computed by backward through the autograd graph.
#include <cstdio>
#include <functional>
#include <vector>

#include <xgrad.hpp>

using namespace xgrad;
using V = Variable<double>;

int main() {
  const Tensor<double> xs{-2.0, -1.0, 0.0, 1.0, 2.0};
  const std::vector<std::pair<const char*, std::function<V(const V&)>>> functions = {
      {"sigmoid", [](const V& x) { return sigmoid(x); }},
      {"tanh", [](const V& x) { return tanh(x); }},
      {"relu", [](const V& x) { return relu(x); }},
      {"leaky_relu(0.01)", [](const V& x) { return leaky_relu(x, 0.01); }},
      {"prelu(alpha=0.01)", [](const V& x) { return prelu(x, V(Tensor<double>{0.01})); }},
      {"elu(alpha=1)", [](const V& x) { return elu(x, 1.0); }},
      {"softplus", [](const V& x) { return softplus(x); }},
      {"gelu", [](const V& x) { return gelu(x); }},
      {"gelu(tanh)", [](const V& x) { return gelu(x, GeluApproximate::tanh); }},
      {"softmax", [](const V& x) { return softmax(x); }},
      {"log_softmax", [](const V& x) { return log_softmax(x); }},
  };
  std::printf("%-18s %-6s", "function", "");
  for (double x : xs) std::printf(" %12g", x);
  std::printf("\n");
  for (const auto& [name, f] : functions) {
    V x(xs, true);
    V y = f(x);
    y.backward(xt::ones<double>(xs.shape()));  // for softmax: the gradient of sum(y), which is 0
    std::printf("%-18s %-6s", name, "f");
    for (double v : y.value()) std::printf(" %12.8f", v);
    std::printf("\n%-18s %-6s", "", "f'");
    for (double v : x.grad()) std::printf(" %12.8f", v);
    std::printf("\n");
  }
  return 0;
}
