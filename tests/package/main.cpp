// Trains XOR through the installed headers and libraries; prints the accuracy.
#include <cstdio>

#include <xgrad.hpp>

int main() {
  using namespace xgrad;
  manual_seed(1);
  const Tensor<float> x{{0, 0}, {0, 1}, {1, 0}, {1, 1}};
  const std::vector<std::int64_t> y{0, 1, 1, 0};
  Sequential<float> model;
  model.add<Dense<float>>(2, 8, "tanh").add<Dense<float>>(8, 2);
  Adam<float> optimizer(model.parameters(), 0.05);
  FitOptions options;
  options.epochs = 300;
  options.batch_size = 4;
  options.progress = Progress::silent;
  fit(model, x, y, optimizer, options);
  std::printf("consumer accuracy %.2f sigmoid(0) %.2f\n", evaluate(model, x, y).accuracy,
              sigmoid(Variable<double>(Tensor<double>(0.0))).item());
  return 0;
}
