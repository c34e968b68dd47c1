// The losses beyond mse / BCE-with-logits / cross-entropy (against
// torch.nn.functional), their target checks and gradchecks, and the metrics
// (against scikit-learn); values in train_reference.hpp.
#include <doctest/doctest.h>

#include <cmath>

#include "train_reference.hpp"
#include "xgrad/autograd/autograd.hpp"
#include "xgrad/train/train.hpp"

using namespace xgrad;
namespace ref = train_reference;
using V = Variable<double>;
using Inputs = std::vector<V>;

namespace {
Tensor<double> tensor_of(const std::vector<double>& v, Shape shape) {
  Tensor<double> t = Tensor<double>::from_shape(shape);
  std::copy(v.begin(), v.end(), t.data());
  return t;
}

/// [n, 1] from n values.
Tensor<double> col(const std::vector<double>& v) { return tensor_of(v, {v.size(), 1}); }

void check_loss(const std::function<V(const V&)>& loss, const std::vector<double>& pred, Shape shape, double value,
                const std::vector<double>& grad, double tol = 1e-14) {
  V p(tensor_of(pred, shape), true);
  V l = loss(p);
  CHECK(l.item() == doctest::Approx(value).epsilon(tol));
  l.backward();
  for (std::size_t i = 0; i < grad.size(); ++i)
    CHECK_MESSAGE(p.grad().data()[i] == doctest::Approx(grad[i]).epsilon(tol), "gradient element " << i);
}
}  // namespace

TEST_CASE("losses: L1, smooth L1, Huber, MSE match torch.nn.functional") {
  const V t(tensor_of(ref::loss_target, {3, 2}));
  check_loss([&](const V& p) { return l1_loss(p, t); }, ref::loss_pred, {3, 2}, ref::loss_l1, ref::grad_l1);
  check_loss([&](const V& p) { return smooth_l1_loss(p, t, 0.5); }, ref::loss_pred, {3, 2}, ref::loss_smooth_l1, ref::grad_smooth_l1);
  check_loss([&](const V& p) { return huber_loss(p, t, 0.5); }, ref::loss_pred, {3, 2}, ref::loss_huber, ref::grad_huber);
  check_loss([&](const V& p) { return mse(p, t); }, ref::loss_pred, {3, 2}, ref::loss_mse, ref::grad_mse);
  // smooth_l1 with beta 0 is L1 (PyTorch's rule).
  CHECK(smooth_l1_loss(V(tensor_of(ref::loss_pred, {3, 2})), t, 0.0).item() == doctest::Approx(ref::loss_l1));
}

TEST_CASE("losses: BCE on probabilities (log clamped at -100), NLL, cross-entropy with label smoothing") {
  const V t(tensor_of(ref::bce_t, {6}));
  // p = 0 with target 1 and p = 1 with target 0 would be infinite without PyTorch's clamp.
  CHECK(binary_cross_entropy(V(tensor_of(ref::bce_p, {6})), t).item() == doctest::Approx(ref::loss_bce).epsilon(1e-14));
  {
    V p(tensor_of(ref::bce_p_interior, {6}), true);
    binary_cross_entropy(p, t).backward();
    for (std::size_t i = 0; i < 6; ++i) CHECK(p.grad()(i) == doctest::Approx(ref::grad_bce_interior[i]).epsilon(1e-12));
  }
  check_loss([](const V& x) { return nll_loss(x, ref::ce_labels); }, ref::ce_logits, {3, 4}, ref::loss_nll, ref::grad_nll);
  check_loss([](const V& x) { return cross_entropy(x, ref::ce_labels, 0.1); }, ref::ce_logits, {3, 4}, ref::loss_ce_smooth,
             ref::grad_ce_smooth, 1e-13);
  // float32 goes through the same smoothing.
  Variable<float> xf(Tensor<float>{{1.0f, 2.0f, 0.5f, -1.0f}, {0.3f, -0.2f, 2.5f, 0.0f}, {-1.5f, 0.5f, 0.1f, 3.0f}});
  CHECK(cross_entropy(xf, ref::ce_labels, 0.1f).item() == doctest::Approx(ref::loss_ce_smooth).epsilon(1e-6));
}

