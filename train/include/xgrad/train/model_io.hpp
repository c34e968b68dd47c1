#pragma once
/// Whole-model files: architecture, weights, feature standardisation, and the
/// feature and class names, in one .npz that numpy.load opens. Weights are
/// arrays named like the parameters ("0.weight", "0.bias", ...); the rest is
/// JSON in the uint8 array "architecture.json". Saving is atomic.
#include <string>
#include <string_view>
#include <vector>

#include "xgrad/layers/sequential.hpp"
#include "xgrad/train/standardizer.hpp"

namespace xgrad {

struct ModelInfo {
  std::vector<std::string> feature_names;
  std::vector<std::string> class_names;
  Standardizer standardizer;  ///< may be unfitted (then not stored)
};

template <class T>
struct LoadedModel {
  Sequential<T> model;
  ModelInfo info;
};

/// Throws NpzError naming the path on I/O failure; an existing file survives a failed save.
template <class T>
void save_model(const std::string& path, const Sequential<T>& model, const ModelInfo& info = {});

/// Rebuilds the model; throws NpzError naming the path for a missing, foreign,
/// truncated or corrupt file, a missing array or an array of the wrong shape.
template <class T>
LoadedModel<T> load_model(const std::string& path);

/// load_model on the bytes of a file already in memory; `source` names them in
/// messages (the fuzzer's entry point).
template <class T>
LoadedModel<T> parse_model(std::string_view bytes, const std::string& source);

}  // namespace xgrad
