// A table of bad inputs across the API, each with the error it must raise
// (type and a part of the message), or success where the input is normal
// after all (a BOM, CRLF line ends). None may crash. The CLI's bad inputs
// are in tests/cli/.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include <unistd.h>

#include <xgrad.hpp>
#include "xgrad/core/kernels.hpp"

using namespace xgrad;
namespace fs = std::filesystem;

namespace {
using V = Variable<double>;

enum class Expect { invalid_argument, logic_error, data_error, npz_error, runtime_error, success };

struct BadInput {
  const char* name;
  std::function<void()> run;
  Expect expect;
  const char* message_part;  // must appear in what()
};

struct Scratch {
  fs::path dir = fs::temp_directory_path() / ("xgrad_bad_inputs_" + std::to_string(::getpid()));
  Scratch() { fs::create_directories(dir); }
  ~Scratch() { fs::remove_all(dir); }
  std::string file(const std::string& name, const std::string& contents) const {
    const fs::path p = dir / name;
    std::ofstream(p, std::ios::binary) << contents;
    return p.string();
  }
};

V zeros(const Shape& s) { return V(Tensor<double>(xt::zeros<double>(s)), true); }

Sequential<float> tiny_model() {
  Sequential<float> m;
  m.add<Dense<float>>(2, 2);
  return m;
}

void fit_rows(const Tensor<float>& x, std::vector<std::int64_t> y, std::size_t batch = 2) {
  Sequential<float> m = tiny_model();
  SGD<float> opt(m.parameters(), 0.1);
  FitOptions o;
  o.epochs = 1;
  o.batch_size = batch;
  o.progress = Progress::silent;
  fit(m, x, y, opt, o);
}
}  // namespace

