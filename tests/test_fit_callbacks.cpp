// fit: the silent bugs of the issue as regression tests (validation in eval
// mode, the shuffle carrying over, BCE targets, [n] regression targets,
// evaluate's regression form), validation data, clipping, and the callbacks.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <sstream>

#include <unistd.h>

#include "xgrad/autograd/autograd.hpp"
#include "xgrad/layers/layers.hpp"
#include "xgrad/train/train.hpp"

using namespace xgrad;

namespace {
/// A Dense(1 -> 1) that records, for every forward, the mode, whether a graph
/// is built, the number of rows and the first input value.
class Probe : public Module<double> {
 public:
  struct Call {
    bool training, grad;
    std::size_t rows;
    double first;
  };
  Probe() : dense_(1, 1) {}
  Variable<double> forward(const Variable<double>& x) override {
    calls.push_back({this->is_training(), grad_enabled(), x.shape()[0], x.value().data()[0]});
    return dense_(x);
  }
  std::vector<std::pair<std::string, Variable<double>>> named_parameters() const override { return dense_.named_parameters(); }
  std::string type_name() const override { return "Probe"; }
  LayerConfig config() const override { return {"Probe", {}, {}}; }
  std::vector<Call> calls;

 private:
  Dense<double> dense_;
};

struct Line {
  Tensor<double> x, y;  // y = 3x + 0.5, y of shape [n]
};
Line line(std::size_t n, std::uint64_t seed = 3) {
  Generator gen(seed);
  Line l;
  l.x = gen.uniform_tensor<double>({n, 1}, -1, 1);
  l.y = Tensor<double>::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) l.y(i) = 3 * l.x(i, 0) + 0.5;
  return l;
}

FitOptions quiet(std::size_t epochs, LossKind loss = LossKind::mse) {
  FitOptions o;
  o.epochs = epochs;
  o.loss = loss;
  o.progress = Progress::silent;
  return o;
}

std::string temp_path(const std::string& name) { return "/tmp/xgrad_test_" + std::to_string(::getpid()) + "_" + name; }
}  // namespace

TEST_CASE("fit: validation runs in eval mode without a graph; training in training mode") {
  Probe model;
  Line d = line(20);
  SGD<double> opt(model.parameters(), 0.1);
  FitOptions o = quiet(2);
  o.batch_size = 8;
  o.validation_split = 0.25;
  fit(model, d.x, d.y, opt, o);
  std::size_t train_calls = 0, val_calls = 0;
  for (const auto& c : model.calls) {
    if (c.training) {
      ++train_calls;
      CHECK(c.grad);
    } else {
      ++val_calls;
      CHECK_FALSE(c.grad);
      CHECK(c.rows == 5);
    }
  }
  CHECK(train_calls == 2 * 2);  // 15 rows in batches of 8, two epochs
  CHECK(val_calls == 2);
  CHECK_FALSE(model.is_training());  // fit leaves the model in eval mode
  // evaluate and predict score in eval mode and restore the mode they found.
  model.train();
  model.calls.clear();
  evaluate(model, d.x, d.y);
  predict(model, d.x);
  for (const auto& c : model.calls) CHECK_FALSE(c.training);
  CHECK(model.is_training());
}

TEST_CASE("fit: a loop of fit(epochs = 1) goes on to new shuffles; a fresh run repeats") {
  auto orders = [](std::size_t calls, Generator* gen) {
    Probe model;
    Line d = line(16);
    SGD<double> opt(model.parameters(), 0.01);
    FitOptions o = quiet(1);
    o.batch_size = 4;
    o.seed = 5;
    o.generator = gen;
    std::vector<std::vector<double>> firsts;
    for (std::size_t i = 0; i < calls; ++i) {
      model.calls.clear();
      fit(model, d.x, d.y, opt, o);
      std::vector<double> f;
      for (const auto& c : model.calls) f.push_back(c.first);
      firsts.push_back(f);
    }
    return firsts;
  };
  const auto a = orders(3, nullptr);
  CHECK(a[0] != a[1]);  // the silent bug: every call repeated the first shuffle
  CHECK(a[1] != a[2]);
  CHECK(orders(3, nullptr) == a);  // and still deterministic
  Generator g1(5), g2(5);
  const auto b = orders(2, &g1);
  CHECK(b[0] != b[1]);
  CHECK(orders(2, &g2) == b);  // a given generator carries its state
}

