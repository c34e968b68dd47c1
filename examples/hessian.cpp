// A Hessian-vector product by double backward (Pearlmutter's trick): for a
// scalar f(w), H v = d/dw <grad f(w), v>, one backward through the graph of
// the gradient, without forming H. Checked against central differences of
// the gradient, (grad f(w + h v) - grad f(w - h v)) / (2 h).
#include <cmath>
#include <cstdio>

#include <xgrad.hpp>

using namespace xgrad;
using V = Variable<double>;

namespace {
/// A small regression loss in the weights w [4] of a tanh unit: smooth, with a full Hessian.
V f(const V& w) {
  const V x(Tensor<double>({{0.5, -1.0, 2.0, 0.1}, {1.5, 0.3, -0.7, 2.0}, {-0.2, 0.8, 0.4, -1.1}}));
  const V y(Tensor<double>({0.3, -0.5, 0.9}));
  const V r = tanh(matmul(x, w)) - y;
  return mean(r * r) + sum(pow(w, 4.0)) * 0.01;
}

Tensor<double> gradient_at(const Tensor<double>& w) {
  V wv(w, true);
  return grad({f(wv)}, {wv})[0].value();
}
}  // namespace

int main() {
  const Tensor<double> w0{0.2, -0.4, 0.7, 0.1};
  const Tensor<double> v{1.0, 0.5, -1.0, 2.0};
  V w(w0, true);
  V g = grad({f(w)}, {w}, {}, true)[0];                  // grad f, a graph
  V hv = grad({sum(g * V(v))}, {w})[0];                  // H v
  const double h = 1e-5;
  const Tensor<double> numeric = (gradient_at(w0 + h * v) - gradient_at(w0 - h * v)) / (2 * h);
  double max_diff = 0;
  std::printf("   H v (double backward)   central differences\n");
  for (std::size_t i = 0; i < 4; ++i) {
    std::printf("%22.12f %22.12f\n", hv.value()(i), numeric(i));
    max_diff = std::max(max_diff, std::fabs(hv.value()(i) - numeric(i)));
  }
  std::printf("max difference %.2e\n", max_diff);
  return max_diff < 1e-7 ? 0 : 1;
}
