// Optimizers (against torch.optim), gradient clipping and learning-rate
// schedulers (against torch.optim.lr_scheduler); values in train_reference.hpp.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "train_reference.hpp"
#include "xgrad/autograd/autograd.hpp"
#include "xgrad/core/kernels.hpp"
#include "xgrad/train/train.hpp"

using namespace xgrad;
namespace ref = train_reference;
using V = Variable<double>;

namespace {
Tensor<double> tensor_of(const std::vector<double>& v) {
  Tensor<double> t = Tensor<double>::from_shape({v.size()});
  std::copy(v.begin(), v.end(), t.data());
  return t;
}

/// Five steps on L(p) = sum(a p^2 + b p), as tools/train_reference.py runs them.
std::vector<double> five_steps(const std::function<std::unique_ptr<Optimizer<double>>(V)>& make) {
  V p(tensor_of(ref::opt_p0), true);
  V a(tensor_of(ref::opt_a)), b(tensor_of(ref::opt_b));
  auto opt = make(p);
  for (int i = 0; i < 5; ++i) {
    opt->zero_grad();
    sum(a * p * p + b * p).backward();
    opt->step();
  }
  CHECK(opt->iterations() == 5);
  return std::vector<double>(p.value().data(), p.value().data() + p.size());
}

void check_close(const std::vector<double>& got, const std::vector<double>& want, double tol = 1e-13) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) CHECK_MESSAGE(std::fabs(got[i] - want[i]) <= tol * (1 + std::fabs(want[i])), "element " << i << ": " << got[i] << " vs " << want[i]);
}
}  // namespace

TEST_CASE("optimizers: five steps match torch.optim in float64") {
  using P = std::unique_ptr<Optimizer<double>>;
  check_close(five_steps([](V p) -> P { return std::make_unique<SGD<double>>(std::vector<V>{p}, 0.1, 0.9, 0.01, true); }),
              ref::opt_sgd_nesterov);
  check_close(five_steps([](V p) -> P { return std::make_unique<SGD<double>>(std::vector<V>{p}, 0.1, 0.9); }),
              ref::opt_sgd_momentum);
  check_close(five_steps([](V p) -> P { return std::make_unique<Adam<double>>(std::vector<V>{p}, 0.05, 0.9, 0.999, 1e-8, 0.1); }),
              ref::opt_adam_wd);
  check_close(five_steps([](V p) -> P { return std::make_unique<AdamW<double>>(std::vector<V>{p}, 0.05, 0.9, 0.999, 1e-8, 0.1); }),
              ref::opt_adamw);
  check_close(five_steps([](V p) -> P { return std::make_unique<AdamW<double>>(std::vector<V>{p}); }), ref::opt_adamw_default);
  // The 4th element lands on ~5e-16 in PyTorch: compare absolutely.
  check_close(five_steps([](V p) -> P { return std::make_unique<RMSprop<double>>(std::vector<V>{p}); }), ref::opt_rmsprop, 1e-12);
  check_close(five_steps([](V p) -> P {
                return std::make_unique<RMSprop<double>>(std::vector<V>{p}, 0.01, 0.9, 1e-8, 0.01, 0.9, true);
              }),
              ref::opt_rmsprop_full);
  check_close(five_steps([](V p) { return make_optimizer<double>("adamw", {p}, 1e-3); }), ref::opt_adamw_default);
  check_close(five_steps([](V p) { return make_optimizer<double>("rmsprop", {p}, 1e-2); }), ref::opt_rmsprop, 1e-12);
}

TEST_CASE("optimizers: float32 AdamW (the vectorised Adam kernel) follows the float64 run") {
  Variable<float> p(Tensor<float>{0.5f, -0.3f, 0.8f, 0.1f, 1.5f, -2.0f}, true);
  Variable<float> a(Tensor<float>{1.0f, 0.5f, 2.0f, 1.5f, 0.25f, 3.0f}), b(Tensor<float>{0.1f, -0.2f, 0.3f, 0.0f, -1.0f, 0.5f});
  AdamW<float> opt({p}, 0.05, 0.9, 0.999, 1e-8, 0.1);
  for (int i = 0; i < 5; ++i) {
    opt.zero_grad();
    sum(a * p * p + b * p).backward();
    opt.step();
  }
  for (std::size_t i = 0; i < 6; ++i) CHECK(p.value()(i) == doctest::Approx(ref::opt_adamw[i]).epsilon(1e-5));
}

