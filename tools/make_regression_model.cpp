// make_regression_model OUT.npz OUT.csv: a small regression model (no classes)
// trained on y = sin(2 a) + b^2 / 2 - c, with one layer per exportable
// activation, saved with its standardisation, and its input rows as CSV. The
// ONNX export test (tests/export/onnx_test.sh) exports it; the xgrad tool
// trains classifiers only.
#include <cmath>
#include <fstream>
#include <iostream>

#include <xgrad.hpp>

using namespace xgrad;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: make_regression_model OUT.npz OUT.csv\n";
    return 2;
  }
  const std::size_t rows = 256;
  Generator gen(11);
  Tensor<double> x = gen.uniform_tensor<double>({rows, 3}, -2.0, 2.0);
  for (std::size_t r = 0; r < rows; ++r) x(r, 2) = 10 + 5 * x(r, 2);  // a column far from 0: standardisation matters
  Tensor<float> y = Tensor<float>::from_shape({rows, 1});
  for (std::size_t r = 0; r < rows; ++r)
    y(r, 0) = static_cast<float>(std::sin(2 * x(r, 0)) + x(r, 1) * x(r, 1) / 2 - (x(r, 2) - 10) / 5);
  ModelInfo info;
  info.feature_names = {"a", "b", "c"};
  info.standardizer.fit(x);

  Sequential<float> model;
  auto dense = [&](std::size_t in, std::size_t out, ActivationSpec act) {
    model.add(std::make_shared<Dense<float>>(in, out, act, true, Initializer::glorot_uniform, gen));
  };
  ActivationSpec leaky{Act::leaky_relu};
  leaky.set("negative_slope", 0.2);
  ActivationSpec elu{Act::elu};
  elu.set("alpha", 0.5);
  ActivationSpec softplus{Act::softplus};
  softplus.set("beta", 2.0).set("threshold", 5.0);
  dense(3, 16, ActivationSpec{Act::gelu});
  dense(16, 16, ActivationSpec{Act::gelu_tanh});
  dense(16, 12, leaky);
  model.add(std::make_shared<PReLU<float>>(12, 0.1));
  dense(12, 12, elu);
  dense(12, 12, softplus);
  dense(12, 10, ActivationSpec{Act::tanh});
  dense(10, 10, ActivationSpec{Act::sigmoid});
  dense(10, 8, ActivationSpec{Act::relu});
  dense(8, 1, ActivationSpec{});
  auto optimizer = make_optimizer<float>("adam", model.parameters(), 0.01);
  FitOptions options;
  options.epochs = 60;
  options.loss = LossKind::mse;
  options.progress = Progress::silent;
  const History h = fit(model, prepare_features(x, info), y, *optimizer, options);
  save_model(argv[1], model, info);
  std::ofstream csv(argv[2]);
  csv << "a,b,c\n";
  csv.precision(17);
  for (std::size_t r = 0; r < rows; ++r) csv << x(r, 0) << "," << x(r, 1) << "," << x(r, 2) << "\n";
  std::cout << "mse " << h.epochs.front().loss << " -> " << h.epochs.back().loss << "\n";
  return csv ? 0 : 1;
}