TEST_CASE("a table of bad inputs: each gives its clear error, never a crash") {
  Scratch s;
  const std::string good_csv = "a,b,label\n1,2,x\n3,4,y\n";
  const std::string model_path = (s.dir / "model.npz").string();
  save_model(model_path, tiny_model());
  std::string model_bytes;
  {
    std::ifstream in(model_path, std::ios::binary);
    model_bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string huge_line(100u * 1024 * 1024, '7');

  const std::vector<BadInput> table = {
      // shapes and tensors
      {"add of non-broadcasting shapes", [] { zeros({2, 3}) + zeros({4}); }, Expect::invalid_argument, "[2, 3] and [4]"},
      {"mul of non-broadcasting shapes", [] { zeros({3}) * zeros({2}); }, Expect::invalid_argument, "[3] and [2]"},
      {"matmul misaligned", [] { matmul(zeros({2, 3}), zeros({2, 3})); }, Expect::invalid_argument, "not aligned"},
      {"matmul of a 3-D tensor", [] { matmul(zeros({2, 2, 2}), zeros({2, 2})); }, Expect::invalid_argument, "1-D or 2-D"},
      {"reshape to another size", [] { reshape(zeros({2, 3}), {4}); }, Expect::invalid_argument, "[2, 3]"},
      {"sum along a missing axis", [] { sum(zeros({2}), 1); }, Expect::invalid_argument, "axis 1"},
      {"mean of an empty tensor", [] { mean(zeros({0})); }, Expect::invalid_argument, "empty"},
      {"softmax along a missing axis", [] { softmax(zeros({2, 2}), -3); }, Expect::invalid_argument, "axis -3"},
      {"maximum of non-broadcasting shapes", [] { maximum(zeros({2, 3}), zeros({2})); }, Expect::invalid_argument, "[2, 3] and [2]"},
      {"clamp with min > max", [] { clamp(zeros({2}), 1.0, 0.0); }, Expect::invalid_argument, "min <= max"},
      {"clamp with a NaN bound", [] { clamp(zeros({2}), NAN, 1.0); }, Expect::invalid_argument, "clamp"},
      {"concat of nothing", [] { concat(std::vector<V>{}, 0); }, Expect::invalid_argument, "no tensors"},
      {"concat of mismatched shapes", [] { concat(std::vector<V>{zeros({2, 3}), zeros({2, 4})}, 0); }, Expect::invalid_argument, "[2, 4]"},
      {"concat along a missing axis", [] { concat(std::vector<V>{zeros({2})}, 1); }, Expect::invalid_argument, "axis 1"},
      {"slice past the end", [] { slice(zeros({4, 2}), 0, 1, 5); }, Expect::invalid_argument, "[1, 5)"},
      {"slice with start > stop", [] { slice(zeros({4}), 0, 3, 1); }, Expect::invalid_argument, "start <= stop"},
      {"index_select out of range", [] { index_select(zeros({3, 2}), 0, {0, 3}); }, Expect::invalid_argument, "index 3 (position 1)"},
      {"index_select of a negative index", [] { index_select(zeros({3}), 0, {-1}); }, Expect::invalid_argument, "index -1"},
      {"item of a vector", [] { zeros({3}).item(); }, Expect::invalid_argument, "[3]"},
      {"backward of a vector without upstream", [] { (zeros({3}) * 2.0).backward(); }, Expect::invalid_argument, "upstream"},
      {"backward with a wrong upstream shape", [] { (zeros({3}) * 2.0).backward(Tensor<double>{1.0}); }, Expect::invalid_argument, "[1]"},
      {"backward twice through a freed graph", [] { V y = zeros({1}) * 2.0; y.backward(); y.backward(); }, Expect::logic_error, "already freed"},
      {"backward of a constant", [] { V(Tensor<double>(1.0)).backward(); }, Expect::logic_error, "does not require grad"},
      // parameters
      {"softplus beta = 0", [] { softplus(zeros({2}), 0.0); }, Expect::invalid_argument, "beta"},
      {"softplus negative threshold", [] { softplus(zeros({2}), 1.0, -1.0); }, Expect::invalid_argument, "threshold"},
      {"elu alpha = 0", [] { elu(zeros({2}), 0.0); }, Expect::invalid_argument, "alpha"},
      {"leaky_relu slope inf", [] { leaky_relu(zeros({2}), INFINITY); }, Expect::invalid_argument, "slope"},
      {"prelu alpha of the wrong shape", [] { prelu(zeros({2, 3}), zeros({2})); }, Expect::invalid_argument, "[2]"},
      {"unknown activation", [] { parse_activation("swoosh"); }, Expect::invalid_argument, "swoosh"},
      {"activation parameter NaN", [] { parse_activation("elu(alpha=nan)"); }, Expect::invalid_argument, "alpha must be a finite number"},
      {"activation parameter overflowing to inf", [] { parse_activation("elu(alpha=1e999)"); }, Expect::invalid_argument, "got inf"},
      {"activation parameter it does not take", [] { parse_activation("gelu(approximate=1)"); }, Expect::invalid_argument, "gelu has no parameter 'approximate'"},
      {"layer spec with a required parameter missing", [] { parse_layer_spec("8:threshold(value=0)"); }, Expect::invalid_argument, "threshold must be a number"},
      {"f'' of an axis activation", [] {
         const double x[1] = {0};
         double out[1];
         kernels::activation_second<double>(Act::glu, default_params(Act::glu), x, out, 1);
       }, Expect::invalid_argument, "glu is not an elementwise activation"},
      {"broadcast_to a shape that does not fit", [] { broadcast_to(zeros({3}), {2, 4}); }, Expect::invalid_argument,
       "broadcast_to"},
      {"sum_to_size a shape that does not fit", [] { sum_to_size(zeros({2, 3}), {4}); }, Expect::invalid_argument,
       "sum_to_size"},
      {"grad with grad_outputs of the wrong shape", [] { V x = zeros({2}); grad({x * x}, {x}, {zeros({3})}); },
       Expect::invalid_argument, "grad_outputs 0 has shape [3] but output 0 has shape [2]"},
      {"grad with the wrong number of grad_outputs", [] { V x = zeros({2}); grad({x * x}, {x}, {zeros({2}), zeros({2})}); },
       Expect::invalid_argument, "2 grad_outputs for 1 outputs"},
      {"grad of an unused input", [] { V x = zeros({2}); grad({sum(x)}, {zeros({1})}); }, Expect::invalid_argument,
       "was not used"},
      {"grad of a non-scalar without grad_outputs", [] { V x = zeros({2}); grad({x * x}, {x}); }, Expect::invalid_argument,
       "non-scalar"},
      {"a third derivative of mish", [] {
         V x = zeros({2});
         V d2 = grad({grad({sum(mish(x))}, {x}, {}, true)[0]}, {x}, {zeros({2}) + 1.0}, true)[0];
         grad({sum(d2)}, {x});
       }, Expect::logic_error, "third derivative of mish"},
      {"Dense with 0 units", [] { Dense<float>(3, 0); }, Expect::invalid_argument, "units"},
      {"Dense fed the wrong width", [] { Dense<double> d(3, 2); d(zeros({4, 2})); }, Expect::invalid_argument, "[4, 2]"},
      {"PReLU with 0 parameters", [] { PReLU<float>(0); }, Expect::invalid_argument, "num_parameters"},
      {"Dropout with p > 1", [] { Dropout<float>(1.5); }, Expect::invalid_argument, "Dropout: p"},
      {"Dropout with a NaN p", [] { Dropout<float>(NAN); }, Expect::invalid_argument, "Dropout: p"},
      {"BatchNorm1d with 0 features", [] { BatchNorm1d<float>(0); }, Expect::invalid_argument, "num_features"},
      {"BatchNorm1d with momentum 2", [] { BatchNorm1d<float>(3, 2.0); }, Expect::invalid_argument, "momentum"},
      {"BatchNorm1d with a negative eps", [] { BatchNorm1d<float>(3, 0.1, -1e-5); }, Expect::invalid_argument, "eps"},
      {"BatchNorm1d fed the wrong width", [] { BatchNorm1d<double> b(3); b(zeros({4, 2})); }, Expect::invalid_argument, "[4, 2]"},
      {"BatchNorm1d training on one row", [] { BatchNorm1d<double> b(3); b(zeros({1, 3})); }, Expect::invalid_argument, "more than 1 value"},
      {"LayerNorm fed the wrong width", [] { LayerNorm<double> l(3); l(zeros({4, 2})); }, Expect::invalid_argument, "[4, 2]"},
      {"LayerNorm with an infinite eps", [] { LayerNorm<float>(3, INFINITY); }, Expect::invalid_argument, "eps"},
      {"load_state_dict with a wrong shape", [] {
         Sequential<double> m;
         m.add<Dense<double>>(2, 2);
         StateDict<double> sd = m.state_dict();
         sd["0.bias"] = Tensor<double>::from_shape({3});
         m.load_state_dict(sd);
       }, Expect::invalid_argument, "'0.bias' has shape [3] in the state dict, the module's is [2]"},
      {"load_state_dict missing a key", [] {
         Sequential<double> m;
         m.add<Dense<double>>(2, 2);
         StateDict<double> sd = m.state_dict();
         sd.erase("0.weight");
         m.load_state_dict(sd);
       }, Expect::invalid_argument, "missing keys '0.weight'"},
      {"unknown layer type", [] { make_layer<float>(LayerConfig{"Conv9D", {}, {}}); }, Expect::invalid_argument, "unknown layer type 'Conv9D'"},
      {"summary of layers that do not fit", [] {
         Sequential<float> m;
         m.add<Dense<float>>(2, 3).add<Dense<float>>(4, 1);
         m.summary();
       }, Expect::invalid_argument, "layer 0 (Dense) outputs 3 features, but layer 1 (Dense) expects 4"},
      {"SGD with a NaN learning rate", [] { SGD<double>({zeros({1})}, NAN); }, Expect::invalid_argument, "learning rate"},
      {"Adam with a negative learning rate", [] { Adam<double>({zeros({1})}, -0.1); }, Expect::invalid_argument, "learning rate"},
      {"AdamW with negative betas", [] { AdamW<double>({zeros({1})}, 0.1, -0.5); }, Expect::invalid_argument, "betas"},
      {"RMSprop with momentum 1", [] { RMSprop<double>({zeros({1})}, 0.1, 0.99, 1e-8, 0.0, 1.0); }, Expect::invalid_argument, "RMSprop: momentum"},
      {"SGD nesterov without momentum", [] { SGD<double>({zeros({1})}, 0.1, 0.0, 0.0, true); }, Expect::invalid_argument, "nesterov"},
      {"learning rate set to infinity", [] { SGD<double> o({zeros({1})}, 0.1); o.set_learning_rate(INFINITY); }, Expect::invalid_argument, "inf"},
      {"clip_grad_norm to a NaN norm", [] { clip_grad_norm<double>({zeros({1})}, NAN); }, Expect::invalid_argument, "max_norm"},
      {"StepLR with step_size 0", [] { SGD<double> o({zeros({1})}, 0.1); StepLR(o, 0); }, Expect::invalid_argument, "step_size"},
      {"LinearLR with total_iters 0", [] { SGD<double> o({zeros({1})}, 0.1); LinearLR(o, 0.5, 1.0, 0); }, Expect::invalid_argument, "total_iters"},
      {"ReduceLROnPlateau factor 2", [] { SGD<double> o({zeros({1})}, 0.1); ReduceLROnPlateau(o, MonitorMode::min, 2.0); }, Expect::invalid_argument, "factor"},
      {"unknown monitor mode", [] { parse_monitor_mode("bigger"); }, Expect::invalid_argument, "bigger"},
      {"unknown optimizer", [] { make_optimizer<double>("adagrad", {zeros({1})}, 0.1); }, Expect::invalid_argument, "adagrad"},
      {"unparsable layer spec", [] { parse_layer_spec("64:relu,,x"); }, Expect::invalid_argument, "layer spec"},
      {"layer spec with 0 units", [] { parse_layer_spec("0:relu"); }, Expect::invalid_argument, "0 units"},
      // training data
      {"labels out of range", [] { cross_entropy(zeros({2, 3}), {0, 3}); }, Expect::invalid_argument, "label 3"},
      {"negative label", [] { cross_entropy(zeros({1, 3}), {-1}); }, Expect::invalid_argument, "label -1"},
      {"a zero-sized batch", [] { cross_entropy(zeros({0, 3}), {}); }, Expect::invalid_argument, "empty batch"},
      {"BCE with logits, a target of 2", [] { binary_cross_entropy_with_logits(zeros({2}), V(Tensor<double>{0.0, 2.0})); }, Expect::invalid_argument, "target 2 at row 1"},
      {"BCE, a probability of 1.5", [] { binary_cross_entropy(V(Tensor<double>{1.5, 0.5}), V(Tensor<double>{0.0, 1.0})); }, Expect::invalid_argument, "probability 1.5 at row 0"},
      {"NLL, a label out of range", [] { nll_loss(zeros({2, 3}), {0, 7}); }, Expect::invalid_argument, "nll_loss: label 7 at row 1"},
      {"L1 of mismatched shapes", [] { l1_loss(zeros({2, 3}), zeros({3, 2})); }, Expect::invalid_argument, "l1_loss"},
      {"Huber with a NaN delta", [] { huber_loss(zeros({2}), zeros({2}), NAN); }, Expect::invalid_argument, "huber_loss: delta"},
      {"cross-entropy smoothing of 2", [] { cross_entropy(zeros({1, 3}), {0}, 2.0); }, Expect::invalid_argument, "label_smoothing"},
      {"top-k of k = 0", [] { top_k_accuracy(Tensor<double>::from_shape({1, 3}), {0}, 0); }, Expect::invalid_argument, "k must be"},
      {"confusion matrix of unequal lengths", [] { confusion_matrix({0, 1}, {1}); }, Expect::invalid_argument, "2 true labels"},
      {"fit with batch size 0", [] { fit_rows(Tensor<float>{{0, 0}, {1, 1}}, {0, 1}, 0); }, Expect::invalid_argument, "batch_size"},
      {"fit with fewer labels than rows", [] { fit_rows(Tensor<float>{{0, 0}, {1, 1}}, {0}); }, Expect::invalid_argument, "2 rows"},
      {"fit with no rows", [] { fit_rows(Tensor<float>::from_shape({0, 2}), {}); }, Expect::invalid_argument, "no rows"},
      {"fit on NaN features", [] { fit_rows(Tensor<float>{{NAN, 0}, {1, 1}}, {0, 1}); }, Expect::runtime_error, "loss became"},
      {"fit with validation data and a split", [] {
         Sequential<float> m = tiny_model();
         SGD<float> opt(m.parameters(), 0.1);
         FitOptions o;
         o.validation_split = 0.5;
         o.progress = Progress::silent;
         const Tensor<float> x{{0, 0}, {1, 1}};
         fit(m, x, std::vector<std::int64_t>{0, 1}, opt, o, x, std::vector<std::int64_t>{0, 1});
       }, Expect::invalid_argument, "not both"},
      {"EarlyStopping on a missing monitor", [] {
         Sequential<float> m = tiny_model();
         SGD<float> opt(m.parameters(), 0.1);
         FitOptions o;
         o.progress = Progress::silent;
         o.callbacks = {std::make_shared<EarlyStopping>("val_accuracy")};
         fit(m, Tensor<float>{{0, 0}, {1, 1}}, std::vector<std::int64_t>{0, 1}, opt, o);
       }, Expect::invalid_argument, "'val_accuracy' is not in the logs"},
      {"fit on infinite features", [] { fit_rows(Tensor<float>{{INFINITY, 0}, {1, 1}}, {0, 1}); }, Expect::runtime_error, "loss became"},
      {"standardizer on the wrong width", [] { Standardizer st; st.fit(Tensor<double>{{1.0, 2.0}}); st.transform(Tensor<double>(xt::ones<double>({1, 1}))); }, Expect::invalid_argument, "[1, 1]"},
      // CSV files
      {"missing CSV file", [&] { load_csv((s.dir / "nope.csv").string(), "label"); }, Expect::data_error, "nope.csv"},
      {"a directory instead of a file", [&] { load_csv(s.dir.string(), "label"); }, Expect::data_error, "directory"},
      {"unreadable path (through a file)", [&] { load_csv(s.file("plain.txt", "x") + "/data.csv", "label"); }, Expect::data_error, "plain.txt"},
      {"empty CSV", [&] { load_csv(s.file("empty.csv", ""), "label"); }, Expect::data_error, "empty"},
      {"header without rows", [&] { load_csv(s.file("header.csv", "a,b,label\n"), "label"); }, Expect::data_error, "no data rows"},
      {"ragged row", [&] { load_csv(s.file("ragged.csv", "a,b,label\n1,2,x\n3,y\n"), "label"); }, Expect::data_error, "line 3"},
      {"non-numeric cell", [&] { load_csv(s.file("text.csv", "a,b,label\n1,2,x\n3,four,y\n"), "label"); }, Expect::data_error, "line 3, column 2"},
      {"NaN cell", [&] { load_csv(s.file("nan.csv", "a,b,label\n1,nan,x\n3,4,y\n"), "label"); }, Expect::data_error, "line 2, column 2"},
      {"inf cell", [&] { load_csv(s.file("inf.csv", "a,b,label\n1,2,x\ninf,4,y\n"), "label"); }, Expect::data_error, "line 3, column 1"},
      {"unknown target column", [&] { load_csv(s.file("good.csv", good_csv), "species"); }, Expect::data_error, "species"},
      {"duplicate header names", [&] { load_csv(s.file("dup.csv", "a,a,label\n1,2,x\n"), "label"); }, Expect::data_error, "repeats"},
      {"a 100 MB line", [&] { load_csv(s.file("huge.csv", "a,b,label\n1," + huge_line + "\n"), "label"); }, Expect::data_error, "huge.csv, line 2"},
      {"UTF-8 BOM (normal input)", [&] { CHECK(load_csv(s.file("bom.csv", "\xEF\xBB\xBF" + good_csv), "label").feature_names[0] == "a"); }, Expect::success, ""},
      {"CRLF line ends (normal input)", [&] { CHECK(load_csv(s.file("crlf.csv", "a,b,label\r\n1,2,x\r\n3,4,y\r\n"), "label").labels.size() == 2); }, Expect::success, ""},
      {"model features do not match the data", [&] { load_csv_features(s.file("other.csv", "c,d\n1,2\n"), {"a", "b"}); }, Expect::data_error, "other.csv"},
      // model files
      {"missing model file", [&] { load_model<float>((s.dir / "none.npz").string()); }, Expect::npz_error, "none.npz"},
      {"model file that is a directory", [&] { load_model<float>(s.dir.string()); }, Expect::npz_error, "directory"},
      {"foreign file as a model", [&] { load_model<float>(s.file("foreign.npz", good_csv)); }, Expect::npz_error, "foreign.npz"},
      {"truncated model", [&] { load_model<float>(s.file("half.npz", model_bytes.substr(0, model_bytes.size() / 2))); }, Expect::npz_error, "half.npz"},
      {"model with wrong shapes", [&] {
         NpzArchive a = load_npz(model_path);
         a["0.weight"] = Tensor<float>::from_shape({3, 2});
         save_npz((s.dir / "shapes.npz").string(), std::vector<std::pair<std::string, NpzArray>>(a.begin(), a.end()));
         load_model<float>((s.dir / "shapes.npz").string());
       }, Expect::npz_error, "'0.weight' has shape [3, 2]"},
      {"model with a missing array", [&] {
         NpzArchive a = load_npz(model_path);
         a.erase("0.bias");
         save_npz((s.dir / "missing.npz").string(), std::vector<std::pair<std::string, NpzArray>>(a.begin(), a.end()));
         load_model<float>((s.dir / "missing.npz").string());
       }, Expect::npz_error, "0.bias"},
      {"a plain .npz without architecture", [&] {
         save_npz((s.dir / "plain.npz").string(), {{"x", NpzArray(Tensor<double>{1.0})}});
         load_model<float>((s.dir / "plain.npz").string());
       }, Expect::npz_error, "architecture"},
      {"float32 model loaded as float64", [&] { load_model<double>(model_path); }, Expect::npz_error,
       "dtype mismatch: the model's weights are float32, but it was loaded as float64"},
      {"weights file of the wrong architecture", [&] {
         save_weights((s.dir / "w.npz").string(), tiny_model());
         Sequential<float> m;
         m.add<Dense<float>>(2, 3);
         load_weights((s.dir / "w.npz").string(), m);
       }, Expect::npz_error, "w.npz: Sequential::load_state_dict: '0.weight' has shape [2, 2]"},
      {"saving into a missing directory", [&] { save_model((s.dir / "no" / "dir" / "m.npz").string(), tiny_model()); }, Expect::npz_error, "m.npz"},
  };
  CHECK(table.size() >= 40);
  for (const auto& c : table) {
    CAPTURE(c.name);
    std::string what;
    Expect got = Expect::success;
    try {
      c.run();
    } catch (const DataError& e) {
      got = Expect::data_error, what = e.what();
    } catch (const NpzError& e) {
      got = Expect::npz_error, what = e.what();
    } catch (const std::invalid_argument& e) {
      got = Expect::invalid_argument, what = e.what();
    } catch (const std::logic_error& e) {
      got = Expect::logic_error, what = e.what();
    } catch (const std::runtime_error& e) {
      got = Expect::runtime_error, what = e.what();
    }
    CAPTURE(what);
    CHECK(got == c.expect);
    CHECK(what.find(c.message_part) != std::string::npos);
  }
  MESSAGE(table.size() << " bad inputs tried");
}
