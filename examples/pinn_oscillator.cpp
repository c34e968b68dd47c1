// A physics-informed network: fit u'' = -u on [0, 2 pi] with u(0) = 0 and
// u'(0) = 1 (the solution is sin t) from the equation alone, no samples of u.
// The network's second derivative with respect to its input comes from
// double backward (grad with create_graph); the loss is the mean squared
// residual u'' + u plus the two initial conditions, and backward through the
// whole thing trains the weights. Prints the maximum error against sin t.
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <xgrad.hpp>

using namespace xgrad;
using V = Variable<double>;

int main(int argc, char** argv) {
  const long steps = argc > 1 ? std::atol(argv[1]) : 4000;
  manual_seed(0);
  const double two_pi = 2 * M_PI;
  Sequential<double> net;
  net.add<Dense<double>>(1, 24, "tanh").add<Dense<double>>(24, 24, "tanh").add<Dense<double>>(24, 1);
  // The input scaled to [-1, 1] inside the model: u(t) = net(t / pi - 1).
  auto u_of = [&](const V& t) { return net.forward(t * (1 / M_PI) - 1.0); };

  const std::size_t points = 48;
  Tensor<double> grid = Tensor<double>::from_shape({points, 1});
  for (std::size_t i = 0; i < points; ++i) grid(i, 0) = two_pi * static_cast<double>(i) / (points - 1);
  const V ones(Tensor<double>(xt::ones<double>({points, std::size_t(1)})));
  const V one(Tensor<double>(xt::ones<double>({std::size_t(1), std::size_t(1)})));

  Adam<double> optimizer(net.parameters(), 3e-3);
  CosineAnnealingLR schedule(optimizer, steps, 1e-5);
  double loss_value = 0;
  for (long step = 0; step < steps; ++step) {
    V t(grid, true);
    V u = u_of(t);
    V du = grad({u}, {t}, {ones}, true)[0];    // u'(t), a graph
    V d2u = grad({du}, {t}, {ones}, true)[0];  // u''(t), a graph
    V t0(Tensor<double>(xt::zeros<double>({std::size_t(1), std::size_t(1)})), true);
    V u0 = u_of(t0);
    V du0 = grad({u0}, {t0}, {one}, true)[0];
    V loss = mean((d2u + u) * (d2u + u)) + mean(u0 * u0) + mean((du0 - 1.0) * (du0 - 1.0));
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    schedule.step();
    loss_value = loss.item();
    if (step % 1000 == 0) std::printf("step %5ld  loss %.3e\n", step, loss_value);
  }

  double max_error = 0;
  {
    NoGradGuard no_grad;
    const std::size_t n = 1001;
    Tensor<double> ts = Tensor<double>::from_shape({n, 1});
    for (std::size_t i = 0; i < n; ++i) ts(i, 0) = two_pi * static_cast<double>(i) / (n - 1);
    const Tensor<double> u = u_of(V(ts)).value();
    for (std::size_t i = 0; i < n; ++i) max_error = std::max(max_error, std::fabs(u(i, 0) - std::sin(ts(i, 0))));
  }
  std::printf("final loss %.3e\nmax |u - sin t| on [0, 2 pi]: %.2e\n", loss_value, max_error);
  return max_error < 1e-2 ? 0 : 1;
}
