// Whole-model files: round trip, atomicity, and clear errors for bad files.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

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
