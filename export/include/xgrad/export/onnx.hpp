#pragma once
/// ONNX export: a saved model's whole pipeline as one ONNX graph (opset 17,
/// and ai.onnx.ml 2 for text columns), to run in ONNX Runtime or any other engine.
///
/// Inputs, for a model trained on a CSV file (ModelInfo::encoding):
///   "input"  float32 [N, numeric columns], the numeric columns in file order
///            (the input's doc_string lists them); NaN for a missing cell
///   one string tensor [N] per text column, named as the column; a missing
///            cell is "" (or NA, N/A, NaN, null, ? in any case)
/// For a model without an encoding: "input" float32 [N, features].
///   -> missing numbers take the training mean (Where IsNaN)
///   -> text columns one-hot (LabelEncoder -> Equal with 0..k-1 -> Cast);
///      an unseen category is all zeros, as in xgrad
///   -> (x - mean) / scale            when the model standardises its features
///   -> every layer (Dense = Gemm, the catalogue's activations, PReLU = PRelu,
///      BatchNorm1d = BatchNormalization, LayerNorm = LayerNormalization, Dropout = nothing)
///   -> Softmax for a classifier; y * target_scale + target_mean for a regressor
///   output "probabilities" [N, classes] for a classifier, "prediction" [N, outputs] otherwise.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "xgrad/layers/activation.hpp"
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
  /// Appends node `op` (ONNX domain) reading `inputs`, with float and int attributes; returns its output's name.
  virtual std::string node(const std::string& op, const std::vector<std::string>& inputs,
                           const std::map<std::string, double>& float_attributes = {},
                           const std::map<std::string, long long>& int_attributes = {}) = 0;
  /// The same for a node with `outputs` outputs (Split); returns their names.
  virtual std::vector<std::string> nodes(const std::string& op, const std::vector<std::string>& inputs, int outputs,
                                         const std::map<std::string, double>& float_attributes = {},
                                         const std::map<std::string, long long>& int_attributes = {}) = 0;
  /// A float scalar constant (an initializer); returns its name.
  virtual std::string scalar(double value) = 0;
};

/// THE activation -> ONNX mapping: a table with one entry per activation of
/// the catalogue (a static_assert holds it to the catalogue), each an ONNX
/// form or the reason opset 17 has none. Appends the nodes computing `spec`
/// (its parameters included) on `input` and returns the output's name. `width`
/// is the last axis's size where known (glu needs it even). Throws
/// std::invalid_argument naming an activation without an ONNX form.
std::string onnx_activation(OnnxGraphWriter& graph, const ActivationSpec& spec, const std::string& input,
                            std::optional<std::size_t> width = std::nullopt);

/// Why ONNX (opset 17) cannot express the activation, or nullptr when it can.
const char* onnx_not_expressible(Act id);

}  // namespace xgrad
