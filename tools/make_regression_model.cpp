// make_regression_model OUT.npz OUT.csv [DIR]: a small regression model (no
// classes) trained on y = sin(2 a) + b^2 / 2 - c, with one layer per
// activation of the early catalogue, saved with its standardisation, and its
// input rows as CSV. With DIR, also one model per activation of the catalogue
// (DIR/NAME.npz: Dense 3 -> 8 with it, parameters away from their defaults,
// then Dense 8 -> 2; untrained, the first layer's weights tripled so that the
// inputs reach the kinks), for the export tests (tests/export/), which run
// them elsewhere and compare with xgrad; and DIR/layer_norm.npz.
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>

#include <xgrad.hpp>

using namespace xgrad;

/// One small model per activation of the catalogue (see the top).
void save_activation_models(const std::string& dir, const ModelInfo& info, Generator& gen) {
  const std::map<std::string, std::map<std::string, double>> parameters{
      {"leaky_relu", {{"negative_slope", 0.2}}}, {"rrelu", {{"lower", 0.1}, {"upper", 0.3}}},
      {"elu", {{"alpha", 0.5}}},                 {"softplus", {{"beta", 2.0}, {"threshold", 5.0}}},
      {"celu", {{"alpha", 0.7}}},                {"hardtanh", {{"min_val", -0.5}, {"max_val", 0.8}}},
      {"softshrink", {{"lambd", 0.3}}},          {"hardshrink", {{"lambd", 0.2}}},
      {"threshold", {{"threshold", -0.1}, {"value", -0.4}}}, {"squareplus", {{"b", 2.0}}}};
  for (const ActivationInfo& a : activation_catalogue()) {
    Sequential<float> model;
    ActivationSpec spec{a.learnable ? Act::linear : a.id};
    if (auto p = parameters.find(a.name); p != parameters.end())
      for (const auto& [name, value] : p->second) spec.set(name, value);
    model.add(std::make_shared<Dense<float>>(3, a.id == Act::glu ? 16 : 8, spec, true, Initializer::glorot_uniform, gen));
    if (a.learnable) {  // prelu: the PReLU layer, a slope per feature
      auto prelu = std::make_shared<PReLU<float>>(8, 0.1);
      float* slope = prelu->parameters()[0].mutable_value().data();
      for (int i = 0; i < 8; ++i) slope[i] = -0.3f + 0.1f * static_cast<float>(i);
      model.add(prelu);
    }
    model.add(std::make_shared<Dense<float>>(8, 2, ActivationSpec{}, true, Initializer::glorot_uniform, gen));
    Tensor<float>& w = model.parameters()[0].mutable_value();
    for (float& v : w) v *= 3;
    save_model(dir + "/" + a.name + ".npz", model, info);
  }
  // LayerNorm (xgrad train does not add it): affine parameters away from 1 and 0.
  Sequential<float> model;
  model.add(std::make_shared<Dense<float>>(3, 8, ActivationSpec{Act::tanh}, true, Initializer::glorot_uniform, gen));
  auto norm = std::make_shared<LayerNorm<float>>(8, 1e-3);
  for (auto& p : norm->parameters())
    for (float& v : p.mutable_value()) v = static_cast<float>(gen.uniform(-1.5, 1.5));
  model.add(norm);
  model.add(std::make_shared<Dense<float>>(8, 2, ActivationSpec{}, true, Initializer::glorot_uniform, gen));
  save_model(dir + "/layer_norm.npz", model, info);
}

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::cerr << "usage: make_regression_model OUT.npz OUT.csv [DIR]\n";
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
  if (argc == 4) save_activation_models(argv[3], info, gen);
  std::cout << "mse " << h.epochs.front().loss << " -> " << h.epochs.back().loss << "\n";
  return csv ? 0 : 1;
}
