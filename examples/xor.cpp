// A small network learns XOR: 2 -> 8 (tanh) -> 2, cross-entropy, Adam.
#include <cstdio>

#include <xgrad.hpp>

using namespace xgrad;

int main() {
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
  History history = fit(model, x, y, optimizer, options);
  const auto predicted = predict_classes(model, x);
  for (std::size_t i = 0; i < 4; ++i)
    std::printf("%g xor %g = %lld\n", x(i, 0), x(i, 1), static_cast<long long>(predicted[i]));
  const double accuracy = evaluate(model, x, y).accuracy;
  std::printf("final loss %.6f, accuracy %.0f%%\n", history.epochs.back().loss, 100 * accuracy);
  return accuracy == 1.0 ? 0 : 1;
}
