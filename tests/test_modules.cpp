// Dropout, BatchNorm1d, LayerNorm (values from PyTorch 1.13, tools/layers_reference.py,
// and float64 gradchecks), registered sub-modules, state dicts, the layer registry
// and Sequential's shape check.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "residual_module.hpp"
#include "xgrad/autograd/autograd.hpp"
#include "xgrad/layers/layers.hpp"

using namespace xgrad;
using xgrad_test::Residual;
using V = Variable<double>;
using Inputs = std::vector<V>;

namespace {
const Tensor<double> kX{{1.0, -2.0, 0.5}, {3.0, 0.0, -1.5}, {-0.5, 4.0, 2.0}, {2.0, 1.0, 0.0}};
const Tensor<double> kG{{1.0, 2.0, -1.0}, {0.5, -0.5, 3.0}, {-2.0, 1.0, 0.25}, {1.0, 1.0, 1.0}};
const Tensor<double> kWeight{1.5, -0.5, 2.0}, kBias{0.1, 0.2, -0.3};

void check_close(const Tensor<double>& got, const std::vector<double>& want, double tol = 1e-12) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    CAPTURE(i);
    CHECK(got.data()[i] == doctest::Approx(want[i]).epsilon(tol).scale(1.0));
  }
}

template <class Layer>
void set_affine(Layer& layer) {
  layer.weight().mutable_value() = kWeight;
  layer.bias().mutable_value() = kBias;
}
}  // namespace

TEST_CASE("Dropout: inverted in training, the identity in eval, reproducible from a seed") {
  Generator gen(11);
  Dropout<double> drop(0.3, gen);
  V x(Tensor<double>(xt::ones<double>({200, 50})), true);
  V y = drop(x);
  std::size_t zeros = 0;
  for (double v : y.value()) {
    if (v == 0) ++zeros;
    else CHECK(v == doctest::Approx(1.0 / 0.7).epsilon(1e-15));
  }
  CHECK(double(zeros) / 10000 == doctest::Approx(0.3).epsilon(0.05));
  y.backward(Tensor<double>(xt::ones<double>({200, 50})));
  CHECK(x.grad() == y.value());  // the same mask scales the gradient
  Generator again(11);
  Dropout<double> same(0.3, again);
  CHECK(same(x).value() == y.value());
  GradcheckResult r = gradcheck([&](const Inputs& in) {
    Generator fixed(5);  // the same mask on every evaluation
    Dropout<double> d(0.5, fixed);
    return d(in[0]) * in[0];
  }, {V(gen.uniform_tensor<double>({3, 4}, -1, 1), true)});
  CHECK_MESSAGE(r.passed, r.message);

  // The default: the process-wide generator, so manual_seed reproduces a run.
  Dropout<double> seeded(0.5);
  manual_seed(21);
  const Tensor<double> first = seeded(x).value();
  manual_seed(21);
  CHECK(seeded(x).value() == first);
  CHECK(seeded(x).value() != first);

  drop.eval();
  CHECK(drop(x).same_node(x));
  drop.train();
  CHECK(Dropout<double>(0.0)(x).same_node(x));
  const V all_dropped = Dropout<double>(1.0)(x);
  for (double v : all_dropped.value()) CHECK(v == 0.0);
  CHECK_THROWS_WITH_AS(Dropout<double>(1.5), doctest::Contains("[0, 1], got 1.5"), std::invalid_argument);
  CHECK_THROWS_AS(Dropout<float>(NAN), std::invalid_argument);
}

