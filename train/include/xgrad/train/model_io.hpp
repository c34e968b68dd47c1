#pragma once
/// Whole-model files: architecture, weights, feature standardisation, and the
/// feature and class names, in one .npz that numpy.load opens. Weights are
/// arrays named like the parameters and buffers ("0.weight", "0.bias",
/// "1.running_mean", ...); the rest is JSON in the uint8 array
/// "architecture.json". Layers are rebuilt through the layer registry (custom
/// layers: register_layer in xgrad/layers/module.hpp). Saving is atomic.
///
/// Weights-only files (save_weights / load_weights, as Keras's) hold a
/// module's state_dict() and load into an existing model of the same architecture.
#include <string>
#include <string_view>
#include <vector>

#include "xgrad/layers/sequential.hpp"
#include "xgrad/train/encoding.hpp"
#include "xgrad/train/standardizer.hpp"

namespace xgrad {

struct ModelInfo {
  std::vector<std::string> feature_names;
  std::vector<std::string> class_names;
  Standardizer standardizer;  ///< may be unfitted (then not stored)
  /// "regression" for a model trained by train_regressor: its one output is the
  /// target standardised as (y - target_mean) / target_scale. Empty otherwise
  /// (files without the key load as before).
  std::string task;
  double target_mean = 0, target_scale = 1;
  /// How the file's columns become the model's inputs (xgrad train's CSV
  /// encoding); when set, feature_names are the input columns and the
  /// standardizer applies to the encoded features. Empty: every feature is a
  /// numeric column named in feature_names (files without the key).
  TableEncoding encoding;
};

template <class T>
struct LoadedModel {
  Sequential<T> model;
  ModelInfo info;
};

/// Throws NpzError naming the path on I/O failure; an existing file survives a failed save.
/// The file records the weights' dtype (float32 for Sequential<float>, float64 for Sequential<double>).
template <class T>
void save_model(const std::string& path, const Sequential<T>& model, const ModelInfo& info = {});

/// Rebuilds the model; throws NpzError naming the path for a missing, foreign,
/// truncated or corrupt file, a missing array or an array of the wrong shape.
template <class T>
LoadedModel<T> load_model(const std::string& path);

/// load_model for a model of either dtype, converted to T (PyTorch's model.float() / model.double()): the
/// weights and buffers are rounded to float32 or widened to float64 (what ONNX export and the pictures use).
template <class T>
LoadedModel<T> load_model_as(const std::string& path);

/// The dtype a model file's weights were saved in ("float32" or "float64"; "?" when the file does not say, which
/// load_model then explains); NpzError naming the path when the file cannot be read.
std::string model_dtype(const std::string& path);

/// Writes module.state_dict() (parameters and buffers) as an .npz; atomic.
template <class T>
void save_weights(const std::string& path, const Module<T>& module);

/// Loads a save_weights file into `module` through load_state_dict (the same
/// checks: every shape, missing and unexpected keys when strict); throws
/// NpzError naming the path, and for a file of the other dtype names both.
template <class T>
LoadStateResult load_weights(const std::string& path, Module<T>& module, bool strict = true);

/// load_model on the bytes of a file already in memory; `source` names them in
/// messages (the fuzzer's entry point).
template <class T>
LoadedModel<T> parse_model(std::string_view bytes, const std::string& source);

}  // namespace xgrad