TEST_CASE("fit: [n] and [n, 1] regression targets, and evaluate's regression form") {
  Line d = line(100);
  Tensor<double> column = d.y;
  column.reshape({100, 1});
  for (const Tensor<double>* y : {&d.y, &column}) {
    Sequential<double> model;
    model.add<Dense<double>>(1, 1);
    SGD<double> opt(model.parameters(), 0.1);
    fit(model, d.x, *y, opt, quiet(100));
    const Evaluation e = evaluate(model, d.x, *y);
    CHECK(e.loss < 1e-6);
    REQUIRE(e.r2.has_value());
    CHECK(*e.r2 > 0.99999);
    CHECK(*e.mae < 1e-3);
    CHECK(*e.rmse == doctest::Approx(std::sqrt(e.loss)).epsilon(1e-9));
    CHECK(std::isnan(e.accuracy));
  }
  for (LossKind k : {LossKind::l1, LossKind::huber, LossKind::smooth_l1}) {
    Sequential<double> model;
    model.add<Dense<double>>(1, 1);
    SGD<double> opt(model.parameters(), 0.1);
    fit(model, d.x, d.y, opt, quiet(300, k));
    CHECK(evaluate(model, d.x, d.y, k).loss < 0.05);
  }
}

TEST_CASE("fit: BCE targets outside [0, 1] and class-id losses on tensors are refused") {
  Sequential<double> model;
  model.add<Dense<double>>(1, 1);
  SGD<double> opt(model.parameters(), 0.1);
  Tensor<double> x = Tensor<double>::from_shape({3, 1});
  x(0, 0) = 0.1;
  x(1, 0) = 0.2;
  x(2, 0) = 0.3;
  CHECK_THROWS_WITH_AS(fit(model, x, std::vector<std::int64_t>{0, 2, 1}, opt, quiet(1, LossKind::binary_cross_entropy_with_logits)),
                       doctest::Contains("binary_cross_entropy_with_logits: label 2 at row 1 of the data is not 0 or 1"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(fit(model, x, Tensor<double>{0.0, 1.0, 1.5}, opt, quiet(1, LossKind::binary_cross_entropy)),
                       doctest::Contains("binary_cross_entropy: target 1.5 at row 2 of the data"), std::invalid_argument);
  Sequential<double> three;
  three.add<Dense<double>>(1, 3);
  SGD<double> opt3(three.parameters(), 0.1);
  FitOptions shuffled = quiet(1, LossKind::cross_entropy);
  shuffled.batch_size = 1;
  CHECK_THROWS_WITH_AS(fit(three, x, std::vector<std::int64_t>{0, 1, 3}, opt3, shuffled),
                       doctest::Contains("cross_entropy: label 3 at row 2 of the data is out of range [0, 3)"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(fit(model, x, Tensor<double>{0.0, 1.0, 1.0}, opt, quiet(1, LossKind::nll)),
                       doctest::Contains("nll needs integer class labels"), std::invalid_argument);
}

TEST_CASE("fit: explicit validation data, and gradient clipping") {
  Line d = line(40), v = line(10, 9);
  Sequential<double> model;
  model.add<Dense<double>>(1, 1);
  SGD<double> opt(model.parameters(), 0.1);
  History h = fit(model, d.x, d.y, opt, quiet(50), v.x, v.y);
  REQUIRE(h.epochs.back().val_loss.has_value());
  CHECK(*h.epochs.back().val_loss == doctest::Approx(evaluate(model, v.x, v.y).loss));
  FitOptions both = quiet(1);
  both.validation_split = 0.2;
  CHECK_THROWS_WITH_AS(fit(model, d.x, d.y, opt, both, v.x, v.y), doctest::Contains("not both"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(fit(model, d.x, d.y, opt, quiet(1), v.x, d.y), doctest::Contains("validation data"), std::invalid_argument);
  // Clipped to a norm of 0.01, one SGD step moves the weights by at most lr * 0.01.
  Sequential<double> m2;
  m2.add<Dense<double>>(1, 1);
  SGD<double> o2(m2.parameters(), 0.1);
  const WeightSnapshot<double> before = snapshot_weights(m2);
  FitOptions clip = quiet(1);
  clip.batch_size = 40;
  clip.clip_grad_norm = 0.01;
  fit(m2, d.x, d.y, o2, clip);
  double moved = 0;
  const WeightSnapshot<double> after = snapshot_weights(m2);
  for (const auto& [name, b] : before)
    for (std::size_t i = 0; i < b.size(); ++i) moved += std::pow(after.at(name).data()[i] - b.data()[i], 2);
  CHECK(std::sqrt(moved) <= 0.1 * 0.01 * (1 + 1e-9));
  CHECK(std::sqrt(moved) > 0.1 * 0.01 * 0.99);
}

TEST_CASE("callbacks: EarlyStopping stops, restores the best weights, and names a missing monitor") {
  Line d = line(40);
  Sequential<double> model;
  model.add<Dense<double>>(1, 1);
  // A learning rate that makes the loss diverge after it first falls.
  SGD<double> opt(model.parameters(), 1.05);
  auto stop = std::make_shared<EarlyStopping>("loss", 0.0, 2, MonitorMode::automatic, true);
  std::vector<WeightSnapshot<double>> seen;
  FitOptions o = quiet(50);
  o.batch_size = 40;
  o.callbacks = {std::make_shared<LambdaCallback>([&](std::size_t, const Logs&, TrainingContext&) {
                   seen.push_back(snapshot_weights(model));
                 }),
                 stop};
  History h = fit(model, d.x, d.y, opt, o);
  REQUIRE(stop->stopped_epoch().has_value());
  CHECK(h.stopped);
  CHECK(h.epochs.size() == *stop->stopped_epoch() + 1);
  CHECK(h.epochs.size() == stop->best_epoch() + 3);  // patience 2
  CHECK(stop->best() == h.epochs[stop->best_epoch()].loss);
  // The weights now are those after the best epoch (the lambda runs before EarlyStopping: its last copy is pre-restore).
  CHECK(snapshot_weights(model) == seen[stop->best_epoch()]);
  CHECK(snapshot_weights(model) != seen.back());
  FitOptions bad = quiet(2);
  bad.callbacks = {std::make_shared<EarlyStopping>()};
  CHECK_THROWS_WITH_AS(fit(model, d.x, d.y, opt, bad), doctest::Contains("'val_loss' is not in the logs (there are: loss, lr)"),
                       std::invalid_argument);
}

TEST_CASE("callbacks: ModelCheckpoint keeps the best model, CSVLogger writes the logs, schedulers step") {
  Line d = line(40);
  Sequential<double> model;
  model.add<Dense<double>>(1, 1);
  SGD<double> opt(model.parameters(), 0.2);
  const std::string best = temp_path("best.npz"), csv = temp_path("log.csv");
  auto checkpoint = std::make_shared<ModelCheckpoint>(best, "val_loss", true);
  auto scheduler = std::make_shared<StepLR>(opt, 2, 0.5);
  FitOptions o = quiet(5);
  o.validation_split = 0.25;
  o.callbacks = {std::make_shared<CSVLogger>(csv), checkpoint, scheduler};
  History h = fit(model, d.x, d.y, opt, o);
  CHECK(checkpoint->saves() >= 1);
  LoadedModel<double> loaded = load_model<double>(best);
  double best_val = INFINITY;
  for (const auto& e : h.epochs) best_val = std::min(best_val, *e.val_loss);
  std::vector<std::size_t> tail(10);
  std::iota(tail.begin(), tail.end(), 30);  // validation_split 0.25 holds out the last 10 rows
  CHECK(evaluate(loaded.model, take_rows(d.x, tail, 0, 10), take_rows(d.y, tail, 0, 10)).loss ==
        doctest::Approx(best_val).epsilon(1e-12));
  CHECK(opt.learning_rate() == doctest::Approx(0.2 * 0.25));  // 5 epochs: halved at 2 and 4
  // The history keeps the rate each epoch ran with (what --plot-history draws).
  REQUIRE(h.epochs.size() == 5);
  const double rates[] = {0.2, 0.2, 0.1, 0.1, 0.05};
  for (std::size_t e = 0; e < 5; ++e) CHECK(h.epochs[e].learning_rate == doctest::Approx(rates[e]).epsilon(1e-15));
  std::ifstream in(csv);
  std::string header, first;
  std::getline(in, header);
  std::getline(in, first);
  CHECK(header == "epoch,loss,lr,val_loss");
  CHECK(first.rfind("0,", 0) == 0);
  CHECK(first.find(",0.2,") != std::string::npos);  // the lr during epoch 0
  std::size_t rows = 1;
  for (std::string line; std::getline(in, line);) ++rows;
  CHECK(rows == 5);
  std::remove(best.c_str());
  std::remove(csv.c_str());
  // Checkpointing needs a Sequential.
  Probe probe;
  SGD<double> po(probe.parameters(), 0.1);
  FitOptions p = quiet(1);
  p.callbacks = {std::make_shared<ModelCheckpoint>(temp_path("x.npz"), "loss")};
  CHECK_THROWS_WITH_AS(fit(probe, d.x, d.y, po, p), doctest::Contains("only a Sequential"), std::invalid_argument);
}

TEST_CASE("callbacks: ReduceLROnPlateau on the training loss; TerminateOnNaN stops cleanly where fit would throw") {
  Line d = line(40);
  Sequential<double> model;
  model.add<Dense<double>>(1, 1);
  SGD<double> opt(model.parameters(), 1e-12);  // no progress: a plateau
  FitOptions o = quiet(6);
  o.callbacks = {std::make_shared<ReduceLROnPlateau>(opt, MonitorMode::min, 0.5, 1, 1e-4, ThresholdMode::rel, 0, 0.0, 1e-30, "loss")};
  fit(model, d.x, d.y, opt, o);
  CHECK(opt.learning_rate() < 1e-12);
  SGD<double> wild(model.parameters(), 1e200);
  FitOptions n = quiet(5);
  n.batch_size = 10;
  CHECK_THROWS_WITH_AS(fit(model, d.x, d.y, wild, n), doctest::Contains("the loss became"), std::runtime_error);
  Sequential<double> m2;
  m2.add<Dense<double>>(1, 1);
  SGD<double> wild2(m2.parameters(), 1e200);
  n.callbacks = {std::make_shared<TerminateOnNaN>()};
  const WeightSnapshot<double> start = snapshot_weights(m2);
  History h = fit(m2, d.x, d.y, wild2, n);
  CHECK(h.stopped);
  CHECK(h.epochs.empty());  // the epoch with the non-finite batch is not recorded
  for (const auto& [name, w] : snapshot_weights(m2))
    for (std::size_t i = 0; i < w.size(); ++i) CHECK(std::isfinite(w.data()[i]));  // the bad batch took no step
  CHECK(snapshot_weights(m2) != start);
}

TEST_CASE("fit: sample weights of 0 drop rows; class weights are sample weights by label") {
  // Full-batch SGD without shuffling: rows weighted 0 and the others weighted N / kept
  // give the same steps as training on the kept rows alone.
  Line d = line(20);
  for (std::size_t i = 0; i < 5; ++i) d.y(i) = 100.0;  // outliers
  auto run = [&](const Tensor<double>& x, const Tensor<double>& y, std::vector<double> weights) {
    Sequential<double> model;
    Generator gen(1);
    model.add(std::make_shared<Dense<double>>(1, 1, ActivationSpec{}, true, Initializer::glorot_uniform, gen));
    SGD<double> opt(model.parameters(), 0.1);
    FitOptions o = quiet(30);
    o.batch_size = 1000;
    o.shuffle = false;
    o.sample_weight = std::move(weights);
    fit(model, x, y, opt, o);
    return snapshot_weights(model);
  };
  std::vector<double> w(20, 20.0 / 15);
  std::fill(w.begin(), w.begin() + 5, 0.0);
  std::vector<std::size_t> kept(15);
  std::iota(kept.begin(), kept.end(), 5);
  const auto weighted = run(d.x, d.y, w), subset = run(take_rows(d.x, kept, 0, 15), take_rows(d.y, kept, 0, 15), {});
  for (const auto& [name, wt] : weighted)
    for (std::size_t i = 0; i < wt.size(); ++i)
      CHECK(wt.data()[i] == doctest::Approx(subset.at(name).data()[i]).epsilon(1e-12));

  const Tensor<float> x = Tensor<float>{{0, 0}, {0, 1}, {1, 0}, {1, 1}};
  const std::vector<std::int64_t> labels{0, 1, 1, 0};
  auto classify = [&](std::vector<double> sample_weight, std::vector<double> class_weight) {
    Generator gen(2);
    Sequential<float> model;
    model.add(std::make_shared<Dense<float>>(2, 2, ActivationSpec{}, true, Initializer::glorot_uniform, gen));
    SGD<float> opt(model.parameters(), 0.1);
    FitOptions o;
    o.epochs = 5;
    o.batch_size = 2;
    o.progress = Progress::silent;
    o.sample_weight = std::move(sample_weight);
    o.class_weight = std::move(class_weight);
    fit(model, x, labels, opt, o);
    return snapshot_weights(model);
  };
  CHECK(classify({}, {0.25, 3.0}) == classify({0.25, 3.0, 3.0, 0.25}, {}));
  CHECK(classify({}, {0.25, 3.0}) != classify({}, {}));
  Sequential<double> model;
  model.add<Dense<double>>(1, 1);
  SGD<double> opt(model.parameters(), 0.1);
  FitOptions bad = quiet(1);
  bad.sample_weight = {1.0, 2.0};
  CHECK_THROWS_WITH_AS(fit(model, d.x, d.y, opt, bad), doctest::Contains("2 sample weights for 20 rows"), std::invalid_argument);
  bad.sample_weight.clear();
  bad.class_weight = {1.0};
  CHECK_THROWS_WITH_AS(fit(model, d.x, d.y, opt, bad), doctest::Contains("class_weight needs integer class labels"),
                       std::invalid_argument);
}

TEST_CASE("callbacks: a per-batch LinearLR warm-up counts steps, not epochs") {
  Line d = line(40);
  Sequential<double> model;
  model.add<Dense<double>>(1, 1);
  SGD<double> opt(model.parameters(), 0.1);
  auto warmup = std::make_shared<LinearLR>(opt, 0.1, 1.0, 20);
  warmup->per_batch = true;
  CHECK(opt.learning_rate() == doctest::Approx(0.01));
  std::vector<double> lrs;
  FitOptions o = quiet(2);
  o.batch_size = 4;  // 10 batches an epoch
  o.callbacks = {warmup, std::make_shared<LambdaCallback>([&](std::size_t, const Logs& logs, TrainingContext&) {
                   lrs.push_back(logs.at("lr"));
                 })};
  fit(model, d.x, d.y, opt, o);
  REQUIRE(lrs.size() == 2);
  CHECK(lrs[0] == doctest::Approx(0.01 + 0.09 * 10 / 20));  // after 10 of the 20 warm-up steps
  CHECK(lrs[1] == doctest::Approx(0.1));
  CHECK(warmup->last_epoch() == 20);
}
