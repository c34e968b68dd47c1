// Whole-model files: round trip, atomicity, and clear errors for bad files.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "residual_module.hpp"
#include "xgrad/layers/layers.hpp"
#include "xgrad/train/train.hpp"

using namespace xgrad;
namespace fs = std::filesystem;

namespace {
struct TempDir {
  fs::path path = fs::temp_directory_path() / ("xgrad_model_io_" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

Sequential<float> sample_model() {
  Generator gen(3);
  Sequential<float> model;
  model.add(std::make_shared<Dense<float>>(4, 5, ActivationSpec{Act::elu}, true, Initializer::he_uniform, gen));
  model.add(std::make_shared<PReLU<float>>(5, 0.2));
  ActivationSpec sp{Act::softplus};
  sp.set("beta", 2);
  sp.set("threshold", 10);
  model.add(std::make_shared<Activation<float>>(sp));
  model.add(std::make_shared<Dense<float>>(5, 3, ActivationSpec{}, true, Initializer::glorot_uniform, gen));
  return model;
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

TEST_CASE("save_model / load_model round trip: architecture, weights, standardizer, names") {
  TempDir dir;
  const std::string path = (dir.path / "model.npz").string();
  Sequential<float> model = sample_model();
  ModelInfo info;
  info.feature_names = {"a", "b", "c", "d"};
  info.class_names = {"x", "y", "z"};
  Generator gen(1);
  const Tensor<double> data = gen.uniform_tensor<double>({10, 4}, -3, 3);
  info.standardizer.fit(data);
  save_model(path, model, info);

  LoadedModel<float> loaded = load_model<float>(path);
  CHECK(loaded.info.feature_names == info.feature_names);
  CHECK(loaded.info.class_names == info.class_names);
  CHECK(loaded.info.standardizer.mean == info.standardizer.mean);
  CHECK(loaded.info.standardizer.scale == info.standardizer.scale);
  REQUIRE(loaded.model.size() == 4);
  const Tensor<float> x = prepare_features(data, info);
  CHECK(predict(loaded.model, x) == predict(model, x));
  CHECK(loaded.model.summary(4) == model.summary(4));
}

TEST_CASE("load_model: clear errors for missing, foreign, truncated and mismatched files") {
  TempDir dir;
  const std::string path = (dir.path / "model.npz").string();
  CHECK_THROWS_WITH_AS(load_model<float>(path), doctest::Contains(path.c_str()), NpzError);

  std::ofstream(dir.path / "foreign.npz") << "this is not a zip archive";
  CHECK_THROWS_AS(load_model<float>((dir.path / "foreign.npz").string()), NpzError);

  save_model(path, sample_model());
  const std::string bytes = read_all(path);
  std::ofstream(dir.path / "truncated.npz", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  CHECK_THROWS_WITH_AS(load_model<float>((dir.path / "truncated.npz").string()), doctest::Contains("truncated.npz"), NpzError);

  CHECK_THROWS_WITH_AS(load_model<double>(path), doctest::Contains("float32"), NpzError);

  // Right archive, wrong shape: swap in weights from a different architecture.
  save_npz((dir.path / "plain.npz").string(), {{"0.weight", NpzArray(Tensor<float>::from_shape({2, 2}))}});
  CHECK_THROWS_WITH_AS(load_model<float>((dir.path / "plain.npz").string()), doctest::Contains("architecture"), NpzError);
  NpzArchive archive = load_npz(path);
  std::vector<std::pair<std::string, NpzArray>> arrays(archive.begin(), archive.end());
  for (auto& [name, array] : arrays)
    if (name == "3.weight") array = Tensor<float>::from_shape({5, 4});
  save_npz((dir.path / "shape.npz").string(), arrays);
  CHECK_THROWS_WITH_AS(load_model<float>((dir.path / "shape.npz").string()), doctest::Contains("'3.weight' has shape [5, 4]"), NpzError);
}

TEST_CASE("a failed save leaves the previous model file intact") {
  TempDir dir;
  const std::string path = (dir.path / "model.npz").string();
  save_model(path, sample_model());
  const std::string before = read_all(path);
  Sequential<float> other;
  other.add<Dense<float>>(2, 2);
  testing::fail_next_save_before_rename();
  CHECK_THROWS(save_model(path, other));
  CHECK(read_all(path) == before);
  CHECK(load_model<float>(path).model.size() == 4);
  std::size_t leftovers = 0;
  for (auto& entry : fs::directory_iterator(dir.path)) leftovers += entry.path() != fs::path(path);
  CHECK(leftovers == 0);
}

TEST_CASE("round trip of Dropout, BatchNorm1d (running statistics included) and LayerNorm") {
  TempDir dir;
  const std::string path = (dir.path / "norm.npz").string();
  Generator gen(5);
  Sequential<double> model;
  model.add(std::make_shared<Dense<double>>(3, 6, ActivationSpec{Act::relu}, true, Initializer::he_uniform, gen))
      .add<BatchNorm1d<double>>(6, 0.2, 1e-3)
      .add<Dropout<double>>(0.4)
      .add<LayerNorm<double>>(6, 1e-6)
      .add(std::make_shared<Dense<double>>(6, 2, ActivationSpec{}, true, Initializer::glorot_uniform, gen));
  const Tensor<double> x = gen.uniform_tensor<double>({16, 3}, -2, 2);
  for (int step = 0; step < 3; ++step) model(Variable<double>(x));  // moves the running statistics
  auto& bn = static_cast<BatchNorm1d<double>&>(*model.layers()[1]);
  CHECK(bn.running_mean().value() != Tensor<double>(xt::zeros<double>({6})));
  model.eval();
  save_model(path, model);
  LoadedModel<double> loaded = load_model<double>(path);
  CHECK(loaded.model.state_dict() == model.state_dict());
  CHECK_FALSE(loaded.model.layers()[1]->is_training());
  CHECK(predict(loaded.model, x) == predict(model, x));
  for (std::size_t i = 0; i < model.size(); ++i)
    CHECK(loaded.model.layers()[i]->config().numbers == model.layers()[i]->config().numbers);
  NpzArchive archive = load_npz(path);
  CHECK(archive.count("1.running_mean") == 1);
  CHECK(archive.count("1.running_var") == 1);
}

namespace {
template <class T>
class Unregistered : public Module<T> {
 public:
  Variable<T> forward(const Variable<T>& x) override { return x; }
  std::string type_name() const override { return "Unregistered"; }
};
}  // namespace

TEST_CASE("a custom module registered by type name saves and loads; an unregistered one is refused at save") {
  TempDir dir;
  const std::string path = (dir.path / "residual.npz").string();
  register_layer<xgrad_test::Residual>("ResidualBlock");
  Generator gen(9);
  Sequential<float> model;
  model.add(std::make_shared<Dense<float>>(2, 4, ActivationSpec{}, true, Initializer::glorot_uniform, gen))
      .add(std::make_shared<xgrad_test::Residual<float>>(4))
      .add<Dense<float>>(4, 2);
  const Tensor<float> x = gen.uniform_tensor<float>({8, 2}, -1, 1);
  model(Variable<float>(x));
  model.eval();
  save_model(path, model);
  LoadedModel<float> loaded = load_model<float>(path);
  CHECK(loaded.model.layers()[1]->type_name() == "ResidualBlock");
  CHECK(loaded.model.state_dict() == model.state_dict());
  CHECK(load_npz(path).count("1.norm.running_var") == 1);
  CHECK(predict(loaded.model, x) == predict(model, x));

  Sequential<float> other;
  other.add<Dense<float>>(2, 2).add<Unregistered<float>>();
  const std::string refused = (dir.path / "refused.npz").string();
  CHECK_THROWS_WITH_AS(save_model(refused, other), doctest::Contains("layer 1 of type 'Unregistered'"), NpzError);
  CHECK_FALSE(fs::exists(refused));
}

TEST_CASE("load_model in the other dtype says so once, naming both") {
  TempDir dir;
  const std::string path = (dir.path / "model.npz").string();
  save_model(path, sample_model());
  std::string what;
  try {
    load_model<double>(path);
  } catch (const NpzError& e) {
    what = e.what();
  }
  CHECK(what == path + ": dtype mismatch: the model's weights are float32, but it was loaded as float64 (load it with load_model<float>, or convert it with load_model_as)");
  Sequential<double> wide;
  wide.add<Dense<double>>(2, 2);
  save_model(path, wide);
  CHECK_THROWS_WITH_AS(load_model<float>(path), doctest::Contains("weights are float64, but it was loaded as float32"), NpzError);
}

TEST_CASE("a model file written before buffers and the registry (format version 1) still loads") {
  TempDir dir;
  const std::string path = (dir.path / "old.npz").string();
  // The architecture text as the first model files wrote it, byte for byte in structure.
  const std::string arch = R"({
  "class_names": ["a", "b"],
  "dtype": "float32",
  "feature_names": ["x", "y"],
  "format": "xgrad-model",
  "layers": [
    {"numbers": {"in_features": 2.0, "units": 3.0, "use_bias": 1.0}, "strings": {"activation": "tanh", "initializer": "glorot_uniform"}, "type": "Dense"},
    {"numbers": {"init": 0.25, "num_parameters": 1.0}, "strings": {}, "type": "PReLU"},
    {"numbers": {"in_features": 3.0, "units": 2.0, "use_bias": 0.0}, "strings": {"activation": "linear", "initializer": "he_uniform"}, "type": "Dense"}
  ],
  "standardized": false,
  "version": 1
})";
  const Tensor<float> w0{{1, 2, 3}, {4, 5, 6}}, b0{0.5f, -0.5f, 0}, a1{0.1f}, w2{{1, 0}, {0, 1}, {1, 1}};
  save_npz(path, {{"architecture.json", text_to_npz_array(arch)}, {"0.weight", NpzArray(w0)}, {"0.bias", NpzArray(b0)},
                  {"1.alpha", NpzArray(a1)}, {"2.weight", NpzArray(w2)}});
  LoadedModel<float> loaded = load_model<float>(path);
  CHECK(loaded.info.class_names == std::vector<std::string>{"a", "b"});
  REQUIRE(loaded.model.size() == 3);
  CHECK(loaded.model.state_dict().at("0.weight") == w0);
  CHECK(loaded.model.state_dict().at("1.alpha") == a1);
  CHECK(loaded.model.state_dict().size() == 4);
}

TEST_CASE("save_weights / load_weights: a state dict in a file, into an existing model") {
  TempDir dir;
  const std::string path = (dir.path / "weights.npz").string();
  Generator g1(1), g2(2);
  Sequential<float> a, b;
  a.add(std::make_shared<Dense<float>>(3, 4, ActivationSpec{}, true, Initializer::glorot_uniform, g1)).add<BatchNorm1d<float>>(4);
  b.add(std::make_shared<Dense<float>>(3, 4, ActivationSpec{}, true, Initializer::glorot_uniform, g2)).add<BatchNorm1d<float>>(4);
  a(Variable<float>(g1.uniform_tensor<float>({5, 3}, -1, 1)));
  save_weights(path, a);
  CHECK(load_npz(path).size() == 6);
  load_weights(path, b);
  CHECK(b.state_dict() == a.state_dict());

  Sequential<float> wider;
  wider.add<Dense<float>>(3, 5).add<BatchNorm1d<float>>(5);
  CHECK_THROWS_WITH_AS(load_weights(path, wider), doctest::Contains("'0.weight' has shape [3, 4] in the state dict, the module's is [3, 5]"), NpzError);
  Sequential<float> shorter;
  shorter.add<Dense<float>>(3, 4);
  CHECK_THROWS_WITH_AS(load_weights(path, shorter), doctest::Contains("unexpected keys '1.bias', '1.running_mean'"), NpzError);
  CHECK(load_weights(path, shorter, /*strict=*/false).unexpected_keys.size() == 4);
  Sequential<double> wrong_dtype;
  wrong_dtype.add<Dense<double>>(3, 4);
  CHECK_THROWS_WITH_AS(load_weights(path, wrong_dtype), doctest::Contains("is float32, but the module is float64"), NpzError);
  save_model(path, shorter);
  CHECK_THROWS_WITH_AS(load_weights(path, shorter), doctest::Contains("load it with load_model"), NpzError);
}

TEST_CASE("every activation of the catalogue round-trips through a model file, parameters included") {
  TempDir dir;
  std::size_t checked = 0;
  for (const ActivationInfo& a : activation_catalogue()) {
    if (a.learnable) continue;  // prelu: the PReLU layer, above
    CAPTURE(a.name);
    ActivationSpec spec{a.id};
    // Non-default parameter values, so that a lost parameter shows.
    for (std::size_t i = 0; i < a.param_count; ++i) {
      const double d = a.params[i].default_value;
      spec.params.v[i] = std::isnan(d) ? (i == 0 ? 0.05 : -3.0) : (d == 0 ? 0.3 : d * (i == 0 ? 0.75 : 1.25));
    }
    Generator gen(7);
    Sequential<float> model;
    model.add(std::make_shared<Dense<float>>(3, 4, spec, true, Initializer::glorot_uniform, gen));
    model.add(std::make_shared<Activation<float>>(spec));
    model.eval();  // rrelu: the mean slope
    const fs::path path = dir.path / (std::string(a.name) + ".npz");
    save_model(path.string(), model);
    LoadedModel<float> loaded = load_model<float>(path.string());
    loaded.model.eval();
    const auto* act = dynamic_cast<const Activation<float>*>(loaded.model.layers()[1].get());
    REQUIRE(act != nullptr);
    CHECK(act->spec().id == a.id);
    for (std::size_t i = 0; i < a.param_count; ++i) CHECK(act->spec().params[i] == spec.params[i]);
    const Tensor<float> x = gen.uniform_tensor<float>({5, 3}, -3, 3);
    CHECK(predict(loaded.model, x) == predict(model, x));
    ++checked;
  }
  CHECK(checked + 1 == kActivations);
}
