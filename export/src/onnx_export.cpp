// A saved model's pipeline as an onnx.ModelProto, built with the ONNX
// protobuf definitions Debian ships (libonnx-dev), not by hand.
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

#include <onnx/onnx_pb.h>

#include "xgrad/export/onnx.hpp"

namespace xgrad {

namespace {

/// Names values v0, v1, ... and constants c0, c1, ...; every node's output is fresh.
class ProtoGraphWriter : public OnnxGraphWriter {
 public:
  explicit ProtoGraphWriter(onnx::GraphProto& graph) : graph_(graph) {}

  std::string node(const std::string& op, const std::vector<std::string>& inputs,
                   const std::map<std::string, double>& floats = {},
                   const std::map<std::string, long long>& ints = {}) override {
    onnx::NodeProto* n = graph_.add_node();
    n->set_op_type(op);
    n->set_name(op + "_" + std::to_string(graph_.node_size() - 1));
    for (const auto& input : inputs) n->add_input(input);
    const std::string out = "v" + std::to_string(values_++);
    n->add_output(out);
    for (const auto& [key, value] : floats) {
      onnx::AttributeProto* a = n->add_attribute();
      a->set_name(key);
      a->set_type(onnx::AttributeProto::FLOAT);
      a->set_f(static_cast<float>(value));
    }
    for (const auto& [key, value] : ints) {
      onnx::AttributeProto* a = n->add_attribute();
      a->set_name(key);
      a->set_type(onnx::AttributeProto::INT);
      a->set_i(value);
    }
    return out;
  }

  std::string scalar(double value) override { return tensor(std::vector<float>{static_cast<float>(value)}, {}); }

  /// A float initializer of the given shape (row-major data).
  std::string tensor(const std::vector<float>& data, const std::vector<std::int64_t>& dims, std::string name = {}) {
    if (name.empty()) name = "c" + std::to_string(constants_++);
    onnx::TensorProto* t = graph_.add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (auto d : dims) t->add_dims(d);
    t->set_raw_data(std::string(reinterpret_cast<const char*>(data.data()), data.size() * sizeof(float)));
    return name;
  }

  /// Renames the last node's output (for the graph's named output).
  void rename_last_output(const std::string& name) {
    graph_.mutable_node(graph_.node_size() - 1)->set_output(0, name);
  }

 private:
  onnx::GraphProto& graph_;
  std::size_t values_ = 0, constants_ = 0;
};

template <class T>
std::vector<float> floats(const Tensor<T>& t) {
  return std::vector<float>(t.data(), t.data() + t.size());
}

std::vector<std::int64_t> dims(const Tensor<float>& t) {
  return std::vector<std::int64_t>(t.shape().begin(), t.shape().end());
}

void add_value_info(onnx::ValueInfoProto* v, const std::string& name, std::int64_t columns) {
  v->set_name(name);
  onnx::TypeProto_Tensor* type = v->mutable_type()->mutable_tensor_type();
  type->set_elem_type(onnx::TensorProto::FLOAT);
  type->mutable_shape()->add_dim()->set_dim_param("N");
  type->mutable_shape()->add_dim()->set_dim_value(columns);
}

/// A layer's parameter by name ("weight", "bias", "alpha").
const Tensor<float>* find_parameter(const Module<float>& layer, const std::string& name) {
  for (const auto& [key, p] : layer.named_parameters())
    if (key == name) return &p.value();
  return nullptr;
}

}  // namespace

std::string onnx_model_bytes(const Sequential<float>& model, const ModelInfo& info) {
  GOOGLE_PROTOBUF_VERIFY_VERSION;
  if (model.size() == 0) throw std::invalid_argument("ONNX export: the model has no layers");
  // The input width: the model's feature names, else its first layer's in_features (a bare model).
  std::size_t features = info.feature_names.size();
  if (features == 0) {
    const LayerConfig first = model.layers().front()->config();
    auto in = first.numbers.find("in_features");
    if (in != first.numbers.end()) features = static_cast<std::size_t>(in->second);
  }
  if (features == 0)
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

  std::string x = "input";
  add_value_info(graph->add_input(), "input", static_cast<std::int64_t>(features));
  if (info.standardizer.fitted()) {
    const auto n = static_cast<std::int64_t>(info.standardizer.mean.size());
    x = g.node("Sub", {x, g.tensor(floats(info.standardizer.mean), {n}, "standardizer.mean")});
    x = g.node("Div", {x, g.tensor(floats(info.standardizer.scale), {n}, "standardizer.scale")});
  }
  std::optional<std::size_t> width = features;
  for (std::size_t i = 0; i < model.size(); ++i) {
    const Module<float>& layer = *model.layers()[i];
    const LayerConfig c = layer.config();
    const std::string where = "ONNX export: layer " + std::to_string(i) + " (" + c.type + ")";
    const std::string prefix = std::to_string(i) + ".";
    try {
      if (c.type == "Dense") {
        const Tensor<float>* w = find_parameter(layer, "weight");
        const Tensor<float>* b = find_parameter(layer, "bias");
        if (!w) throw std::invalid_argument("it has no weight");
        const std::string wn = g.tensor(floats(*w), dims(*w), prefix + "weight");
        x = b ? g.node("Gemm", {x, wn, g.tensor(floats(*b), dims(*b), prefix + "bias")}) : g.node("MatMul", {x, wn});
        auto act = c.strings.find("activation");
        if (act != c.strings.end()) x = onnx_activation(g, act->second, c.numbers, x);
      } else if (c.type == "Activation") {
        auto act = c.strings.find("activation");
        if (act == c.strings.end()) throw std::invalid_argument("it names no activation");
        x = onnx_activation(g, act->second, c.numbers, x);
      } else if (c.type == "PReLU") {
        const Tensor<float>* alpha = find_parameter(layer, "alpha");
        if (!alpha) throw std::invalid_argument("it has no alpha");
        x = g.node("PRelu", {x, g.tensor(floats(*alpha), dims(*alpha), prefix + "alpha")});
      } else {
        throw std::invalid_argument("xgrad's exporter does not know this layer type");
      }
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      throw std::invalid_argument(where + ": " + (what.rfind("ONNX export: ", 0) == 0 ? what.substr(13) : what));
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
  if (x == "input" || graph->node_size() == 0 || graph->node(graph->node_size() - 1).output(0) != x)
    x = g.node("Identity", {x});  // the output must be a node's own output
  g.rename_last_output(output);
  add_value_info(graph->add_output(), output, static_cast<std::int64_t>(*width));
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