TEST_CASE("BatchNorm1d: training and eval against PyTorch, running statistics, gradcheck") {
  BatchNorm1d<double> bn(3);
  set_affine(bn);
  V x(kX, true);
  V y = bn(x);
  check_close(y.value(), {-0.3350301190478391, 0.8350846186853564, 0.09999872000614396, 1.985130515873969,
                          0.3732048960050972, -3.0999910400430077, -2.075150595239195, -0.5505545493554213,
                          2.4999910400430077, 0.8250501984130649, 0.1422650346649676, -0.6999987200061439});
  y.backward(kG);
  check_close(x.grad(), {1.3281274629192734, -0.2047667944747539, -2.559993984018432, -0.9215510165630842,
                         0.3325533683061942, 1.1200116478709774, -0.8998847488995093, -0.09391540484275208,
                         1.4799800321689585, 0.49330830254332036, -0.033871168988688194, -0.039997696021503784});
  check_close(bn.weight().grad(), {3.7219243518537333, -0.7505545493554212, -4.249986400065279});
  check_close(bn.bias().grad(), {0.5, 3.5, 3.25});
  check_close(bn.running_mean().value(), {0.1375, 0.07500000000000001, 0.025});
  check_close(bn.running_var().value(), {1.1229166666666668, 1.525, 1.1083333333333334});  // unbiased
  bn(V(Tensor<double>(kX * 2.0)));
  check_close(bn.running_mean().value(), {0.39875000000000005, 0.21750000000000003, 0.07250000000000001});
  check_close(bn.running_var().value(), {1.9022916666666667, 3.8725, 1.8308333333333335});

  bn.eval();
  bn.zero_grad();
  V xe(kX, true);
  V ye = bn(xe);
  check_close(ye.value(), {0.7538929488374393, 0.7634266158549029, 0.33188860433205036, 2.9290046289619776,
                           0.25526281350549784, -2.624315392543039, -0.8774408112559644, -0.7610647911933123,
                           2.5490416019883675, 1.8414487888997084, 0.001180912330795314, -0.407162394886722});
  ye.backward(kG);
  check_close(xe.grad(), {1.0875558400622691, -0.5081638023494051, -1.4781019984375448, 0.5437779200311346,
                          0.12704095058735126, 4.434305995312634, -2.1751116801245383, -0.25408190117470253,
                          0.3695254996093862, 1.0875558400622691, -0.25408190117470253, 1.4781019984375448});
  check_close(bn.weight().grad(), {3.843150449820044, 0.1213241078109199, -3.4998683881753987});
  const Tensor<double> stats = bn.running_mean().value();
  bn(V(kX));
  CHECK(bn.running_mean().value() == stats);  // eval leaves the statistics alone

  Generator gen(3);
  for (bool training : {true, false}) {
    CAPTURE(training);
    BatchNorm1d<double> layer(4);
    layer.weight().mutable_value() = gen.uniform_tensor<double>({4}, 0.5, 2);
    layer.bias().mutable_value() = gen.uniform_tensor<double>({4}, -1, 1);
    layer.running_var().mutable_value() = gen.uniform_tensor<double>({4}, 0.5, 2);
    layer.train(training);
    V in(gen.uniform_tensor<double>({5, 4}, -2, 2), true);
    GradcheckResult r = gradcheck([&](const Inputs& v) { return layer(v[0]) * v[0]; }, {in, layer.weight(), layer.bias()});
    CHECK_MESSAGE(r.passed, r.message);
  }
  CHECK_THROWS_WITH_AS(BatchNorm1d<double>(3)(V(Tensor<double>{{1.0, 2.0, 3.0}})), doctest::Contains("more than 1 value"), std::invalid_argument);
  BatchNorm1d<double> single(3);
  single.eval();
  CHECK(single(V(Tensor<double>{{1.0, 2.0, 3.0}})).shape() == Shape{1, 3});
  CHECK_THROWS_WITH_AS(BatchNorm1d<double>(3)(V(Tensor<double>::from_shape({2, 4}))), doctest::Contains("[2, 4]"), std::invalid_argument);
  CHECK_THROWS_AS(BatchNorm1d<double>(0), std::invalid_argument);
  CHECK_THROWS_WITH_AS(BatchNorm1d<double>(3, 1.5), doctest::Contains("momentum"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(BatchNorm1d<double>(3, 0.1, -1), doctest::Contains("eps"), std::invalid_argument);
}

TEST_CASE("LayerNorm: against PyTorch, gradcheck on 2-D and 3-D inputs") {
  LayerNorm<double> ln(3);
  set_affine(ln);
  V x(kX, true);
  V y = ln(x);
  check_close(y.value(), {1.4334974620633754, 0.8984986706046252, 0.7159980663340002, 2.104456450836013,
                          0.33363043005573423, -2.438086880891747, -1.8012478617751622, -0.38848148102564545,
                          -0.11892877506903216, 1.9371035288625853, 0.2, -2.7494713718167803});
  y.backward(kG);
  check_close(x.grad(), {1.1368549229533034, 0.22736700255684472, -1.3642219255101484, 0.45815774738021897,
                         -1.3744836780110918, 0.9163259306308733, -0.33839761127021695, -0.42299220532516735,
                         0.7613898165953846, 0.9185471717413609, -1.837103528862585, 0.9185563571212247});
  check_close(ln.weight().grad(), {5.316883293262862, -1.4834012903114753, -4.91723113729664});
  check_close(ln.bias().grad(), {0.5, 3.5, 3.25});
  Generator gen(8);
  for (const Shape& shape : {Shape{4, 5}, Shape{2, 3, 5}}) {
    LayerNorm<double> layer(5);
    layer.weight().mutable_value() = gen.uniform_tensor<double>({5}, 0.5, 2);
    layer.bias().mutable_value() = gen.uniform_tensor<double>({5}, -1, 1);
    V in(gen.uniform_tensor<double>(shape, -2, 2), true);
    GradcheckResult r = gradcheck([&](const Inputs& v) { return layer(v[0]) * v[0]; }, {in, layer.weight(), layer.bias()});
    CHECK_MESSAGE(r.passed, r.message);
  }
  CHECK_THROWS_WITH_AS(ln(V(Tensor<double>::from_shape({2, 4}))), doctest::Contains("[2, 4]"), std::invalid_argument);
  CHECK_THROWS_AS(LayerNorm<float>(0), std::invalid_argument);
  CHECK_THROWS_WITH_AS(LayerNorm<float>(2, NAN), doctest::Contains("eps"), std::invalid_argument);
}

TEST_CASE("sub-modules register themselves: names, train/eval, zero_grad, buffers") {
  Sequential<double> model;
  model.add<Dense<double>>(3, 3).add(std::make_shared<Residual<double>>(3)).add<LayerNorm<double>>(3);
  std::vector<std::string> names, buffers;
  for (auto& [name, p] : model.named_parameters()) names.push_back(name);
  for (auto& [name, b] : model.named_buffers()) buffers.push_back(name);
  CHECK(names == std::vector<std::string>{"0.weight", "0.bias", "1.body.0.weight", "1.body.0.bias", "1.norm.weight",
                                          "1.norm.bias", "2.weight", "2.bias"});
  CHECK(buffers == std::vector<std::string>{"1.norm.running_mean", "1.norm.running_var"});
  CHECK(model.named_children().size() == 3);
  auto& block = static_cast<Residual<double>&>(*model.layers()[1]);
  model.eval();
  CHECK_FALSE(block.body().layers()[1]->is_training());
  CHECK_FALSE(block.norm().is_training());
  model.train();
  CHECK(block.body().layers()[1]->is_training());
  {
    TrainingModeGuard<double> eval_mode(model, false);
    CHECK_FALSE(block.norm().is_training());
  }
  CHECK(block.norm().is_training());
  sum(model(V(kX))).backward();
  for (auto& p : model.parameters()) CHECK(p.has_grad());
  model.zero_grad();
  for (auto& p : model.parameters()) CHECK_FALSE(p.has_grad());
  CHECK(model.parameter_count() == 12 + 12 + 6 + 6);
  CHECK(model.buffer_count() == 6);
}

namespace {
template <class T>
class BadNames : public Module<T> {
 public:
  explicit BadNames(const std::string& second) {
    this->register_parameter("w", Variable<T>(Tensor<T>{1}, true));
    this->register_buffer(second, Variable<T>(Tensor<T>{1}));
  }
  Variable<T> forward(const Variable<T>& x) override { return x; }
  std::string type_name() const override { return "BadNames"; }
};
}  // namespace

TEST_CASE("registration refuses empty, dotted and repeated names") {
  CHECK_NOTHROW(BadNames<float>("b"));
  CHECK_THROWS_WITH_AS(BadNames<float>("w"), doctest::Contains("'w' is registered already"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(BadNames<float>("a.b"), doctest::Contains("'a.b'"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(BadNames<float>(""), doctest::Contains("non-empty"), std::invalid_argument);
}

TEST_CASE("state_dict / load_state_dict: parameters and buffers, checked before anything changes") {
  Generator g1(1), g2(2);
  Sequential<double> a, b;
  a.add(std::make_shared<Dense<double>>(3, 4, ActivationSpec{}, true, Initializer::glorot_uniform, g1)).add<BatchNorm1d<double>>(4);
  b.add(std::make_shared<Dense<double>>(3, 4, ActivationSpec{}, true, Initializer::glorot_uniform, g2)).add<BatchNorm1d<double>>(4);
  a(V(kX));  // moves a's running statistics
  StateDict<double> state = a.state_dict();
  CHECK(state.size() == 6);
  CHECK(state.count("1.running_mean") == 1);
  const Variable<double> b_weight = b.named_parameters()[0].second;
  b.load_state_dict(state);
  CHECK(b.state_dict() == state);
  CHECK(b_weight.value() == state["0.weight"]);  // loaded into the same node, so optimizers keep working
  a.eval();
  b.eval();
  CHECK(a(V(kX)).value() == b(V(kX)).value());
  // a snapshot: training a further does not change it
  a.named_parameters()[0].second.mutable_value().fill(7.0);
  CHECK(state["0.weight"](0, 0) != 7.0);

  StateDict<double> wrong = state;
  wrong["0.weight"] = Tensor<double>::from_shape({4, 3});
  CHECK_THROWS_WITH_AS(b.load_state_dict(wrong), doctest::Contains("'0.weight' has shape [4, 3] in the state dict, the module's is [3, 4]"),
                       std::invalid_argument);
  StateDict<double> partial = state;
  partial.erase("1.running_var");
  partial["2.weight"] = Tensor<double>{1.0};
  partial["0.bias"] = Tensor<double>{9.0, 9.0, 9.0, 9.0};
  CHECK_THROWS_WITH_AS(b.load_state_dict(partial), doctest::Contains("missing keys '1.running_var'; unexpected keys '2.weight'"),
                       std::invalid_argument);
  CHECK(b.state_dict() == state);  // nothing changed
  LoadStateResult r = b.load_state_dict(partial, /*strict=*/false);
  CHECK(r.missing_keys == std::vector<std::string>{"1.running_var"});
  CHECK(r.unexpected_keys == std::vector<std::string>{"2.weight"});
  CHECK(b.state_dict()["0.bias"] == Tensor<double>{9.0, 9.0, 9.0, 9.0});
}

TEST_CASE("the layer registry: built-ins by type name, custom layers join") {
  for (const char* type : {"Dense", "Activation", "PReLU", "Dropout", "BatchNorm1d", "LayerNorm"})
    CHECK(is_layer_registered<float>(type));
  for (const std::shared_ptr<Module<float>>& layer :
       {std::shared_ptr<Module<float>>(std::make_shared<Dropout<float>>(0.2)),
        std::shared_ptr<Module<float>>(std::make_shared<BatchNorm1d<float>>(5, 0.3, 1e-3)),
        std::shared_ptr<Module<float>>(std::make_shared<LayerNorm<float>>(6, 1e-6))}) {
    auto rebuilt = make_layer<float>(layer->config());
    CHECK(rebuilt->type_name() == layer->type_name());
    CHECK(rebuilt->config().numbers == layer->config().numbers);
  }
  CHECK_THROWS_WITH_AS(make_layer<double>(LayerConfig{"ResidualBlock", {{"features", 3}}, {}}),
                       doctest::Contains("unknown layer type 'ResidualBlock' (known: Activation, BatchNorm1d"), std::invalid_argument);
  register_layer<Residual>("ResidualBlock");
  auto block = make_layer<double>(LayerConfig{"ResidualBlock", {{"features", 3}}, {}});
  CHECK(block->parameter_count() == 12 + 6);
  CHECK(is_layer_registered<float>("ResidualBlock"));
  CHECK_THROWS_WITH_AS(make_layer<double>(LayerConfig{"ResidualBlock", {}, {}}), doctest::Contains("lacks the number 'features'"),
                       std::invalid_argument);
  CHECK_THROWS_AS(register_layer<float>("", nullptr), std::invalid_argument);
}

TEST_CASE("Sequential::summary checks that consecutive layers fit and says where not") {
  Sequential<float> model;
  model.add<Dense<float>>(4, 8, "relu").add<BatchNorm1d<float>>(8).add<Dropout<float>>(0.5).add<Dense<float>>(8, 3);
  const std::string s = model.summary(4);
  CHECK(s.find("1 (BatchNorm1d)") != std::string::npos);
  CHECK(s.find("Total params: " + std::to_string(40 + 32 + 27)) != std::string::npos);
  CHECK(s.find("Trainable params: " + std::to_string(40 + 16 + 27)) != std::string::npos);
  CHECK(s.find("Non-trainable params: 16") != std::string::npos);
  CHECK(model.input_features() == std::optional<std::size_t>(4));
  CHECK_THROWS_WITH_AS(model.summary(5), doctest::Contains("the input has 5 features, but layer 0 (Dense) expects 4"),
                       std::invalid_argument);
  Sequential<float> broken;
  broken.add<Dense<float>>(4, 8).add<Activation<float>>("tanh").add<LayerNorm<float>>(6);
  CHECK_THROWS_WITH_AS(broken.summary(), doctest::Contains("layer 1 (Activation) outputs 8 features, but layer 2 (LayerNorm) expects 6"),
                       std::invalid_argument);
}