TEST_CASE("optimizers: learning-rate setter and bad settings") {
  V q(Tensor<double>{1.0}, true);
  SGD<double> sgd({q}, 0.1);
  sgd.set_learning_rate(0.0);  // schedulers may reach 0
  CHECK(sgd.learning_rate() == 0.0);
  CHECK_THROWS_WITH_AS(sgd.set_learning_rate(-1), doctest::Contains("learning rate"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(sgd.set_learning_rate(std::nan("")), doctest::Contains("got NaN"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(SGD<double>({q}, 0.1, 0.0, 0.0, true), doctest::Contains("nesterov"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(RMSprop<double>({q}, 0.1, 1.5), doctest::Contains("RMSprop: alpha"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(AdamW<double>({q}, 0.0), doctest::Contains("learning rate"), std::invalid_argument);
}

TEST_CASE("clip_grad_norm and clip_grad_value match torch.nn.utils") {
  V p(Tensor<double>{0.0, 0.0, 0.0}, true), none(Tensor<double>{5.0}, true);
  sum(p * V(tensor_of(ref::clip_grad))).backward();
  CHECK(clip_grad_norm<double>({p, none}, 6.5) == ref::clip_norm);  // `none` has no gradient: skipped
  for (std::size_t i = 0; i < 3; ++i) CHECK(p.grad()(i) == doctest::Approx(ref::clip_clipped[i]).epsilon(1e-15));
  // Under the limit: untouched, and the norm is still reported.
  CHECK(clip_grad_norm<double>({p}, 100.0) == doctest::Approx(6.5).epsilon(1e-6));
  CHECK(p.grad()(0) == doctest::Approx(ref::clip_clipped[0]).epsilon(1e-15));
  clip_grad_value<double>({p}, 2.0);
  CHECK(p.grad()(0) == doctest::Approx(ref::clip_clipped[0]));
  CHECK(p.grad()(1) == doctest::Approx(-ref::clip_clipped[0] * 4 / 3));
  CHECK(p.grad()(2) == 2.0);
  CHECK_THROWS_WITH_AS(clip_grad_norm<double>({p}, 0.0), doctest::Contains("max_norm"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(clip_grad_value<double>({p}, -1.0), doctest::Contains("clip_value"), std::invalid_argument);
}

namespace {
/// The lr after construction and after each of 12 steps.
template <class Make>
std::vector<double> lr_sequence(Make make, const std::vector<double>* metrics = nullptr) {
  V q(Tensor<double>{1.0}, true);
  SGD<double> opt({q}, 0.1);
  auto s = make(opt);
  std::vector<double> seq{opt.learning_rate()};
  for (std::size_t i = 0; i < 12; ++i) {
    if constexpr (std::is_same_v<decltype(s), ReduceLROnPlateau>) s.step((*metrics)[i]);
    else s.step();
    seq.push_back(opt.learning_rate());
  }
  return seq;
}
}  // namespace

TEST_CASE("schedulers: learning rates match torch.optim.lr_scheduler") {
  check_close(lr_sequence([](OptimizerBase& o) { return StepLR(o, 3, 0.5); }), ref::lr_step);
  check_close(lr_sequence([](OptimizerBase& o) { return ExponentialLR(o, 0.9); }), ref::lr_exponential);
  check_close(lr_sequence([](OptimizerBase& o) { return CosineAnnealingLR(o, 5, 0.01); }), ref::lr_cosine);
  check_close(lr_sequence([](OptimizerBase& o) { return LinearLR(o, 0.25, 1.0, 4); }), ref::lr_linear);
  check_close(lr_sequence([](OptimizerBase& o) { return ReduceLROnPlateau(o, MonitorMode::min, 0.5, 1, 0.05, ThresholdMode::rel, 1); },
                          &ref::plateau_metrics),
              ref::lr_plateau);
  check_close(lr_sequence([](OptimizerBase& o) {
                return ReduceLROnPlateau(o, MonitorMode::max, 0.2, 0, 0.01, ThresholdMode::abs, 0, 0.005);
              }, &ref::plateau_metrics),
              ref::lr_plateau_max_abs);
}

TEST_CASE("schedulers: bad settings name the scheduler") {
  V q(Tensor<double>{1.0}, true);
  SGD<double> opt({q}, 0.1);
  CHECK_THROWS_WITH_AS(StepLR(opt, 0), doctest::Contains("StepLR: step_size"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(CosineAnnealingLR(opt, 0), doctest::Contains("CosineAnnealingLR: T_max"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(LinearLR(opt, 0.0), doctest::Contains("LinearLR: start_factor"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(ReduceLROnPlateau(opt, MonitorMode::min, 1.0), doctest::Contains("ReduceLROnPlateau: factor"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(ExponentialLR(opt, std::nan("")), doctest::Contains("ExponentialLR: gamma"), std::invalid_argument);
}

namespace {
/// kernels::adam_update against the scalar formula, element for element, on n values of every kind.
template <class T>
bool adam_kernel_matches_scalar(std::size_t n) {
  Generator gen(21);
  const Tensor<T> g = gen.normal_tensor<T>({n}, 0.0, 2.0);
  std::vector<T> w(n), m(n), v(n);
  for (std::size_t i = 0; i < n; ++i) {
    w[i] = static_cast<T>(std::sin(double(i)));
    m[i] = static_cast<T>(0.1 * std::cos(double(i)));
    v[i] = static_cast<T>(i % 5 == 0 ? 0.0 : 0.01 * double(i % 13));
  }
  std::vector<T> rw = w, rm = m, rv = v;
  const T b1 = T(0.9), b2 = T(0.999), eps = T(1e-8), wd = T(0.01), step = T(0.0013), bias2 = T(0.0447);
  for (std::size_t i = 0; i < n; ++i) {
    const T d = g.data()[i] + wd * rw[i];
    rm[i] = b1 * rm[i] + (T(1) - b1) * d;
    rv[i] = b2 * rv[i] + (T(1) - b2) * d * d;
    rw[i] -= step * rm[i] / (std::sqrt(rv[i]) / bias2 + eps);
  }
  kernels::adam_update(w.data(), g.data(), m.data(), v.data(), n, b1, b2, eps, wd, step, bias2);
  return std::memcmp(w.data(), rw.data(), n * sizeof(T)) == 0 && std::memcmp(m.data(), rm.data(), n * sizeof(T)) == 0 &&
         std::memcmp(v.data(), rv.data(), n * sizeof(T)) == 0;
}
}  // namespace

TEST_CASE("Adam's vectorised update has the scalar formula's bits, float and double, on every instruction set") {
  const std::string before = kernels::isa();
  for (const std::string& isa : kernels::available_isas()) {
    REQUIRE(kernels::use_isa(isa));
    for (std::size_t n : {1, 7, 8, 17, 1000, 300001}) {
      CAPTURE(isa);
      CAPTURE(n);
      CHECK(adam_kernel_matches_scalar<float>(n));
      CHECK(adam_kernel_matches_scalar<double>(n));
    }
  }
  kernels::use_isa(before);
}
