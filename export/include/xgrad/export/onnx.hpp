#pragma once
/// ONNX export: a saved model's whole pipeline as one ONNX graph (opset 17),
/// to run in ONNX Runtime or any other ONNX engine.
///
///   input "input" float32 [N, features]
///   -> (x - mean) / scale            when the model standardises its features
///   -> every layer (Dense = Gemm, activations as ONNX ops, PReLU = PRelu)
///   -> Softmax                       for a classifier (the model has class names)
///   output "probabilities" [N, classes] for a classifier, "prediction" [N, outputs] otherwise.
#include <map>
#include <string>
#include <vector>

#include "xgrad/train/model_io.hpp"

namespace xgrad {

inline constexpr int kOnnxOpset = 17;

/// The model as a serialised onnx.ModelProto. Throws std::invalid_argument
/// naming the layer and activation ONNX cannot express.
std::string onnx_model_bytes(const Sequential<float>& model, const ModelInfo& info);

/// Writes onnx_model_bytes to `path` atomically; throws std::runtime_error naming the path on I/O failure.
/// `info` is what a saved model keeps (LoadedModel::info): feature names, class names, standardisation.
void export_onnx(const Sequential<float>& model, const ModelInfo& info, const std::string& path);
/// A bare model: the input width from its first layer, no standardisation, output "prediction" (its raw outputs).
void export_onnx(const Sequential<float>& model, const std::string& path);

/// What the activation mapping appends nodes through (implemented over onnx.GraphProto).
class OnnxGraphWriter {
 public:
  virtual ~OnnxGraphWriter() = default;
  /// Appends node `op` (ONNX domain) reading `inputs`, with float attributes; returns its output's name.
  virtual std::string node(const std::string& op, const std::vector<std::string>& inputs,
                           const std::map<std::string, double>& float_attributes = {},
                           const std::map<std::string, long long>& int_attributes = {}) = 0;
  /// A float scalar constant (an initializer); returns its name.
  virtual std::string scalar(double value) = 0;
};

/// THE activation -> ONNX mapping, keyed by the activation's name as model
/// files store it, with its parameters (alpha, beta, threshold) as stored.
/// Appends the nodes computing it on `input` and returns the output's name.
/// Throws std::invalid_argument naming an activation ONNX (opset 17) cannot express.
/// A new activation joins the export by getting a case here.
std::string onnx_activation(OnnxGraphWriter& graph, const std::string& name, const std::map<std::string, double>& parameters,
                            const std::string& input);

/// The activation names onnx_activation knows.
std::vector<std::string> onnx_activation_names();

}  // namespace xgrad
