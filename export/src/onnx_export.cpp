// A saved model's pipeline as an onnx.ModelProto, built with the ONNX
// protobuf definitions Debian ships (libonnx-dev), not by hand.
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

#include <set>

#include "proto_writer.hpp"

namespace xgrad {

namespace {

using onnx_detail::ProtoGraphWriter;

template <class T>
std::vector<float> floats(const Tensor<T>& t) {
  return std::vector<float>(t.data(), t.data() + t.size());
}

std::vector<std::int64_t> dims(const Tensor<float>& t) {
  return std::vector<std::int64_t>(t.shape().begin(), t.shape().end());
}

/// A layer's parameter by name ("weight", "bias", "alpha").
const Tensor<float>* find_parameter(const Module<float>& layer, const std::string& name) {
  for (const auto& [key, p] : layer.named_parameters())
    if (key == name) return &p.value();
  return nullptr;
}

/// A layer's buffer by name ("running_mean").
const Tensor<float>* find_buffer(const Module<float>& layer, const std::string& name) {
  for (const auto& [key, p] : layer.named_buffers())
    if (key == name) return &p.value();
  return nullptr;
}

const Tensor<float>& required(const Tensor<float>* t, const char* what) {
  if (!t) throw std::invalid_argument(std::string("it has no ") + what);
  return *t;
}

/// Appends one layer's nodes (eval mode) to `x`; throws std::invalid_argument for what ONNX cannot take.
std::string export_layer(ProtoGraphWriter& g, const Module<float>& layer, const std::string& prefix, std::string x,
                         std::optional<std::size_t> width) {
  const LayerConfig c = layer.config();
  auto weight = [&](const char* name) { const Tensor<float>& t = required(find_parameter(layer, name), name);
                                         return g.tensor(floats(t), dims(t), prefix + name); };
  if (c.type == "Dense") {
    const Tensor<float>* b = find_parameter(layer, "bias");
    const std::string w = weight("weight");
    x = b ? g.node("Gemm", {x, w, weight("bias")}) : g.node("MatMul", {x, w});
    if (!c.strings.count("activation")) return x;
    return onnx_activation(g, read_activation(c), x, static_cast<std::size_t>(config_number(c, "units")));
  }
  if (c.type == "Activation") return onnx_activation(g, read_activation(c), x, width);
  if (c.type == "PReLU") return g.node("PRelu", {x, weight("alpha")});
  if (c.type == "Dropout") return x;  // the identity in eval mode
  if (c.type == "BatchNorm1d") {
    const Tensor<float>& mean = required(find_buffer(layer, "running_mean"), "running_mean");
    const Tensor<float>& var = required(find_buffer(layer, "running_var"), "running_var");
    const std::string w = weight("weight"), b = weight("bias");
    return g.node("BatchNormalization",
                  {x, w, b, g.tensor(floats(mean), dims(mean), prefix + "running_mean"),
                   g.tensor(floats(var), dims(var), prefix + "running_var")},
                  {{"epsilon", config_number(c, "eps")}});
  }
  if (c.type == "LayerNorm") {
    const std::string w = weight("weight"), b = weight("bias");
    return g.node("LayerNormalization", {x, w, b}, {{"epsilon", config_number(c, "eps")}}, {{"axis", -1}});
  }
  throw std::invalid_argument("xgrad's exporter does not know this layer type");
}

}  // namespace

std::string onnx_model_bytes(const Sequential<float>& model, const ModelInfo& info) {
  GOOGLE_PROTOBUF_VERIFY_VERSION;
  if (model.size() == 0) throw std::invalid_argument("ONNX export: the model has no layers");
  // The input width without an encoding: the model's feature names, else its first layer's in_features (a bare model).
  std::size_t features = info.feature_names.size();
  if (features == 0) {
    const LayerConfig first = model.layers().front()->config();
    auto in = first.numbers.find("in_features");
    if (in != first.numbers.end()) features = static_cast<std::size_t>(in->second);
  }
  if (features == 0 && info.encoding.empty())
    throw std::invalid_argument("ONNX export: the model names no features and its first layer (" +
                                model.layers().front()->type_name() + ") does not fix the input width");
  onnx::ModelProto proto;
  proto.set_ir_version(8);  // the IR version of opset 17 (ONNX 1.12)
  proto.set_producer_name("xgrad");
  proto.set_producer_version("0.1.0");
  onnx::OperatorSetIdProto* opset = proto.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOnnxOpset);
  onnx::GraphProto* graph = proto.mutable_graph();
  graph->set_name("xgrad_model");
  ProtoGraphWriter g(*graph);

