#include "xgrad/train/classifier.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include <xtensor/xadapt.hpp>

#include "xgrad/layers/layers.hpp"
#include "xgrad/train/schedulers.hpp"

namespace xgrad {

std::vector<HiddenLayerSpec> parse_layer_spec(const std::string& spec) {
  std::vector<HiddenLayerSpec> layers;
  if (spec.empty()) return layers;
  // Layers are separated by the commas outside parentheses (an activation's parameters have their own).
  std::vector<std::string> parts(1);
  int depth = 0;
  for (const char c : spec) {
    depth += (c == '(') - (c == ')');
    if (c == ',' && depth == 0) parts.emplace_back();
    else parts.back() += c;
  }
  if (spec.back() == ',') parts.pop_back();
  for (const std::string& part : parts) {
    const std::string where = "layer spec '" + spec + "': part '" + part + "'";
    const auto colon = part.find(':');
    const std::string units = part.substr(0, colon);
    HiddenLayerSpec layer;
    if (units.empty() || units.find_first_not_of("0123456789") != std::string::npos || units.size() > 7)
      throw std::invalid_argument(where + " must start with a number of units (e.g. 64:relu)");
    layer.units = std::stoul(units);
    if (layer.units == 0) throw std::invalid_argument(where + " has 0 units");
    if (colon != std::string::npos) layer.activation = part.substr(colon + 1);
    try {
      const ActivationSpec parsed = parse_activation(layer.activation);
      check_params(parsed.id, parsed.params);  // a required parameter (threshold's) must be given
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(where + ": " + e.what());
    }
    layers.push_back(layer);
  }
  if (!spec.empty() && spec.back() == ',') throw std::invalid_argument("layer spec '" + spec + "' ends with a comma");
  return layers;
}

template <class T>
Sequential<T> build_classifier(std::size_t features, std::size_t classes, const std::vector<HiddenLayerSpec>& hidden,
                               std::uint64_t seed, double dropout, bool batch_norm) {
  if (!(dropout >= 0 && dropout < 1))
    throw std::invalid_argument("build_classifier: dropout must be in [0, 1), got " + std::to_string(dropout));
  Generator gen(seed);
  Sequential<T> model;
  std::size_t in = features;
  for (const auto& layer : hidden) {
    const ActivationSpec parsed = parse_activation(layer.activation);
    const bool prelu = activation_info(parsed.id).learnable;  // a PReLU layer after a linear Dense
    const ActivationSpec act = prelu ? ActivationSpec{Act::linear} : parsed;
    // He initialisation suits the rectifiers; Glorot the saturating functions.
    const bool rectifier = activation_info(parsed.id).rectifier;
    model.add(std::make_shared<Dense<T>>(in, layer.units, act, true,
                                             rectifier ? Initializer::he_uniform : Initializer::glorot_uniform, gen));
    if (batch_norm) model.add(std::make_shared<BatchNorm1d<T>>(layer.units));
    if (prelu) model.add(std::make_shared<PReLU<T>>(layer.units, parsed.params[0]));  // alpha: its init
    if (dropout > 0) model.add(std::make_shared<Dropout<T>>(dropout));
    in = layer.units;
  }
  model.add(std::make_shared<Dense<T>>(in, classes, ActivationSpec{}, true, Initializer::glorot_uniform, gen));
  return model;
}

template <class T>
Tensor<T> prepare_features(const Tensor<double>& features, const ModelInfo& info) {
  const Tensor<double> x = info.standardizer.fitted() ? info.standardizer.transform(features) : features;
  return xt::cast<T>(x);
}

template <class T>
std::unique_ptr<Optimizer<T>> make_classifier_optimizer(const ClassifierOptions& o,
                                                        std::vector<Variable<T>> parameters) {
  if (!o.weight_decay) return make_optimizer<T>(o.optimizer, std::move(parameters), o.learning_rate);
  const double wd = *o.weight_decay;
  if (!(std::isfinite(wd) && wd >= 0))
    throw std::invalid_argument("weight_decay must be a finite number >= 0, got " + std::to_string(wd));
  if (o.optimizer == "sgd") return std::make_unique<SGD<T>>(std::move(parameters), o.learning_rate, 0.0, wd);
  if (o.optimizer == "adam")
    return std::make_unique<Adam<T>>(std::move(parameters), o.learning_rate, 0.9, 0.999, 1e-8, wd);
  if (o.optimizer == "adamw")
    return std::make_unique<AdamW<T>>(std::move(parameters), o.learning_rate, 0.9, 0.999, 1e-8, wd);
  if (o.optimizer == "rmsprop")
    return std::make_unique<RMSprop<T>>(std::move(parameters), o.learning_rate, 0.99, 1e-8, wd);
  return make_optimizer<T>(o.optimizer, std::move(parameters), o.learning_rate);  // its error names the choices
}

void add_schedule(FitOptions& fit_options, OptimizerBase& optimizer, const ClassifierOptions& o) {
  const long epochs = static_cast<long>(o.epochs);
  if (o.schedule == "constant") return;
  if (o.schedule == "step")
    fit_options.callbacks.push_back(std::make_shared<StepLR>(optimizer, std::max(1L, epochs / 3), 0.1));
  else if (o.schedule == "cosine")
    fit_options.callbacks.push_back(std::make_shared<CosineAnnealingLR>(optimizer, std::max(1L, epochs)));
  else if (o.schedule == "plateau")
    fit_options.callbacks.push_back(std::make_shared<ReduceLROnPlateau>(
        optimizer, MonitorMode::min, 0.1, 10, 1e-4, ThresholdMode::rel, 0, 0.0, 1e-8,
        o.validation_fraction > 0 ? "val_loss" : "loss"));
  else
    throw std::invalid_argument("schedule '" + o.schedule + "': must be constant, step, cosine or plateau");
}

FitOptions fit_options_of(const ClassifierOptions& o) {
  FitOptions fit_options;
  fit_options.epochs = o.epochs;
  fit_options.batch_size = o.batch_size;
  fit_options.validation_split = o.validation_fraction;
  fit_options.seed = o.seed;
  fit_options.progress = o.progress;
  fit_options.out = o.out;
  if (o.early_stopping > 0) {
    if (o.validation_fraction <= 0)
      throw std::invalid_argument("early stopping watches the validation loss; it needs validation_fraction > 0");
    fit_options.callbacks.push_back(
        std::make_shared<EarlyStopping>("val_loss", 0.0, o.early_stopping, MonitorMode::automatic, true));
  }
  if (!o.history_csv.empty()) fit_options.callbacks.push_back(std::make_shared<CSVLogger>(o.history_csv));
  return fit_options;
}

template <class T>
BasicClassifierResult<T> train_classifier(const CsvDataset& data, const ClassifierOptions& o) {
  const std::size_t rows = data.labels.size();
  if (data.class_names.size() < 2)
    throw std::invalid_argument("train: the target has " + std::to_string(data.class_names.size()) +
                                " class; a classifier needs at least 2");
  std::ostream& out = o.out ? *o.out : std::cout;
  auto [train_index, test_index] = train_test_split(rows, o.test_fraction, o.seed);
  BasicClassifierResult<T> r;
  r.train_rows = train_index.size();
  r.test_rows = test_index.size();
  const Tensor<double> x_train = take_rows(data.features, train_index, 0, train_index.size());
  r.info.feature_names = data.feature_names;
  r.info.class_names = data.class_names;
  if (o.standardize) r.info.standardizer.fit(x_train);
  std::vector<std::int64_t> y_train, y_test;
  for (auto i : train_index) y_train.push_back(data.labels[i]);
  for (auto i : test_index) y_test.push_back(data.labels[i]);

  r.model = build_classifier<T>(data.feature_names.size(), data.class_names.size(), o.hidden, o.seed, o.dropout,
                                o.batch_norm);
  if (o.print_summary) out << r.model.summary(data.feature_names.size());
  auto optimizer = make_classifier_optimizer(o, r.model.parameters());
  FitOptions fit_options = fit_options_of(o);
  add_schedule(fit_options, *optimizer, o);
  if (o.balanced_class_weight) {
    const std::size_t classes = data.class_names.size();
    std::vector<double> counts(classes, 0.0);
    for (auto y : y_train) counts[static_cast<std::size_t>(y)] += 1;
    for (std::size_t c = 0; c < classes; ++c)
      fit_options.class_weight.push_back(counts[c] > 0 ? double(y_train.size()) / (double(classes) * counts[c]) : 0.0);
  }
  r.history = fit(r.model, prepare_features<T>(x_train, r.info), y_train, *optimizer, fit_options);
  if (!test_index.empty()) {
    const Tensor<double> x_test = take_rows(data.features, test_index, 0, test_index.size());
    r.test_accuracy = evaluate(r.model, prepare_features<T>(x_test, r.info), y_test).accuracy;
  }
  return r;
}

#define XGRAD_CLASSIFIER_INSTANTIATE(T)                                                                          \
  template Sequential<T> build_classifier<T>(std::size_t, std::size_t, const std::vector<HiddenLayerSpec>&,         \
                                             std::uint64_t, double, bool);                                          \
  template Tensor<T> prepare_features<T>(const Tensor<double>&, const ModelInfo&);                                  \
  template std::unique_ptr<Optimizer<T>> make_classifier_optimizer<T>(const ClassifierOptions&,                     \
                                                                      std::vector<Variable<T>>);                    \
  template BasicClassifierResult<T> train_classifier<T>(const CsvDataset&, const ClassifierOptions&);
XGRAD_CLASSIFIER_INSTANTIATE(float)
XGRAD_CLASSIFIER_INSTANTIATE(double)
#undef XGRAD_CLASSIFIER_INSTANTIATE

}  // namespace xgrad