TEST_CASE("losses: gradcheck in float64") {
  Generator gen(11);
  V a(gen.uniform_tensor<double>({4, 3}, -2, 2), true), b(gen.uniform_tensor<double>({4, 3}, -2, 2), true);
  // Away from the kinks (|d| = beta, d = 0), where the finite differences are smooth.
  for (std::size_t i = 0; i < a.size(); ++i) a.mutable_value().data()[i] = b.value().data()[i] + (i % 2 ? 0.3 : -1.7);
  GradcheckResult r1 = gradcheck([](const Inputs& v) { return l1_loss(v[0], v[1]); }, {a, b});
  CHECK_MESSAGE(r1.passed, r1.message);
  GradcheckResult r2 = gradcheck([](const Inputs& v) { return smooth_l1_loss(v[0], v[1], 1.0); }, {a, b});
  CHECK_MESSAGE(r2.passed, r2.message);
  GradcheckResult r3 = gradcheck([](const Inputs& v) { return huber_loss(v[0], v[1], 0.5); }, {a, b});
  CHECK_MESSAGE(r3.passed, r3.message);
  V p(gen.uniform_tensor<double>({4, 3}, 0.1, 0.9), true), t(gen.uniform_tensor<double>({4, 3}, 0, 1), true);
  GradcheckResult r4 = gradcheck([](const Inputs& v) { return binary_cross_entropy(v[0], v[1]); }, {p, t});
  CHECK_MESSAGE(r4.passed, r4.message);
  V logits(gen.uniform_tensor<double>({4, 3}, -2, 2), true);
  GradcheckResult r5 = gradcheck([](const Inputs& v) { return nll_loss(v[0], {0, 2, 1, 1}); }, {logits});
  CHECK_MESSAGE(r5.passed, r5.message);
  GradcheckResult r6 = gradcheck([](const Inputs& v) { return cross_entropy(v[0], {0, 2, 1, 1}, 0.2); }, {logits});
  CHECK_MESSAGE(r6.passed, r6.message);
}