  auto [x, encoded] = onnx_detail::onnx_features(g, *graph, info, features);
  for (const auto& n : graph->node())
    if (n.domain() == "ai.onnx.ml") {  // LabelEncoder for the text columns
      onnx::OperatorSetIdProto* ml = proto.add_opset_import();
      ml->set_domain("ai.onnx.ml");
      ml->set_version(2);
      break;
    }
  if (info.standardizer.fitted()) {
    const auto n = static_cast<std::int64_t>(info.standardizer.mean.size());
    if (static_cast<std::size_t>(n) != encoded)
      throw std::invalid_argument("ONNX export: the standardisation has " + std::to_string(n) + " features but the input " +
                                  std::to_string(encoded));
    x = g.node("Sub", {x, g.tensor(floats(info.standardizer.mean), {n}, "standardizer.mean")});
    x = g.node("Div", {x, g.tensor(floats(info.standardizer.scale), {n}, "standardizer.scale")});
  }
  std::optional<std::size_t> width = encoded;
  for (std::size_t i = 0; i < model.size(); ++i) {
    const Module<float>& layer = *model.layers()[i];
    try {
      x = export_layer(g, layer, std::to_string(i) + ".", x, width);
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      throw std::invalid_argument("ONNX export: layer " + std::to_string(i) + " (" + layer.type_name() + "): " +
                                  (what.rfind("ONNX export: ", 0) == 0 ? what.substr(13) : what));
    }
    width = layer.output_features(width);
  }
  if (!width) throw std::invalid_argument("ONNX export: the model's output width is unknown");
  const bool classifier = !info.class_names.empty();
  if (classifier && *width != info.class_names.size())
    throw std::invalid_argument("ONNX export: the model has " + std::to_string(*width) + " outputs but " +
                                std::to_string(info.class_names.size()) + " class names");
  const std::string output = classifier ? "probabilities" : "prediction";
  if (classifier) x = g.node("Softmax", {x}, {}, {{"axis", -1}});
  if (info.task == "regression")  // the model predicts the standardised target
    x = g.node("Add", {g.node("Mul", {x, g.scalar(info.target_scale)}), g.scalar(info.target_mean)});
  if (graph->node_size() == 0 || graph->node(graph->node_size() - 1).output(0) != x)
    x = g.node("Identity", {x});  // the output must be a node's own output
  g.rename_last_output(output);
  onnx_detail::add_float_value_info(graph->add_output(), output, static_cast<std::int64_t>(*width));
  // Every name is defined once (a text column named like an initializer would be two values).
  std::set<std::string> defined;
  for (const auto& v : graph->input())
    if (!defined.insert(v.name()).second) throw std::invalid_argument("ONNX export: two inputs are named '" + v.name() + "'");
  for (const auto& t : graph->initializer())
    if (!defined.insert(t.name()).second)
      throw std::invalid_argument("ONNX export: the input column '" + t.name() +
                                  "' has the name of one of the model's constants; rename the column");
  std::string bytes;
  if (!proto.SerializeToString(&bytes)) throw std::runtime_error("ONNX export: protobuf could not serialise the model");
  return bytes;
}

void export_onnx(const Sequential<float>& model, const std::string& path) { export_onnx(model, ModelInfo{}, path); }

void export_onnx(const Sequential<float>& model, const ModelInfo& info, const std::string& path) {
  const std::string bytes = onnx_model_bytes(model, info);
  const std::string partial = path + ".partial-" + std::to_string(::getpid());
  {
    std::ofstream file(partial, std::ios::binary);
    if (!file) throw std::runtime_error(path + ": cannot open for writing");
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!file.flush()) {
      std::remove(partial.c_str());
      throw std::runtime_error(path + ": cannot write");
    }
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0) {
    std::remove(partial.c_str());
    throw std::runtime_error(path + ": cannot replace the file");
  }
}

}  // namespace xgrad
