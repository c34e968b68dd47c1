// Layers: Dense, Activation, PReLU, Sequential: values, gradchecks, names, summary, configs.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "xgrad/autograd/autograd.hpp"
#include "xgrad/core/activations.hpp"
#include "xgrad/layers/layers.hpp"
#include "xgrad/train/train.hpp"

using namespace xgrad;
using V = Variable<double>;
using Inputs = std::vector<V>;

TEST_CASE("Dense: Glorot-uniform by default, He as options, seeded") {
  Generator g1(5), g2(5);
  Dense<double> a(100, 50, ActivationSpec{}, true, Initializer::glorot_uniform, g1);
  Dense<double> b(100, 50, ActivationSpec{}, true, Initializer::glorot_uniform, g2);
  CHECK(a.weight().value() == b.weight().value());
  const double glorot = std::sqrt(6.0 / 150.0);
  double max_abs = 0, sum_sq = 0;
  for (double w : a.weight().value()) {
    max_abs = std::max(max_abs, std::fabs(w));
    sum_sq += w * w;
  }
  CHECK(max_abs <= glorot);
  CHECK(max_abs > 0.95 * glorot);
  CHECK(std::sqrt(sum_sq / 5000) == doctest::Approx(glorot / std::sqrt(3.0)).epsilon(0.05));
  for (double v : a.bias().value()) CHECK(v == 0.0);
  Dense<double> he(200, 100, ActivationSpec{}, true, Initializer::he_normal, g1);
  sum_sq = 0;
  for (double w : he.weight().value()) sum_sq += w * w;
  CHECK(std::sqrt(sum_sq / 20000) == doctest::Approx(std::sqrt(2.0 / 200)).epsilon(0.05));
  Dense<double> heu(200, 100, ActivationSpec{}, true, Initializer::he_uniform, g1);
  for (double w : heu.weight().value()) CHECK(std::fabs(w) <= std::sqrt(6.0 / 200));
}

TEST_CASE("Dense forward equals x W + b then the activation, and gradchecks") {
  Generator gen(9);
  for (const char* act : {"linear", "tanh", "relu", "sigmoid", "softmax", "gelu"}) {
    CAPTURE(act);
    Dense<double> dense(3, 4, act, true, Initializer::glorot_uniform, gen);
    dense.bias().mutable_value() = gen.uniform_tensor<double>({4}, -1, 1);
    V x(gen.uniform_tensor<double>({5, 3}, -2, 2), true);
    V expected = apply_activation(ActivationSpec{parse_activation(act)}, matmul(x, dense.weight()) + dense.bias());
    V y = dense(x);
    for (std::size_t i = 0; i < y.size(); ++i) CHECK(y.value().data()[i] == doctest::Approx(expected.value().data()[i]));
    GradcheckResult r = gradcheck([&](const Inputs& in) { return dense(in[0]); }, {x, dense.weight(), dense.bias()});
    CHECK_MESSAGE(r.passed, r.message);
  }
  Dense<double> no_bias(3, 2, "linear", false);
  CHECK(no_bias.named_parameters().size() == 1);
  CHECK_THROWS_WITH_AS(no_bias(V(Tensor<double>::from_shape({2, 4}))), doctest::Contains("[2, 4]"), std::invalid_argument);
  CHECK_THROWS_AS(Dense<double>(0, 3), std::invalid_argument);
  CHECK_THROWS_WITH_AS(Dense<double>(3, 3, "swoosh"), doctest::Contains("unknown activation 'swoosh'"), std::invalid_argument);
}

TEST_CASE("Dense without a graph (NoGradGuard, or no input needing a gradient) gives the graph's values") {
  for (Act f : {Act::relu, Act::tanh, Act::gelu, Act::sigmoid, Act::rrelu, Act::linear}) {
    Generator gen(3);
    Dense<float> layer(7, 19, ActivationSpec{f}, true, Initializer::he_uniform, gen);
    const Tensor<float> x = gen.normal_tensor<float>({33, 7});
    const Variable<float> input(x);
    for (bool training : {false, true}) {
      if (training) layer.train(); else layer.eval();
      if (f == Act::rrelu && training) continue;  // random: no two calls agree
      const Tensor<float> with_graph = layer(input).value();
      Variable<float> plain;
      {
        NoGradGuard no_grad;
        plain = layer(input);
      }
      CAPTURE(activation_info(f).name);
      CHECK(!plain.requires_grad());
      CHECK(plain.value() == with_graph);
      CHECK(input.value() == x);  // the input is never the buffer overwritten
      for (auto& p : layer.parameters()) p.set_requires_grad(false);
      CHECK(layer(input).value() == with_graph);
      for (auto& p : layer.parameters()) p.set_requires_grad(true);
    }
  }
}

