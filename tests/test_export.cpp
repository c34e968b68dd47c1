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
#include "xgrad/train/encoding.hpp"

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

TEST_CASE("ONNX activation mapping: every activation of the catalogue exports, or is an error naming it") {
  for (const ActivationInfo& a : activation_catalogue()) {
    const std::string name = a.name;
    CAPTURE(name);
    ActivationSpec spec{a.id};
    if (a.id == Act::threshold) spec.set("threshold", 0.5).set("value", -1.0);
    Sequential<float> model;
    if (a.learnable) {  // prelu: a layer of its own, per-feature slopes
      model.add<Dense<float>>(4, 6, ActivationSpec{});
      model.add(std::make_shared<PReLU<float>>(6, 0.25));
    } else {
      model.add<Dense<float>>(4, 6, spec);
    }
    ModelInfo info;
    info.feature_names = {"a", "b", "c", "d"};
    if (const char* reason = onnx_not_expressible(a.id)) {
      const std::string quoted = "'" + std::string(a.name) + "'";
      CHECK_THROWS_WITH_AS(onnx_model_bytes(model, info), doctest::Contains(quoted.c_str()),
                           std::invalid_argument);
      CHECK(std::string(reason).size() > 0);
      continue;
    }
    const onnx::ModelProto m = parse(onnx_model_bytes(model, info));
    CHECK(m.graph().output(0).type().tensor_type().shape().dim(1).dim_value() == (a.id == Act::glu ? 3 : 6));
    CHECK(m.graph().node_size() >= 1);
  }
  struct Case {
    std::string name;
    std::map<std::string, double> parameters;
    std::vector<std::string> ops;
  };
  const std::vector<Case> cases{
      {"relu", {}, {"Relu"}},
      {"leaky_relu", {{"negative_slope", 0.2}}, {"LeakyRelu"}},
      {"rrelu", {{"lower", 0.1}, {"upper", 0.3}}, {"LeakyRelu"}},
      {"softplus", {{"beta", 1}, {"threshold", 20}}, {"Softplus"}},
      {"softplus", {{"beta", 2}, {"threshold", 20}}, {"Mul", "Softplus", "Div", "Greater", "Where"}},
      {"gelu", {}, {"Div", "Erf", "Mul", "Add", "Mul"}},
      {"log_softmax", {}, {"LogSoftmax"}},
      {"selu", {}, {"Selu"}},
      {"celu", {{"alpha", 2}}, {"Celu"}},
      {"hardtanh", {{"min_val", -2}, {"max_val", 3}}, {"Clip"}},
      {"hardswish", {}, {"HardSwish"}},
      {"softshrink", {{"lambd", 0.25}}, {"Shrink"}},
      {"threshold", {{"threshold", 0.5}, {"value", -1}}, {"Greater", "Where"}},
      {"softmin", {}, {"Neg", "Softmax"}},
      {"glu", {}, {"Split", "Sigmoid", "Mul"}},
      {"linear", {}, {"Identity"}},
  };
  for (const auto& c : cases) {
    Sequential<float> model;
    LayerConfig config{"Activation", c.parameters, {{"activation", c.name}}};
    model.add(make_layer<float>(config));
    ModelInfo info;
    info.feature_names = {"x", "y"};
    const onnx::ModelProto m = parse(onnx_model_bytes(model, info));
    std::vector<std::string> ops = op_types(m);
    CHECK_MESSAGE(ops == c.ops, c.name);
    if (c.name == "leaky_relu") CHECK(m.graph().node(0).attribute(0).f() == doctest::Approx(0.2));
    if (c.name == "rrelu") CHECK(m.graph().node(0).attribute(0).f() == doctest::Approx(0.2));  // the mean slope
    if (c.name == "softshrink") CHECK(m.graph().node(0).attribute_size() == 2);
  }
}

TEST_CASE("ONNX export: a model ONNX cannot take is a clear error naming the layer and what is wrong") {
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
  // glu halves the last axis: an odd width cannot be split.
  Sequential<float> odd;
  odd.add<Dense<float>>(2, 5, ActivationSpec{Act::glu});
  ModelInfo two;
  two.feature_names = {"x", "y"};
  CHECK_THROWS_WITH_AS(onnx_model_bytes(odd, two), doctest::Contains("layer 0 (Dense): glu halves the last axis, which needs an even width, not 5"),
                       std::invalid_argument);
  // A text column whose name is a constant's in the graph.
  ModelInfo clash;
  clash.encoding.columns.push_back(ColumnEncoding{"0.weight", true, 0, {"a", "b"}, 0});
  clash.feature_names = {"0.weight"};
  Sequential<float> small;
  small.add<Dense<float>>(2, 1, ActivationSpec{});
  CHECK_THROWS_WITH_AS(onnx_model_bytes(small, clash), doctest::Contains("'0.weight'"), std::invalid_argument);
  clash.encoding.columns[0].name = "input";
  CHECK_THROWS_WITH_AS(onnx_model_bytes(small, clash), doctest::Contains("text column 'input' cannot name a graph input"),
                       std::invalid_argument);
}

TEST_CASE("ONNX export: a model trained on a table takes its numeric columns and one string input per text column") {
  ModelInfo info;
  info.encoding.columns = {ColumnEncoding{"age", false, 30.5, {}, 2}, ColumnEncoding{"color", true, 0, {"blue", "red", ""}, 1},
                           ColumnEncoding{"height", false, 1.7, {}, 0}};
  info.feature_names = info.encoding.column_names();
  info.task = "regression";
  info.target_mean = 10;
  info.target_scale = 2;
  Sequential<float> model;
  model.add<Dense<float>>(5, 1, ActivationSpec{});
  model.add<Dropout<float>>(0.5);
  const onnx::ModelProto m = parse(onnx_model_bytes(model, info));
  REQUIRE(m.graph().input_size() == 2);
  CHECK(m.graph().input(0).name() == "input");
  CHECK(m.graph().input(0).type().tensor_type().shape().dim(1).dim_value() == 2);
  CHECK(m.graph().input(0).doc_string().find("age, height") != std::string::npos);
  CHECK(m.graph().input(1).name() == "color");
  CHECK(m.graph().input(1).type().tensor_type().elem_type() == onnx::TensorProto::STRING);
  CHECK(m.opset_import_size() == 2);
  CHECK(op_types(m) == std::vector<std::string>{"IsNaN", "Where", "Slice", "LabelEncoder", "Unsqueeze", "Equal", "Cast",
                                                "Slice", "Concat", "Gemm", "Mul", "Add"});
  CHECK(m.graph().output(0).name() == "prediction");
  // The missing category takes every spelling of a missing cell; the categories their index.
  const onnx::NodeProto& encoder = m.graph().node(3);
  CHECK(encoder.domain() == "ai.onnx.ml");
  CHECK(encoder.attribute(0).strings(0) == "blue");
  CHECK(encoder.attribute(0).strings_size() == 2 + 34);
}
