#pragma once
// OnnxGraphWriter over an onnx.GraphProto (the export's private helper).
#include <cstdint>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "xgrad/export/onnx.hpp"

namespace xgrad::onnx_detail {

/// Names values xgrad.v0, xgrad.v1, ... and constants xgrad.c0, ...; every node's output is fresh.
class ProtoGraphWriter : public OnnxGraphWriter {
 public:
  explicit ProtoGraphWriter(onnx::GraphProto& graph) : graph_(graph) {}

  std::string node(const std::string& op, const std::vector<std::string>& inputs,
                   const std::map<std::string, double>& floats = {},
                   const std::map<std::string, long long>& ints = {}) override {
    return nodes(op, inputs, 1, floats, ints).front();
  }

  std::vector<std::string> nodes(const std::string& op, const std::vector<std::string>& inputs, int outputs,
                                 const std::map<std::string, double>& floats = {},
                                 const std::map<std::string, long long>& ints = {}) override {
    onnx::NodeProto* n = raw_node(op, inputs);
    std::vector<std::string> out;
    for (int i = 0; i < outputs; ++i) {
      out.push_back("xgrad.v" + std::to_string(values_++));
      n->add_output(out.back());
    }
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

  /// A node without outputs or attributes yet (for attribute kinds `nodes` does not take).
  onnx::NodeProto* raw_node(const std::string& op, const std::vector<std::string>& inputs, const std::string& domain = "") {
    onnx::NodeProto* n = graph_.add_node();
    n->set_op_type(op);
    if (!domain.empty()) n->set_domain(domain);
    n->set_name(op + "_" + std::to_string(graph_.node_size() - 1));
    for (const auto& input : inputs) n->add_input(input);
    return n;
  }
  std::string fresh_value() { return "xgrad.v" + std::to_string(values_++); }

  std::string scalar(double value) override { return tensor(std::vector<float>{static_cast<float>(value)}, {}); }

  /// A float initializer of the given shape (row-major data).
  std::string tensor(const std::vector<float>& data, const std::vector<std::int64_t>& dims, std::string name = {}) {
    onnx::TensorProto* t = initializer(name, onnx::TensorProto::FLOAT, dims);
    t->set_raw_data(std::string(reinterpret_cast<const char*>(data.data()), data.size() * sizeof(float)));
    return t->name();
  }
  /// A 1-D int64 initializer.
  std::string int64s(const std::vector<std::int64_t>& data) {
    onnx::TensorProto* t = initializer({}, onnx::TensorProto::INT64, {static_cast<std::int64_t>(data.size())});
    t->set_raw_data(std::string(reinterpret_cast<const char*>(data.data()), data.size() * sizeof(std::int64_t)));
    return t->name();
  }

  /// Renames the last node's output (for the graph's named output).
  void rename_last_output(const std::string& name) { graph_.mutable_node(graph_.node_size() - 1)->set_output(0, name); }

 private:
  onnx::TensorProto* initializer(std::string name, int type, const std::vector<std::int64_t>& dims) {
    if (name.empty()) name = "xgrad.c" + std::to_string(constants_++);
    onnx::TensorProto* t = graph_.add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    for (auto d : dims) t->add_dims(d);
    return t;
  }

  onnx::GraphProto& graph_;
  std::size_t values_ = 0, constants_ = 0;
};

/// Declares the graph inputs of `info`'s pipeline and appends the nodes that
/// turn them into the model's [N, features] float features (imputation and
/// one-hot encoding for a model with a table encoding). Returns the features'
/// value name and their number. (onnx_inputs.cpp)
std::pair<std::string, std::size_t> onnx_features(ProtoGraphWriter& g, onnx::GraphProto& graph, const ModelInfo& info,
                                                  std::size_t bare_width);

void add_float_value_info(onnx::ValueInfoProto* v, const std::string& name, std::int64_t columns);

}  // namespace xgrad::onnx_detail
