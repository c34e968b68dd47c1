// The README's C++ examples, kept compiling and checked (file paths moved to a scratch directory).
#include <doctest/doctest.h>

#include <filesystem>
#include <cstdio>
#include <sstream>

#include <unistd.h>

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

TEST_CASE("README: training with callbacks, a scheduler and metrics") {
  const std::string dir = "/tmp/xgrad_readme_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  Generator gen(0);
  const Tensor<float> x = gen.uniform_tensor<float>({1000, 2}, -1, 1);
  std::vector<std::int64_t> y(1000);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = x(i, 0) * x(i, 1) > 0;  // XOR of the signs
  manual_seed(3);
  Sequential<float> model;
  model.add<Dense<float>>(2, 32, "relu").add<BatchNorm1d<float>>(32).add<Dropout<float>>(0.1);
  model.add<Dense<float>>(32, 32, "relu").add<Dense<float>>(32, 2);
  AdamW<float> optimizer(model.parameters(), 0.01);
  FitOptions options;
  options.epochs = 200;
  options.validation_split = 0.2;
  options.progress = Progress::silent;
  auto early = std::make_shared<EarlyStopping>("val_loss", 0.0, 15, MonitorMode::automatic, /*restore_best_weights=*/true);
  options.callbacks = {early, std::make_shared<CosineAnnealingLR>(optimizer, /*T_max=*/200),
                       std::make_shared<ModelCheckpoint>(dir + "/best.npz", "val_accuracy", /*save_best_only=*/true),
                       std::make_shared<CSVLogger>(dir + "/training.csv")};
  History history = fit(model, x, y, optimizer, options);
  const ClassificationReport report = classification_report(y, predict_classes(model, x));
  MESSAGE("epochs ", history.epochs.size(), " stopped ", history.stopped, " macro F1 ", report.macro_f1, " lr ",
          optimizer.learning_rate());
  CHECK(report.macro_f1 > 0.95);
  CHECK(optimizer.learning_rate() < 0.01);
  CHECK(load_model<float>(dir + "/best.npz").model.size() == 5);
  CHECK(std::filesystem::file_size(dir + "/training.csv") > 0);
  std::filesystem::remove_all(dir);
}

namespace {
// The README's custom module, verbatim.
class Residual : public Module<float> {  // x + body(x), then LayerNorm
 public:
  explicit Residual(std::size_t features) : features_(features) {
    body_ = register_module("body", std::make_shared<Sequential<float>>());
    body_->add<Dense<float>>(features, features, "relu").add<Dropout<float>>(0.2);
    norm_ = register_module("norm", std::make_shared<LayerNorm<float>>(features));
  }
  Variable<float> forward(const Variable<float>& x) override { return (*norm_)(x + (*body_)(x)); }
  std::string type_name() const override { return "Residual"; }
  LayerConfig config() const override { return {"Residual", {{"features", double(features_)}}, {}}; }

 private:
  std::size_t features_;
  std::shared_ptr<Sequential<float>> body_;
  std::shared_ptr<LayerNorm<float>> norm_;
};
}  // namespace

TEST_CASE("README: a custom module with registered sub-modules") {
  register_layer<float>("Residual", [](const LayerConfig& c) {
    return std::make_shared<Residual>(config_count(c, "features"));
  });
  Sequential<float> model;
  model.add<Dense<float>>(4, 16, "relu").add<BatchNorm1d<float>>(16);
  model.add(std::make_shared<Residual>(16)).add<Dense<float>>(16, 3);
  std::vector<std::string> names, buffers;
  for (auto& [name, p] : model.named_parameters()) names.push_back(name);
  for (auto& [name, b] : model.named_buffers()) buffers.push_back(name);
  CHECK(names == std::vector<std::string>{"0.weight", "0.bias", "1.weight", "1.bias", "2.body.0.weight", "2.body.0.bias",
                                          "2.norm.weight", "2.norm.bias", "3.weight", "3.bias"});
  CHECK(buffers == std::vector<std::string>{"1.running_mean", "1.running_var"});
  // The README elides training; a short fit here shows it works with every piece.
  manual_seed(3);
  Generator gen(4);
  const Tensor<float> x = gen.uniform_tensor<float>({60, 4}, -1, 1);
  std::vector<std::int64_t> y;
  for (std::size_t i = 0; i < 60; ++i) y.push_back(x(i, 0) > 0.3f ? 2 : (x(i, 0) > -0.3f ? 1 : 0));
  Adam<float> optimizer(model.parameters(), 0.02);
  FitOptions options;
  options.epochs = 60;
  options.batch_size = 10;
  options.progress = Progress::silent;
  fit(model, x, y, optimizer, options);
  CHECK_FALSE(model.layers()[2]->is_training());
  CHECK(evaluate(model, x, y).accuracy > 0.9);
  StateDict<float> best = model.state_dict();
  CHECK(best.size() == 12);
  model.load_state_dict(best);
  const std::string path = std::string(XGRAD_BINARY_DIR) + "/readme_model.npz";
  save_model(path, model);
  LoadedModel<float> loaded = load_model<float>(path);
  CHECK(predict(loaded.model, x) == predict(model, x));
  std::remove(path.c_str());
}
