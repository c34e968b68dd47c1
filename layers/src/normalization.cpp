#include "xgrad/layers/normalization.hpp"

#include <cmath>
#include <stdexcept>
#include <vector>

#include <xtensor/xbuilder.hpp>

#include "xgrad/autograd/ops.hpp"
#include "xgrad/core/format.hpp"

namespace xgrad {

namespace {

/// Both layers normalise "members" within "groups": BatchNorm1d a feature
/// (group) over the batch rows (members), LayerNorm a row over its features.
/// Element (group a, member b) sits at a * group_stride + b * member_stride;
/// weight and bias are indexed by the group (BatchNorm1d) or the member (LayerNorm).
struct Layout {
  std::size_t groups, members, group_stride, member_stride;
  bool affine_by_group;
};

/// Mean and biased variance of each group, accumulated in double.
template <class T>
void group_stats(const T* x, const Layout& l, std::vector<double>& mean, std::vector<double>& var) {
  mean.assign(l.groups, 0.0);
  var.assign(l.groups, 0.0);
  for (std::size_t a = 0; a < l.groups; ++a) {
    double s = 0;
    for (std::size_t b = 0; b < l.members; ++b) s += x[a * l.group_stride + b * l.member_stride];
    const double m = s / static_cast<double>(l.members);
    double ss = 0;
    for (std::size_t b = 0; b < l.members; ++b) {
      const double d = x[a * l.group_stride + b * l.member_stride] - m;
      ss += d * d;
    }
    mean[a] = m;
    var[a] = ss / static_cast<double>(l.members);
  }
}

/// y = (x - mean) inv_std weight + bias as one graph node; `stats_from_x` says
/// whether mean and inv_std depend on x (then dx has the two extra terms).
template <class T>
Variable<T> normalize(const Variable<T>& x, const Variable<T>& weight, const Variable<T>& bias, const Layout& l,
                      const std::vector<double>& mean, const std::vector<double>& var, double eps, bool stats_from_x,
                      const char* op) {
  std::vector<T> inv_std(l.groups);
  for (std::size_t a = 0; a < l.groups; ++a) inv_std[a] = static_cast<T>(1.0 / std::sqrt(var[a] + eps));
  Tensor<T> xhat = Tensor<T>::from_shape(x.value().shape());
  Tensor<T> out = Tensor<T>::from_shape(x.value().shape());
  const T* px = x.value().data();
  const T* w = weight.value().data();
  const T* bs = bias.value().data();
  T* ph = xhat.data();
  T* po = out.data();
  for (std::size_t a = 0; a < l.groups; ++a) {
    const T m = static_cast<T>(mean[a]);
    for (std::size_t b = 0; b < l.members; ++b) {
      const std::size_t e = a * l.group_stride + b * l.member_stride, k = l.affine_by_group ? a : b;
      ph[e] = (px[e] - m) * inv_std[a];
      po[e] = ph[e] * w[k] + bs[k];
    }
  }
  // The differentiable rule recomputes xhat with ops (the statistics too when they come from x).
  std::vector<T> eval_mean(l.groups), eval_inv_std(inv_std);
  for (std::size_t a = 0; a < l.groups; ++a) eval_mean[a] = static_cast<T>(mean[a]);
  auto graph_rule = [l, stats_from_x, eps, eval_mean, eval_inv_std](Node<T>& self) {
    const Variable<T> x = detail::input_variable(self, 0), w = detail::input_variable(self, 1);
    const Variable<T> g = detail::incoming_grad_graph(self);
    const long axis = l.affine_by_group ? 0 : -1;  // BatchNorm1d: over the rows; LayerNorm: over the last axis
    Variable<T> xhat, inv;
    if (stats_from_x) {
      const Variable<T> centred = x - xgrad::mean(x, axis, true);
      inv = pow(xgrad::mean(centred * centred, axis, true) + static_cast<T>(eps), -0.5);
      xhat = centred * inv;
    } else {  // BatchNorm1d in eval mode: the running statistics are constants of shape [features]
      Tensor<T> m = Tensor<T>::from_shape({l.groups}), s = Tensor<T>::from_shape({l.groups});
      std::copy(eval_mean.begin(), eval_mean.end(), m.data());
      std::copy(eval_inv_std.begin(), eval_inv_std.end(), s.data());
      inv = Variable<T>(std::move(s));
      xhat = (x - Variable<T>(std::move(m))) * inv;
    }
    const Variable<T> d = g * w;
    if (self.inputs[0]->requires_grad)
      detail::accumulate_grad_graph(*self.inputs[0], stats_from_x ? inv * (d - xgrad::mean(d, axis, true) - xhat * xgrad::mean(d * xhat, axis, true))
                                                                   : inv * d);
    if (self.inputs[1]->requires_grad) detail::accumulate_grad_graph(*self.inputs[1], g * xhat);
    if (self.inputs[2]->requires_grad) detail::accumulate_grad_graph(*self.inputs[2], g);
  };
  return Variable<T>::make_result(
      std::move(out), op, {x, weight, bias},
      [l, stats_from_x, inv_std = std::move(inv_std), xhat = std::move(xhat)](Node<T>& self) {
        const T* g = self.incoming_grad().data();
        const T* h = xhat.data();
        Node<T>& xn = *self.inputs[0];
        Node<T>& wn = *self.inputs[1];
        Node<T>& bn = *self.inputs[2];
        const T* w = wn.value.data();
        const std::size_t params = wn.value.size();
        if (wn.requires_grad || bn.requires_grad) {
          std::vector<T> dw(params, T(0)), db(params, T(0));
          for (std::size_t a = 0; a < l.groups; ++a)
            for (std::size_t b = 0; b < l.members; ++b) {
              const std::size_t e = a * l.group_stride + b * l.member_stride, k = l.affine_by_group ? a : b;
              dw[k] += g[e] * h[e];
              db[k] += g[e];
            }
          detail::accumulate_grad_each(wn, [&dw](std::size_t k) { return dw[k]; });
          detail::accumulate_grad_each(bn, [&db](std::size_t k) { return db[k]; });
        }
        if (!xn.requires_grad) return;
        Tensor<T> dx = Tensor<T>::from_shape(xn.value.shape());
        T* pdx = dx.data();
        const T n = static_cast<T>(l.members);
        for (std::size_t a = 0; a < l.groups; ++a) {
          T s1 = 0, s2 = 0;  // sums of dxhat and dxhat * xhat over the group
          if (stats_from_x)
            for (std::size_t b = 0; b < l.members; ++b) {
              const std::size_t e = a * l.group_stride + b * l.member_stride, k = l.affine_by_group ? a : b;
              const T d = g[e] * w[k];
              s1 += d;
              s2 += d * h[e];
            }
          for (std::size_t b = 0; b < l.members; ++b) {
            const std::size_t e = a * l.group_stride + b * l.member_stride, k = l.affine_by_group ? a : b;
            const T d = g[e] * w[k];
            pdx[e] = stats_from_x ? inv_std[a] * (d - s1 / n - h[e] * s2 / n) : inv_std[a] * d;
          }
        }
        detail::accumulate_grad(xn, dx);
      },
      std::move(graph_rule));
}

void check_eps(const char* layer, double eps) {
  if (!(eps >= 0 && std::isfinite(eps)))
    throw std::invalid_argument(std::string(layer) + ": eps must be a finite number >= 0, got " + number_to_string(eps));
}

}  // namespace

template <class T>
BatchNorm1d<T>::BatchNorm1d(std::size_t num_features, double momentum, double eps)
    : num_features_(num_features), momentum_(momentum), eps_(eps) {
  if (num_features == 0) throw std::invalid_argument("BatchNorm1d: num_features must be >= 1");
  if (!(momentum >= 0 && momentum <= 1))
    throw std::invalid_argument("BatchNorm1d: momentum must be in [0, 1], got " + number_to_string(momentum));
  check_eps("BatchNorm1d", eps);
  weight_ = this->register_parameter("weight", Variable<T>(Tensor<T>(xt::ones<T>({num_features})), true));
  bias_ = this->register_parameter("bias", Variable<T>(Tensor<T>(xt::zeros<T>({num_features})), true));
  running_mean_ = this->register_buffer("running_mean", Variable<T>(Tensor<T>(xt::zeros<T>({num_features}))));
  running_var_ = this->register_buffer("running_var", Variable<T>(Tensor<T>(xt::ones<T>({num_features}))));
}

template <class T>
Variable<T> BatchNorm1d<T>::forward(const Variable<T>& x) {
  if (x.dim() != 2 || x.shape()[1] != num_features_)
    throw std::invalid_argument("BatchNorm1d(" + std::to_string(num_features_) + "): input has shape " +
                                shape_to_string(x.shape()) + ", expected [batch, " + std::to_string(num_features_) + "]");
  const std::size_t rows = x.shape()[0];
  const Layout layout{num_features_, rows, 1, num_features_, true};
  std::vector<double> mean, var;
  if (!this->is_training()) {
    const T* rm = running_mean_.value().data();
    const T* rv = running_var_.value().data();
    mean.assign(rm, rm + num_features_);
    var.assign(rv, rv + num_features_);
    return normalize(x, weight_, bias_, layout, mean, var, eps_, false, "batch_norm");
  }
  if (rows < 2)
    throw std::invalid_argument("BatchNorm1d: expected more than 1 value per feature when training, got input of shape " +
                                shape_to_string(x.shape()) + " (use eval() to apply the running statistics)");
  group_stats(x.value().data(), layout, mean, var);
  T* rm = running_mean_.mutable_value().data();
  T* rv = running_var_.mutable_value().data();
  const double m = momentum_, unbias = static_cast<double>(rows) / static_cast<double>(rows - 1);
  for (std::size_t j = 0; j < num_features_; ++j) {
    rm[j] = static_cast<T>((1 - m) * rm[j] + m * mean[j]);
    rv[j] = static_cast<T>((1 - m) * rv[j] + m * var[j] * unbias);
  }
  return normalize(x, weight_, bias_, layout, mean, var, eps_, true, "batch_norm");
}

template <class T>
LayerConfig BatchNorm1d<T>::config() const {
  return {"BatchNorm1d", {{"num_features", double(num_features_)}, {"momentum", momentum_}, {"eps", eps_}}, {}};
}

template <class T>
LayerNorm<T>::LayerNorm(std::size_t normalized_shape, double eps) : features_(normalized_shape), eps_(eps) {
  if (normalized_shape == 0) throw std::invalid_argument("LayerNorm: normalized_shape must be >= 1");
  check_eps("LayerNorm", eps);
  weight_ = this->register_parameter("weight", Variable<T>(Tensor<T>(xt::ones<T>({features_})), true));
  bias_ = this->register_parameter("bias", Variable<T>(Tensor<T>(xt::zeros<T>({features_})), true));
}

template <class T>
Variable<T> LayerNorm<T>::forward(const Variable<T>& x) {
  if (x.dim() == 0 || x.shape().back() != features_)
    throw std::invalid_argument("LayerNorm(" + std::to_string(features_) + "): input has shape " +
                                shape_to_string(x.shape()) + ", expected [..., " + std::to_string(features_) + "]");
  const Layout layout{x.size() / features_, features_, features_, 1, false};
  std::vector<double> mean, var;
  group_stats(x.value().data(), layout, mean, var);
  return normalize(x, weight_, bias_, layout, mean, var, eps_, true, "layer_norm");
}

template <class T>
LayerConfig LayerNorm<T>::config() const {
  return {"LayerNorm", {{"normalized_shape", double(features_)}, {"eps", eps_}}, {}};
}

template class BatchNorm1d<float>;
template class BatchNorm1d<double>;
template class LayerNorm<float>;
template class LayerNorm<double>;

}  // namespace xgrad