TEST_CASE("Activation layer by name, every function, gradchecked") {
  Generator gen(2);
  for (const auto& name : activation_names()) {
    CAPTURE(name);
    ActivationSpec spec = parse_activation(name);
    const ActivationInfo& info = activation_info(spec.id);
    for (std::size_t i = 0; i < info.param_count; ++i)
      if (info.params[i].required()) spec.params.v[i] = i == 0 ? 0.05 : -1.0;  // threshold
    Activation<double> layer(spec);
    layer.eval();  // rrelu's slopes are random while training (test_activation_grads.cpp)
    Tensor<double> values = gen.uniform_tensor<double>({3, 4}, 0.1, 2.0);
    for (std::size_t i = 0; i < values.size(); i += 2) values.data()[i] *= -1;  // both sides, away from 0
    V x(values, true);
    GradcheckResult r = gradcheck([&](const Inputs& in) { return layer(in[0]); }, {x});
    CHECK_MESSAGE(r.passed, r.message);
  }
  ActivationSpec leaky{Act::leaky_relu};
  leaky.set("negative_slope", 0.2);
  CHECK(Activation<double>(leaky)(V(Tensor<double>{-1.0})).item() == doctest::Approx(-0.2));
  ActivationSpec bad{Act::softplus};
  bad.set("beta", 0);
  CHECK_THROWS_AS(Activation<double>{bad}, std::invalid_argument);
  CHECK_THROWS_WITH_AS(bad.set("alpha", 1), doctest::Contains("softplus has no parameter 'alpha' (it takes beta, threshold)"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(Activation<double>("prelu"), doctest::Contains("PReLU layer"), std::invalid_argument);
}

TEST_CASE("PReLU layer: forward, gradcheck with dL/dalpha, shapes") {
  Generator gen(4);
  for (std::size_t n : {std::size_t(1), std::size_t(3)}) {
    PReLU<double> layer(n, 0.25);
    CHECK(layer.alpha().shape() == Shape{n});
    V x(gen.uniform_tensor<double>({4, 3}, 0.1, 2.0), true);
    for (std::size_t i = 0; i < x.size(); i += 2) x.mutable_value().data()[i] *= -1;
    GradcheckResult r = gradcheck([&](const Inputs& in) { return layer(in[0]); }, {x, layer.alpha()});
    CHECK_MESSAGE(r.passed, r.message);
  }
  PReLU<double> wrong(2);
  CHECK_THROWS_WITH_AS(wrong(V(Tensor<double>::from_shape({4, 3}))), doctest::Contains("[2]"), std::invalid_argument);
}

TEST_CASE("PReLU learns: data from alpha 0.1, model started at 0.25") {
  Generator gen(123);
  Tensor<double> x = gen.uniform_tensor<double>({512, 1}, -3, 3);
  Tensor<double> y = math::map(x, [](double v) { return math::prelu(v, 0.1); });
  PReLU<double> layer(1, 0.25);
  SGD<double> opt(layer.parameters(), 0.5);
  for (int step = 0; step < 200; ++step) {
    opt.zero_grad();
    mse(layer(V(x)), V(y)).backward();
    opt.step();
  }
  CHECK(std::fabs(layer.alpha().value()(0) - 0.1) < 0.01);
}

TEST_CASE("Sequential: names, parameters, train/eval, summary, configs") {
  Sequential<float> model;
  model.add<Dense<float>>(4, 8, "relu").add<PReLU<float>>(8).add<Dense<float>>(8, 3).add<Activation<float>>("softmax");
  std::vector<std::string> names;
  for (auto& [name, p] : model.named_parameters()) names.push_back(name);
  CHECK(names == std::vector<std::string>{"0.weight", "0.bias", "1.alpha", "2.weight", "2.bias"});
  CHECK(model.parameter_count() == 4 * 8 + 8 + 8 + 8 * 3 + 3);
  model.eval();
  CHECK_FALSE(model.layers()[1]->is_training());
  model.train();
  CHECK(model.layers()[1]->is_training());
  const std::string s = model.summary();
  CHECK(s.find("0 (Dense)") != std::string::npos);
  CHECK(s.find("(None, 8)") != std::string::npos);
  CHECK(s.find("(None, 3)") != std::string::npos);
  CHECK(s.find("Total params: 75") != std::string::npos);
  Variable<float> out = model(Variable<float>(Tensor<float>::from_shape({2, 4})));
  CHECK(out.shape() == Shape{2, 3});
  for (const auto& layer : model.layers()) {
    auto rebuilt = make_layer<float>(layer->config());
    CHECK(rebuilt->type_name() == layer->type_name());
    CHECK(rebuilt->parameter_count() == layer->parameter_count());
  }
  CHECK_THROWS_AS(make_layer<float>(LayerConfig{"Conv2D", {}, {}}), std::invalid_argument);
}

TEST_CASE("Module::zero_grad clears every parameter's gradient") {
  Sequential<double> model;
  model.add<Dense<double>>(2, 2, "tanh");
  sum(model(V(Tensor<double>{{1.0, 2.0}}))).backward();
  for (auto& p : model.parameters()) CHECK(p.has_grad());
  model.zero_grad();
  for (auto& p : model.parameters()) CHECK_FALSE(p.has_grad());
}

TEST_CASE("parse_activation: name(param=value, ...) by PyTorch's parameter names") {
  const ActivationSpec leaky = parse_activation("leaky_relu(negative_slope=0.2)");
  CHECK(leaky.id == Act::leaky_relu);
  CHECK(leaky.params[0] == 0.2);
  const ActivationSpec th = parse_activation(" threshold( threshold = 0.1 , value=-2.5e1 ) ");
  CHECK(th.id == Act::threshold);
  CHECK(th.params[0] == 0.1);
  CHECK(th.params[1] == -25.0);
  const ActivationSpec ht = parse_activation("hardtanh(max_val=3)");  // the others keep their defaults
  CHECK(ht.params[0] == -1.0);
  CHECK(ht.params[1] == 3.0);
  CHECK(parse_activation("swish()").id == Act::silu);
  CHECK(parse_activation("elu").params[0] == 1.0);
  const auto refused = [](const std::string& text, const std::string& says) {
    CAPTURE(text);
    try {
      parse_activation(text);
      FAIL("accepted");
    } catch (const std::invalid_argument& e) {
      CHECK_MESSAGE(std::string(e.what()).find(says) != std::string::npos, e.what());
    }
  };
  refused("relu(x=1)", "relu has no parameter 'x' (it takes none)");
  refused("elu(beta=1)", "(it takes alpha)");
  refused("elu(alpha=)", "alpha = '' is not a number");
  refused("elu(alpha=1x)", "alpha = '1x' is not a number");
  refused("elu(alpha=1", "write name(param=value, ...)");
  refused("elu(alpha=1))", "write name(param=value, ...)");
  refused("elu(1)", "'1' is not param=value");
  refused("elu(alpha=1, alpha=2)", "alpha is given twice");
  refused("softplus(beta=0)", "beta must be a finite number > 0");
  refused("hardtanh(min_val=2)", "min_val (2) must be less than max_val (1)");
  refused("threshold(threshold=0.1)", "value must be a number");
  refused("swoosh(a=1)", "swoosh");
  // A model file keeps the parameters given this way.
  Dense<float> dense(3, 2, "softshrink(lambd=0.25)");
  const ActivationSpec back = read_activation(dense.config());
  CHECK(back.id == Act::softshrink);
  CHECK(back.params[0] == 0.25);
}

TEST_CASE("parse_layer_spec: parameters in parentheses, commas inside them; prelu's alpha is its init") {
  const auto layers = parse_layer_spec("16:threshold(threshold=0.1, value=0),8:prelu(alpha=0.1),4");
  REQUIRE(layers.size() == 3);
  CHECK(layers[0].units == 16);
  CHECK(layers[0].activation == "threshold(threshold=0.1, value=0)");
  CHECK(layers[1].activation == "prelu(alpha=0.1)");
  CHECK(layers[2].activation == "relu");
  CHECK_THROWS_WITH_AS(parse_layer_spec("16:threshold"), doctest::Contains("threshold must be a number"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(parse_layer_spec("16:elu(alpha=1),"), doctest::Contains("ends with a comma"),
                       std::invalid_argument);
  const Sequential<float> model = build_classifier<float>(4, 3, parse_layer_spec("8:prelu(alpha=0.1)"), 0);
  bool found = false;
  for (const auto& [name, p] : model.named_parameters())
    if (name.find("alpha") != std::string::npos) {
      found = true;
      CHECK(p.value().size() == 8);
      for (const float a : p.value()) CHECK(a == 0.1f);
    }
  CHECK(found);
}
