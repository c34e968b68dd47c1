// PReLU learns its alpha: targets come from a PReLU with alpha 0.1; the model
// starts at 0.25 and recovers it by gradient descent on the mean squared error.
#include <cmath>
#include <cstdio>

#include <xgrad.hpp>

using namespace xgrad;

int main() {
  const double true_alpha = 0.1;
  Generator gen(123);
  const Tensor<double> x = gen.uniform_tensor<double>({512, 1}, -3, 3);
  const Tensor<double> y = math::map(x, [&](double v) { return math::prelu(v, true_alpha); });
  PReLU<double> layer(1, 0.25);
  SGD<double> optimizer(layer.parameters(), 0.5);
  for (int step = 0; step <= 200; ++step) {
    optimizer.zero_grad();
    Variable<double> loss = mse(layer(Variable<double>(x)), Variable<double>(y));
    if (step % 40 == 0) std::printf("step %3d  alpha %.6f  loss %.3e\n", step, layer.alpha().value()(0), loss.item());
    loss.backward();
    optimizer.step();
  }
  const double learned = layer.alpha().value()(0);
  std::printf("learned alpha %.6f (true %.1f, started at 0.25)\n", learned, true_alpha);
  return std::fabs(learned - true_alpha) < 0.01 ? 0 : 1;
}