TEST_CASE("losses: every loss checks its targets and names the loss, the row and the value") {
  V x(col({0.5, 0.2, 0.1}));
  // The silent bug: a target of 2 was accepted by BCE with logits.
  CHECK_THROWS_WITH_AS(binary_cross_entropy_with_logits(x, V(col({0.0, 1.0, 2.0}))),
                       doctest::Contains("binary_cross_entropy_with_logits: target 2 at row 2 is outside [0, 1]"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(binary_cross_entropy(x, V(col({0.0, -1.0, 1.0}))),
                       doctest::Contains("binary_cross_entropy: target -1 at row 1"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(binary_cross_entropy(V(col({0.5, 1.5, 0.1})), V(col({0.0, 1.0, 1.0}))),
                       doctest::Contains("probability 1.5 at row 1"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(binary_cross_entropy_with_logits(x, V(col({0.0, std::nan(""), 1.0}))),
                       doctest::Contains("target NaN at row 1"), std::invalid_argument);
  V logits(Tensor<double>::from_shape({2, 3}));
  CHECK_THROWS_WITH_AS(nll_loss(logits, {0, -1}), doctest::Contains("nll_loss: label -1 at row 1"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(cross_entropy(logits, {0, 1}, 1.5), doctest::Contains("label_smoothing"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(l1_loss(logits, V(Tensor<double>::from_shape({3, 2}))), doctest::Contains("l1_loss: prediction of shape [2, 3]"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(huber_loss(x, x, -1.0), doctest::Contains("huber_loss: delta"), std::invalid_argument);
  // [n] and [n, 1] are the same n values for one output; [n] with [n, 2] is not.
  V flat(Tensor<double>{1.0, 0.0, 3.0});
  CHECK(mse(x, flat).item() == doctest::Approx((0.25 + 0.04 + 8.41) / 3));
  CHECK(l1_loss(flat, x).item() == doctest::Approx((0.5 + 0.2 + 2.9) / 3));
  CHECK_THROWS_AS(mse(V(Tensor<double>::from_shape({3, 2})), flat), std::invalid_argument);
  CHECK_THROWS_WITH_AS(parse_loss("hinge"), doctest::Contains("huber"), std::invalid_argument);
  CHECK(parse_loss("mae") == LossKind::l1);
}

TEST_CASE("metrics: confusion matrix, precision, recall, F1 and top-k match scikit-learn") {
  const auto m = confusion_matrix(ref::m_true, ref::m_pred);
  REQUIRE(m.size() == 4);
  for (std::size_t r = 0; r < 4; ++r)
    for (std::size_t c = 0; c < 4; ++c) CHECK(double(m[r][c]) == ref::m_confusion[r * 4 + c]);
  const ClassificationReport rep = classification_report(ref::m_true, ref::m_pred);
  for (std::size_t c = 0; c < 4; ++c) {
    CHECK(rep.precision[c] == doctest::Approx(ref::m_precision[c]).epsilon(1e-15));
    CHECK(rep.recall[c] == doctest::Approx(ref::m_recall[c]).epsilon(1e-15));
    CHECK(rep.f1[c] == doctest::Approx(ref::m_f1[c]).epsilon(1e-15));
  }
  CHECK(rep.macro_precision == doctest::Approx(ref::m_macro[0]).epsilon(1e-15));
  CHECK(rep.macro_recall == doctest::Approx(ref::m_macro[1]).epsilon(1e-15));
  CHECK(rep.macro_f1 == doctest::Approx(ref::m_macro[2]).epsilon(1e-15));
  CHECK(rep.weighted_precision == doctest::Approx(ref::m_weighted[0]).epsilon(1e-15));
  CHECK(rep.weighted_recall == doctest::Approx(ref::m_weighted[1]).epsilon(1e-15));
  CHECK(rep.weighted_f1 == doctest::Approx(ref::m_weighted[2]).epsilon(1e-15));
  CHECK(rep.accuracy == ref::m_accuracy);
  CHECK(accuracy(ref::m_true, ref::m_pred) == ref::m_accuracy);
  Tensor<float> scores = Tensor<float>::from_shape({6, 4});
  for (std::size_t i = 0; i < 24; ++i) scores.data()[i] = static_cast<float>(ref::topk_scores[i]);
  CHECK(top_k_accuracy(scores, ref::topk_true, 1) == ref::top1);
  CHECK(top_k_accuracy(scores, ref::topk_true, 2) == ref::top2);
  CHECK(top_k_accuracy(scores, ref::topk_true, 3) == ref::top3);
  CHECK(top_k_accuracy(scores, ref::topk_true, 4) == 1.0);
  // A class never predicted: precision 0 (scikit-learn's zero_division default), not NaN.
  CHECK(classification_report({0, 1}, {0, 0}).precision[1] == 0.0);
  CHECK_THROWS_WITH_AS(accuracy({0, 1}, {0}), doctest::Contains("2 true labels but 1 predictions"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(confusion_matrix({0, 5}, {0, 1}, 3), doctest::Contains("class id 5 at row 1"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(top_k_accuracy(scores, ref::topk_true, 0), doctest::Contains("k must be"), std::invalid_argument);
}

TEST_CASE("metrics: MAE, RMSE and R^2 match scikit-learn (multi-output: averaged over columns)") {
  const RegressionReport r = regression_report(tensor_of(ref::reg_pred, {5, 2}), tensor_of(ref::reg_true, {5, 2}));
  CHECK(r.mae == doctest::Approx(ref::reg_mae).epsilon(1e-15));
  CHECK(r.rmse == doctest::Approx(ref::reg_rmse).epsilon(1e-15));
  CHECK(r.r2 == doctest::Approx(ref::reg_r2).epsilon(1e-15));
  // [n] against [n, 1].
  CHECK(r2_score(col({1.0, 2.0, 3.0}), Tensor<double>{1.0, 2.0, 3.0}) == 1.0);
  CHECK(mean_absolute_error(Tensor<double>{1.0, 2.0}, Tensor<double>{2.0, 4.0}) == 1.5);
  CHECK(root_mean_squared_error(Tensor<double>{1.0, 2.0}, Tensor<double>{2.0, 4.0}) == doctest::Approx(std::sqrt(2.5)));
  // A constant target: 1 when exact, else 0 (scikit-learn's force_finite).
  CHECK(r2_score(Tensor<double>{2.0, 2.0}, Tensor<double>{2.0, 2.0}) == 1.0);
  CHECK(r2_score(Tensor<double>{1.0, 2.0}, Tensor<double>{2.0, 2.0}) == 0.0);
  CHECK_THROWS_WITH_AS(regression_report(Tensor<double>::from_shape({3, 2}), Tensor<double>::from_shape({2, 3})),
                       doctest::Contains("[3, 2]"), std::invalid_argument);
}

TEST_CASE("losses: sample weights (Keras's rule: sum of w times the row's terms over the number of terms)") {
  const V p(tensor_of(ref::loss_pred, {3, 2})), t(tensor_of(ref::loss_target, {3, 2}));
  const std::vector<double> ones{1, 1, 1}, w{2.0, 0.0, 0.5};
  CHECK(mse(p, t, ones).item() == doctest::Approx(ref::loss_mse).epsilon(1e-15));
  CHECK(l1_loss(p, t, ones).item() == doctest::Approx(ref::loss_l1).epsilon(1e-15));
  // By hand: the rows' squared errors are (0.04 + 1.21), (0.0025 + 1), (1 + 0.0025).
  CHECK(mse(p, t, w).item() == doctest::Approx((2 * 1.25 + 0.5 * 1.0025) / 6).epsilon(1e-14));
  V logits(tensor_of(ref::ce_logits, {3, 4}));
  CHECK(cross_entropy(logits, ref::ce_labels, 0.0, ones).item() == doctest::Approx(cross_entropy(logits, ref::ce_labels).item()).epsilon(1e-15));
  CHECK(cross_entropy(logits, ref::ce_labels, 0.0, {0.0, 3.0, 0.0}).item() ==
        doctest::Approx(cross_entropy(V(tensor_of({0.3, -0.2, 2.5, 0.0}, {1, 4})), {2}).item()).epsilon(1e-14));
  Generator gen(12);
  V a(gen.uniform_tensor<double>({4, 3}, -2, 2), true), b(gen.uniform_tensor<double>({4, 3}, 0, 1), true);
  const std::vector<double> w4{0.5, 2.0, 0.0, 1.5};
  GradcheckResult r1 = gradcheck([&](const Inputs& v) { return binary_cross_entropy_with_logits(v[0], v[1], w4); }, {a, b});
  CHECK_MESSAGE(r1.passed, r1.message);
  GradcheckResult r2 = gradcheck([&](const Inputs& v) { return cross_entropy(v[0], {0, 2, 1, 1}, 0.1, w4); }, {a});
  CHECK_MESSAGE(r2.passed, r2.message);
  GradcheckResult r3 = gradcheck([&](const Inputs& v) { return mse(v[0], v[1], w4); }, {a, b});
  CHECK_MESSAGE(r3.passed, r3.message);
  GradcheckResult r4 = gradcheck([&](const Inputs& v) { return nll_loss(v[0], {0, 2, 1, 1}, w4); }, {a});
  CHECK_MESSAGE(r4.passed, r4.message);
  V pr(gen.uniform_tensor<double>({4, 3}, 0.1, 0.9), true);
  GradcheckResult r5 = gradcheck([&](const Inputs& v) { return binary_cross_entropy(v[0], v[1], w4); }, {pr, b});
  CHECK_MESSAGE(r5.passed, r5.message);
  CHECK_THROWS_WITH_AS(mse(p, t, {1.0, 2.0}), doctest::Contains("mse: 2 sample weights for 3 rows"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(huber_loss(p, t, 1.0, {1.0, -2.0, 1.0}), doctest::Contains("huber_loss: sample weight -2 at row 1"),
                       std::invalid_argument);
}
