// The README's two C++ examples, kept compiling and checked.
#include <doctest/doctest.h>

#include <sstream>

#include <xtensor/xreducer.hpp>

#include <xgrad.hpp>

using namespace xgrad;

TEST_CASE("README: Keras-like style") {
  manual_seed(1);
  const Tensor<float> x{{0, 0}, {0, 1}, {1, 0}, {1, 1}};
  const std::vector<std::int64_t> y{0, 1, 1, 0};
  Sequential<float> model;
  model.add<Dense<float>>(2, 8, "tanh").add<Dense<float>>(8, 2);
  std::ostringstream out;
  out << model.summary(2);
  Adam<float> optimizer(model.parameters(), 0.05);
  FitOptions options;
  options.epochs = 300;
  options.batch_size = 4;
  options.out = &out;
  fit(model, x, y, optimizer, options);
  CHECK(evaluate(model, x, y).accuracy == 1.0);
}

TEST_CASE("README: PyTorch-like style") {
  Generator gen(0);
  Variable<double> w(gen.normal_tensor<double>({3, 1}), /*requires_grad=*/true);
  Variable<double> b(Tensor<double>{0.0}, true);
  const Variable<double> x(gen.uniform_tensor<double>({64, 3}, -1, 1));
  const Variable<double> target(Tensor<double>(xt::sum(x.value(), {1}, xt::keep_dims) * 2.0));
  SGD<double> optimizer({w, b}, 0.1, /*momentum=*/0.9);
  double first = 0, last = 0;
  for (int step = 0; step < 200; ++step) {
    optimizer.zero_grad();
    Variable<double> loss = mse(tanh(matmul(x, w) + b) * 4.0, target);
    (step == 0 ? first : last) = loss.item();
    loss.backward();
    optimizer.step();
  }
  CHECK(last < 0.05 * first);
}
