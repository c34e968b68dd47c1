#include "xgrad/train/model_io.hpp"

#include <cmath>
#include <stdexcept>
#include <type_traits>
#include <variant>

#include <nlohmann/json.hpp>

#include "xgrad/train/npz.hpp"

namespace xgrad {

namespace {
constexpr const char* kArchitecture = "architecture.json";
constexpr const char* kFormat = "xgrad-model";

template <class T>
const char* dtype_name() { return std::is_same_v<T, float> ? "float32" : "float64"; }
}  // namespace

template <class T>
void save_model(const std::string& path, const Sequential<T>& model, const ModelInfo& info) {
  // A layer that load_model could not rebuild is refused now, not when loading.
  for (std::size_t i = 0; i < model.size(); ++i) {
    const std::string type = model.layers()[i]->config().type;
    if (!is_layer_registered<T>(type))
      throw NpzError(path + ": cannot save layer " + std::to_string(i) + " of type '" + type +
                     "': load_model could not rebuild it; register it first with register_layer<" +
                     dtype_name<T>() + ">(\"" + type + "\", factory) (see xgrad/layers/module.hpp)");
  }
  nlohmann::json arch;
  arch["format"] = kFormat;
  arch["version"] = 1;
  arch["dtype"] = dtype_name<T>();
  arch["layers"] = nlohmann::json::array();
  for (const auto& layer : model.layers()) {
    const LayerConfig c = layer->config();
    arch["layers"].push_back({{"type", c.type}, {"numbers", c.numbers}, {"strings", c.strings}});
  }
  arch["feature_names"] = info.feature_names;
  arch["class_names"] = info.class_names;
  arch["standardized"] = info.standardizer.fitted();
  if (!info.task.empty()) {  // written only when set, so older readers see the file unchanged
    arch["task"] = info.task;
    arch["target_mean"] = info.target_mean;
    arch["target_scale"] = info.target_scale;
  }
  if (!info.encoding.empty()) {
    nlohmann::json columns = nlohmann::json::array();
    for (const auto& c : info.encoding.columns)
      columns.push_back({{"name", c.name}, {"categorical", c.categorical}, {"mean", c.mean},
                         {"categories", c.categories}, {"missing", c.missing}});
    arch["encoding"] = {{"columns", columns}, {"ignored", info.encoding.ignored}};
  }

  std::vector<std::pair<std::string, NpzArray>> arrays;
  arrays.emplace_back(kArchitecture, text_to_npz_array(arch.dump(2)));
  for (const auto& [name, p] : model.named_parameters()) arrays.emplace_back(name, p.value());
  for (const auto& [name, b] : model.named_buffers()) arrays.emplace_back(name, b.value());
  if (info.standardizer.fitted()) {
    arrays.emplace_back("standardizer.mean", info.standardizer.mean);
    arrays.emplace_back("standardizer.scale", info.standardizer.scale);
  }
  save_npz(path, arrays);
}

namespace {
/// The architecture's "dtype", or "?" when the file does not say.
std::string stored_dtype(const NpzArchive& archive) {
  if (!archive.count(kArchitecture)) return "?";
  try {
    return nlohmann::json::parse(npz_array_to_text(archive.at(kArchitecture))).value("dtype", std::string("?"));
  } catch (const std::exception&) {
    return "?";
  }
}

/// `convert`: a model stored in the other floating type is rebuilt in T with its arrays rounded or widened
/// (load_model_as); otherwise that is a dtype-mismatch error.
template <class T>
LoadedModel<T> model_from_archive(NpzArchive archive, const std::string& path, bool convert = false) {
  auto fail = [&](const std::string& why) { throw NpzError(path + ": not an xgrad model: " + why); };
  // Errors raised inside the try below are collected here and thrown once
  // after it, so that a message is never wrapped twice.
  std::string error;
  if (!archive.count(kArchitecture)) fail("no " + std::string(kArchitecture) + " inside");
  nlohmann::json arch;
  try {
    arch = nlohmann::json::parse(npz_array_to_text(archive.at(kArchitecture)));
  } catch (const nlohmann::json::exception& e) {
    fail(std::string("its architecture is not valid JSON (") + e.what() + ")");
  }
  LoadedModel<T> loaded;
  try {
    if (arch.value("format", "") != kFormat) fail("format is not '" + std::string(kFormat) + "'");
    const std::string dtype = arch.value("dtype", std::string("?"));
    if (dtype != dtype_name<T>()) {
      if (convert && (dtype == "float32" || dtype == "float64")) {
        for (auto& [name, array] : archive) {  // the weights and buffers; the standardizer stays float64
          if (name.rfind("standardizer.", 0) == 0) continue;
          if (const auto* f = std::get_if<Tensor<float>>(&array)) array = Tensor<T>(xt::cast<T>(*f));
          else if (const auto* d = std::get_if<Tensor<double>>(&array)) array = Tensor<T>(xt::cast<T>(*d));
        }
      } else if (dtype == "float32" || dtype == "float64") {
        throw NpzError(path + ": dtype mismatch: the model's weights are " + dtype + ", but it was loaded as " +
                       dtype_name<T>() + " (load it with load_model<" + (dtype == "float32" ? "float" : "double") +
                       ">, or convert it with load_model_as)");
      } else {
        fail("its weights have the unknown dtype '" + dtype + "'");
      }
    }
    for (const auto& l : arch.at("layers")) {
      LayerConfig c;
      c.type = l.at("type").get<std::string>();
      c.numbers = l.at("numbers").get<std::map<std::string, double>>();
      c.strings = l.at("strings").get<std::map<std::string, std::string>>();
      loaded.model.add(make_layer<T>(c));
    }
    loaded.info.feature_names = arch.at("feature_names").get<std::vector<std::string>>();
    loaded.info.class_names = arch.at("class_names").get<std::vector<std::string>>();
    loaded.info.task = arch.value("task", std::string());
    loaded.info.target_mean = arch.value("target_mean", 0.0);
    loaded.info.target_scale = arch.value("target_scale", 1.0);
    if (!(std::isfinite(loaded.info.target_mean) && std::isfinite(loaded.info.target_scale) &&
          loaded.info.target_scale > 0))
      fail("its target statistics are not finite with a positive scale");
    if (arch.contains("encoding")) {
      const auto& e = arch.at("encoding");
      for (const auto& c : e.at("columns")) {
        ColumnEncoding column;
        column.name = c.at("name").get<std::string>();
        column.categorical = c.at("categorical").get<bool>();
        column.mean = c.at("mean").get<double>();
        column.categories = c.at("categories").get<std::vector<std::string>>();
        column.missing = c.at("missing").get<std::size_t>();
        if (!std::isfinite(column.mean)) fail("the encoding of column '" + column.name + "' has a mean that is not finite");
        loaded.info.encoding.columns.push_back(std::move(column));
      }
      loaded.info.encoding.ignored = e.at("ignored").get<std::vector<std::string>>();
    }
    if (arch.at("standardized").get<bool>()) {
      loaded.info.standardizer.mean = npz_get<double>(archive, "standardizer.mean");
      loaded.info.standardizer.scale = npz_get<double>(archive, "standardizer.scale");
      if (loaded.info.standardizer.mean.dimension() != 1 ||
          loaded.info.standardizer.mean.shape() != loaded.info.standardizer.scale.shape())
        fail("the standardizer's mean and scale have shapes " + shape_of(loaded.info.standardizer.mean) + " and " +
             shape_of(loaded.info.standardizer.scale));
    }
  } catch (const nlohmann::json::exception& e) {
    error = std::string("its architecture is incomplete (") + e.what() + ")";
  } catch (const std::invalid_argument& e) {
    error = e.what();
  } catch (const NpzError& e) {
    const std::string what = e.what();
    if (what.rfind(path + ": ", 0) == 0) throw;  // raised above with the path already
    error = what;
  }
  if (!error.empty()) fail(error);
  auto entries = loaded.model.named_parameters();
  for (auto& buffer : loaded.model.named_buffers()) entries.push_back(buffer);
  for (auto& [name, p] : entries) {
    const Tensor<T>* stored = nullptr;
    try {
      stored = &npz_get<T>(archive, name);
    } catch (const NpzError& e) {
      fail(e.what());
    }
    if (stored->shape() != p.value().shape())
      fail("array '" + name + "' has shape " + shape_of(*stored) + ", the architecture needs " + shape_of(p.value()));
    Variable<T> handle = p;
    handle.mutable_value() = *stored;
  }
  loaded.model.eval();
  return loaded;
}
}  // namespace

template <class T>
LoadedModel<T> load_model(const std::string& path) {
  return model_from_archive<T>(load_npz(path), path);
}

template <class T>
LoadedModel<T> load_model_as(const std::string& path) {
  return model_from_archive<T>(load_npz(path), path, true);
}

std::string model_dtype(const std::string& path) { return stored_dtype(load_npz(path)); }

template <class T>
LoadedModel<T> parse_model(std::string_view bytes, const std::string& source) {
  return model_from_archive<T>(parse_npz(bytes, source), source);
}

template <class T>
void save_weights(const std::string& path, const Module<T>& module) {
  std::vector<std::pair<std::string, NpzArray>> arrays;
  for (auto& [name, tensor] : module.state_dict()) arrays.emplace_back(name, std::move(tensor));
  save_npz(path, arrays);
}

template <class T>
LoadStateResult load_weights(const std::string& path, Module<T>& module, bool strict) {
  const NpzArchive archive = load_npz(path);
  if (archive.count(kArchitecture))
    throw NpzError(path + ": a whole model (save_model), not a weights file: load it with load_model");
  StateDict<T> state;
  for (const auto& [name, array] : archive) {
    const auto* tensor = std::get_if<Tensor<T>>(&array);
    if (!tensor)
      throw NpzError(path + ": dtype mismatch: array '" + name + "' is " + npz_dtype(array) + ", but the module is " +
                     dtype_name<T>());
    state.emplace(name, *tensor);
  }
  try {
    return module.load_state_dict(state, strict);
  } catch (const std::invalid_argument& e) {
    throw NpzError(path + ": " + e.what());
  }
}

template void save_model(const std::string&, const Sequential<float>&, const ModelInfo&);
template void save_model(const std::string&, const Sequential<double>&, const ModelInfo&);
template LoadedModel<float> load_model<float>(const std::string&);
template LoadedModel<double> load_model<double>(const std::string&);
template LoadedModel<float> load_model_as<float>(const std::string&);
template LoadedModel<double> load_model_as<double>(const std::string&);
template void save_weights(const std::string&, const Module<float>&);
template void save_weights(const std::string&, const Module<double>&);
template LoadStateResult load_weights(const std::string&, Module<float>&, bool);
template LoadStateResult load_weights(const std::string&, Module<double>&, bool);
template LoadedModel<float> parse_model<float>(std::string_view, const std::string&);
template LoadedModel<double> parse_model<double>(std::string_view, const std::string&);

}  // namespace xgrad
