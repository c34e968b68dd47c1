// ONNX export: the graph's structure, the activation mapping, and the errors.
// (tests/export/onnx_test.sh runs exported models in ONNX Runtime.)
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>

#include <onnx/onnx_pb.h>

#include "xgrad/export/onnx.hpp"
#include "xgrad/layers/layers.hpp"

using namespace xgrad;

namespace {

std::vector<std::string> op_types(const onnx::ModelProto& m) {
  std::vector<std::string> ops;
  for (const auto& n : m.graph().node()) ops.push_back(n.op_type());
  return ops;
}

onnx::ModelProto parse(const std::string& bytes) {
  onnx::ModelProto m;
  REQUIRE(m.ParseFromString(bytes));
  return m;
}

}  // namespace

TEST_CASE("ONNX export: a classifier's pipeline is standardisation, Gemm per Dense, activations, Softmax") {
  Generator gen(2);
  Sequential<float> model;
  model.add<Dense<float>>(3, 5, "tanh", true, Initializer::glorot_uniform, gen);
  model.add(std::make_shared<PReLU<float>>(5, 0.25));
  model.add<Dense<float>>(5, 2, ActivationSpec{}, false, Initializer::glorot_uniform, gen);
  ModelInfo info;
  info.feature_names = {"a", "b", "c"};
  info.class_names = {"no", "yes"};
  info.standardizer.mean = Tensor<double>{1.0, 2.0, 3.0};
  info.standardizer.scale = Tensor<double>{0.5, 1.0, 2.0};
  const onnx::ModelProto m = parse(onnx_model_bytes(model, info));
  CHECK(m.opset_import(0).version() == 17);
  CHECK(m.graph().input(0).name() == "input");
  CHECK(m.graph().input(0).type().tensor_type().shape().dim(1).dim_value() == 3);
  CHECK(m.graph().output(0).name() == "probabilities");
  CHECK(m.graph().output(0).type().tensor_type().shape().dim(1).dim_value() == 2);
  CHECK(op_types(m) == std::vector<std::string>{"Sub", "Div", "Gemm", "Tanh", "PRelu", "MatMul", "Softmax"});
  CHECK(m.graph().node().rbegin()->output(0) == "probabilities");
  bool found = false;
  for (const auto& t : m.graph().initializer())
    if (t.name() == "0.weight") {
      found = true;
      CHECK(t.dims_size() == 2);
      CHECK(t.dims(0) == 3);
      CHECK(t.dims(1) == 5);
      CHECK(t.raw_data().size() == 15 * sizeof(float));
    }
  CHECK(found);
}

TEST_CASE("ONNX export: a model without classes outputs 'prediction', without a softmax") {
  Sequential<float> model;
  model.add<Dense<float>>(2, 1, ActivationSpec{});
  ModelInfo info;
  info.feature_names = {"x", "y"};
  const onnx::ModelProto m = parse(onnx_model_bytes(model, info));
  CHECK(op_types(m) == std::vector<std::string>{"Gemm"});
  CHECK(m.graph().output(0).name() == "prediction");
  // A bare model: the width comes from its first Dense layer.
  const onnx::ModelProto bare = parse(onnx_model_bytes(model, ModelInfo{}));
  CHECK(bare.graph().input(0).type().tensor_type().shape().dim(1).dim_value() == 2);
}

TEST_CASE("export_onnx writes the file, and a bad path is an error naming it") {
  Sequential<float> model;
  model.add<Dense<float>>(3, 2, "relu");
  const std::string path = "/tmp/xgrad-test-export-" + std::to_string(::getpid()) + ".onnx";
  export_onnx(model, path);
  std::ifstream in(path, std::ios::binary);
  onnx::ModelProto m;
  CHECK(m.ParseFromIstream(&in));
  CHECK(op_types(m) == std::vector<std::string>{"Gemm", "Relu"});
  std::remove(path.c_str());
  CHECK_THROWS_WITH_AS(export_onnx(model, "/nonexistent-dir/m.onnx"), doctest::Contains("/nonexistent-dir/m.onnx"),
                       std::runtime_error);
}

TEST_CASE("ONNX activation mapping: one table keyed by name, every name of it a catalogue activation") {
  const std::vector<std::string> catalogue = activation_names();
  for (const auto& name : onnx_activation_names())
    CHECK_MESSAGE(std::find(catalogue.begin(), catalogue.end(), name) != catalogue.end(), name);
  struct Case {
    std::string name;
    std::map<std::string, double> parameters;
    std::vector<std::string> ops;
  };
  const std::vector<Case> cases{
      {"relu", {}, {"Relu"}},
      {"leaky_relu", {{"alpha", 0.2}}, {"LeakyRelu"}},
      {"softplus", {{"beta", 1}, {"threshold", 20}}, {"Softplus"}},
      {"softplus", {{"beta", 2}, {"threshold", 20}}, {"Mul", "Softplus", "Div", "Greater", "Where"}},
      {"gelu", {}, {"Div", "Erf", "Mul", "Add", "Mul"}},
      {"log_softmax", {}, {"LogSoftmax"}},
  };
  for (const auto& c : cases) {
    Sequential<float> model;
    LayerConfig config{"Activation", c.parameters, {{"activation", c.name}}};
    model.add(make_layer<float>(config));
    ModelInfo info;
    info.feature_names = {"x"};
    const onnx::ModelProto m = parse(onnx_model_bytes(model, info));
    std::vector<std::string> ops = op_types(m);
    CHECK_MESSAGE(ops == c.ops, c.name);
    if (c.name == "leaky_relu") CHECK(m.graph().node(0).attribute(0).f() == doctest::Approx(0.2));
  }
}

TEST_CASE("ONNX export: an activation without an ONNX form is a clear error naming it and the layer") {
  struct Writer : OnnxGraphWriter {
    std::string node(const std::string& op, const std::vector<std::string>&, const std::map<std::string, double>&,
                     const std::map<std::string, long long>&) override { return op; }
    std::string scalar(double) override { return "c"; }
  } writer;
  CHECK_THROWS_WITH_AS(onnx_activation(writer, "swish", {}, "x"),
                       doctest::Contains("the activation 'swish' has no ONNX (opset 17) form"), std::invalid_argument);
  Sequential<float> model;
  model.add<Dense<float>>(2, 1, ActivationSpec{});
  ModelInfo info;
  Sequential<float> starts_with_activation;
  starts_with_activation.add<Activation<float>>("relu");
  CHECK_THROWS_WITH_AS(onnx_model_bytes(starts_with_activation, info),
                       doctest::Contains("names no features and its first layer (Activation) does not fix the input width"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(onnx_model_bytes(Sequential<float>{}, info), doctest::Contains("no layers"), std::invalid_argument);
  info.feature_names = {"x", "y"};
  info.class_names = {"a", "b", "c"};
  CHECK_THROWS_WITH_AS(onnx_model_bytes(model, info), doctest::Contains("1 outputs but 3 class names"), std::invalid_argument);
}
