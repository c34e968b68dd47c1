// Losses, optimizers, the training loop, determinism.
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>

#include "xgrad/autograd/autograd.hpp"
#include "xgrad/layers/layers.hpp"
#include "xgrad/train/train.hpp"

using namespace xgrad;
using V = Variable<double>;
using Inputs = std::vector<V>;

TEST_CASE("losses: known values") {
  V p(Tensor<double>{1.0, 2.0, 4.0}), t(Tensor<double>{1.0, 0.0, 1.0});
  CHECK(mse(p, t).item() == doctest::Approx((0.0 + 4.0 + 9.0) / 3));
  // BCE with logits: mean of softplus(x) - x t
  auto softplus = [](double x) { return std::log1p(std::exp(x)); };
  CHECK(binary_cross_entropy_with_logits(p, t).item() ==
        doctest::Approx((softplus(1) - 1 + softplus(2) + softplus(4) - 4) / 3));
  V logits(Tensor<double>{{1.0, 2.0, 3.0}, {1.0, 1.0, 1.0}});
  const double lse = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
  CHECK(cross_entropy(logits, {2, 0}).item() == doctest::Approx(((lse - 3.0) + std::log(3.0)) / 2));
}

TEST_CASE("losses: gradcheck") {
  Generator gen(8);
  V a(gen.uniform_tensor<double>({4, 3}, -2, 2), true), b(gen.uniform_tensor<double>({4, 3}, 0, 1), true);
  GradcheckResult r1 = gradcheck([](const Inputs& v) { return mse(v[0], v[1]); }, {a, b});
  CHECK_MESSAGE(r1.passed, r1.message);
  GradcheckResult r2 = gradcheck([](const Inputs& v) { return binary_cross_entropy_with_logits(v[0], v[1]); }, {a, b});
  CHECK_MESSAGE(r2.passed, r2.message);
  GradcheckResult r3 = gradcheck([](const Inputs& v) { return cross_entropy(v[0], {0, 2, 1, 1}); }, {a});
  CHECK_MESSAGE(r3.passed, r3.message);
}

TEST_CASE("losses: stable for logits of +-1e4, in float32 and float64") {
  Variable<float> logits(Tensor<float>{{1e4f, -1e4f}, {-1e4f, 1e4f}}, true);
  Variable<float> right = cross_entropy(logits, {0, 1});
  CHECK(right.item() == 0.0f);
  Variable<float> wrong = cross_entropy(logits, {1, 0});
  CHECK(wrong.item() == 2e4f);
  wrong.backward();
  CHECK(logits.grad()(0, 0) == doctest::Approx(0.5));
  CHECK(logits.grad()(0, 1) == doctest::Approx(-0.5));
  V x(Tensor<double>{1e4, -1e4}), t(Tensor<double>{0.0, 1.0});
  CHECK(binary_cross_entropy_with_logits(x, t).item() == doctest::Approx(1e4));
  CHECK(binary_cross_entropy_with_logits(x, V(Tensor<double>{1.0, 0.0})).item() == 0.0);
}

TEST_CASE("losses: errors name what is wrong") {
  V logits(Tensor<double>::from_shape({2, 3}));
  CHECK_THROWS_WITH_AS(cross_entropy(logits, {0, 3}), doctest::Contains("label 3 at row 1"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(cross_entropy(logits, {0}), doctest::Contains("1 labels for a batch of 2"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(mse(logits, V(Tensor<double>::from_shape({3, 2}))), doctest::Contains("[3, 2]"), std::invalid_argument);
  CHECK_THROWS_AS(cross_entropy(V(Tensor<double>::from_shape({0, 3})), {}), std::invalid_argument);
}

TEST_CASE("SGD and Adam follow PyTorch's update rules") {
  SUBCASE("SGD with momentum and weight decay") {
    V p(Tensor<double>{1.0}, true);
    SGD<double> opt({p}, 0.1, 0.9, 0.01);
    for (int i = 0; i < 2; ++i) {
      opt.zero_grad();
      (p * 2.0).backward();  // grad 2
      opt.step();
    }
    // step 1: d = 2 + 0.01 = 2.01, v = 2.01, p = 1 - 0.201 = 0.799
    // step 2: d = 2 + 0.00799, v = 0.9*2.01 + 2.00799 = 3.81699, p = 0.799 - 0.381699
    CHECK(p.value()(0) == doctest::Approx(0.799 - 0.381699));
  }
  SUBCASE("Adam's first step moves each weight by lr against its gradient's sign") {
    V p(Tensor<double>{1.0, -1.0}, true);
    Adam<double> opt({p}, 0.01);
    opt.zero_grad();
    sum(p * V(Tensor<double>{3.0, -0.5})).backward();
    opt.step();
    CHECK(p.value()(0) == doctest::Approx(0.99).epsilon(1e-6));
    CHECK(p.value()(1) == doctest::Approx(-0.99).epsilon(1e-6));
  }
  V q(Tensor<double>{1.0}, true);
  CHECK_THROWS_WITH_AS(SGD<double>({q}, std::nan("")), doctest::Contains("learning rate"), std::invalid_argument);
  CHECK_THROWS_AS(Adam<double>({q}, -1.0), std::invalid_argument);
  CHECK_THROWS_WITH_AS(make_optimizer<double>("adagrad", {q}, 0.1), doctest::Contains("adagrad"), std::invalid_argument);
}

namespace {
Tensor<float> xor_inputs() { return Tensor<float>{{0, 0}, {0, 1}, {1, 0}, {1, 1}}; }
const std::vector<std::int64_t> xor_labels{0, 1, 1, 0};

Sequential<float> xor_model(std::uint64_t seed) {
  Generator gen(seed);
  Sequential<float> model;
  model.add(std::make_shared<Dense<float>>(2, 8, ActivationSpec{Act::tanh}, true, Initializer::glorot_uniform, gen));
  model.add(std::make_shared<Dense<float>>(8, 2, ActivationSpec{}, true, Initializer::glorot_uniform, gen));
  return model;
}
}  // namespace

TEST_CASE("fit learns XOR, reports per-epoch lines, and evaluate agrees") {
  Sequential<float> model = xor_model(1);
  Adam<float> opt(model.parameters(), 0.05);
  std::ostringstream log;
  FitOptions o;
  o.epochs = 300;
  o.batch_size = 4;
  o.out = &log;
  o.progress = Progress::lines;
  History h = fit(model, xor_inputs(), xor_labels, opt, o);
  CHECK(h.epochs.size() == 300);
  CHECK(h.epochs.back().accuracy == 1.0);
  CHECK(h.epochs.back().loss < h.epochs.front().loss);
  CHECK(log.str().find("epoch 300/300 loss=") != std::string::npos);
  CHECK(evaluate(model, xor_inputs(), xor_labels).accuracy == 1.0);
  CHECK(predict_classes(model, xor_inputs()) == xor_labels);
}

TEST_CASE("the same seed gives a bit-identical run") {
  auto run = [] {
    Sequential<float> model = xor_model(7);
    SGD<float> opt(model.parameters(), 0.1, 0.9);
    FitOptions o;
    o.epochs = 20;
    o.batch_size = 2;
    o.seed = 99;
    o.progress = Progress::silent;
    fit(model, xor_inputs(), xor_labels, opt, o);
    std::vector<Tensor<float>> weights;
    for (auto& p : model.parameters()) weights.push_back(p.value());
    return weights;
  };
  CHECK(run() == run());
}

TEST_CASE("fit: validation split, regression targets and errors") {
  Generator gen(3);
  Tensor<double> x = gen.uniform_tensor<double>({100, 1}, -1, 1);
  Tensor<double> y = 3.0 * x + 0.5;
  Sequential<double> model;
  model.add<Dense<double>>(1, 1);
  SGD<double> opt(model.parameters(), 0.1);
  FitOptions o;
  o.epochs = 100;
  o.loss = LossKind::mse;
  o.validation_split = 0.2;
  o.progress = Progress::silent;
  History h = fit(model, x, Tensor<double>(y), opt, o);
  CHECK(h.epochs.back().val_loss.has_value());
  CHECK(*h.epochs.back().val_loss < 1e-4);
  CHECK(static_cast<Dense<double>&>(*model.layers()[0]).weight().value()(0, 0) == doctest::Approx(3.0).epsilon(1e-3));
  o.batch_size = 0;
  CHECK_THROWS_WITH_AS(fit(model, x, Tensor<double>(y), opt, o), doctest::Contains("batch_size"), std::invalid_argument);
  o.batch_size = 8;
  CHECK_THROWS_WITH_AS(fit(model, x, std::vector<std::int64_t>(5, 0), opt, o), doctest::Contains("100 rows"), std::invalid_argument);
}

TEST_CASE("train_test_split is a seeded partition") {
  auto [train, test] = train_test_split(10, 0.2, 4);
  CHECK(train.size() == 8);
  CHECK(test.size() == 2);
  std::vector<std::size_t> all(train);
  all.insert(all.end(), test.begin(), test.end());
  std::sort(all.begin(), all.end());
  for (std::size_t i = 0; i < 10; ++i) CHECK(all[i] == i);
  CHECK(train_test_split(10, 0.2, 4).second == test);
  CHECK_THROWS_AS(train_test_split(10, 1.0, 4), std::invalid_argument);
}

TEST_CASE("train_classifier: a validation fraction scores held-back training rows every epoch") {
  // Two separable blobs; the label is the sign of the first feature.
  Generator gen(5);
  CsvDataset data;
  data.features = gen.uniform_tensor<double>({40, 2}, -1, 1);
  for (std::size_t r = 0; r < 40; ++r) data.labels.push_back(data.features(r, 0) > 0);
  data.feature_names = {"a", "b"};
  data.class_names = {"negative", "positive"};
  ClassifierOptions o;
  o.epochs = 3;
  o.progress = Progress::silent;
  CHECK_FALSE(train_classifier(data, o).history.epochs.back().val_accuracy.has_value());
  o.validation_fraction = 0.25;
  std::ostringstream lines;
  o.progress = Progress::lines;
  o.out = &lines;
  const ClassifierResult r = train_classifier(data, o);
  REQUIRE(r.history.epochs.size() == 3);
  CHECK(r.history.epochs.back().val_accuracy.has_value());
  CHECK(lines.str().find("val_accuracy=") != std::string::npos);
  o.validation_fraction = 1.0;
  CHECK_THROWS_WITH_AS(train_classifier(data, o), doctest::Contains("validation_split"), std::invalid_argument);
}
