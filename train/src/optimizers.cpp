#include "xgrad/train/optimizers.hpp"
#include "xgrad/core/kernels.hpp"
#include "xgrad/core/parallel.hpp"
#include "xgrad/core/format.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include <xtensor/xbuilder.hpp>

namespace xgrad {

namespace {
void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}
void check_lr(double lr, const char* who) {
  require(std::isfinite(lr) && lr > 0, std::string(who) + ": the learning rate must be a finite number > 0, got " + number_to_string(lr));
}
}  // namespace

void OptimizerBase::set_learning_rate(double lr) {
  require(std::isfinite(lr) && lr >= 0, "set_learning_rate: the learning rate must be a finite number >= 0, got " + number_to_string(lr));
  lr_ = lr;
}

template <class T>
Optimizer<T>::Optimizer(std::vector<Variable<T>> parameters) : parameters_(std::move(parameters)) {}

template <class T>
void Optimizer<T>::zero_grad() {
  for (auto& p : parameters_) p.zero_grad();
}

template <class T>
SGD<T>::SGD(std::vector<Variable<T>> parameters, double lr, double momentum, double weight_decay, bool nesterov)
    : Optimizer<T>(std::move(parameters)), momentum_(momentum), weight_decay_(weight_decay), nesterov_(nesterov) {
  check_lr(lr, "SGD");
  require(std::isfinite(momentum) && momentum >= 0 && momentum < 1, "SGD: momentum must be in [0, 1), got " + number_to_string(momentum));
  require(std::isfinite(weight_decay) && weight_decay >= 0, "SGD: weight_decay must be >= 0, got " + number_to_string(weight_decay));
  require(!nesterov || momentum > 0, "SGD: nesterov needs a momentum > 0");
  this->lr_ = lr;
  for (auto& p : this->parameters_) velocity_.push_back(xt::zeros<T>(p.value().shape()));
}

template <class T>
void SGD<T>::step() {
  ++this->iterations_;
  const T lr = static_cast<T>(this->lr_), mu = static_cast<T>(momentum_), wd = static_cast<T>(weight_decay_);
  for (std::size_t k = 0; k < this->parameters_.size(); ++k) {
    Variable<T>& p = this->parameters_[k];
    if (!p.has_grad()) continue;
    T* w = p.mutable_value().data();
    const T* g = p.grad().data();
    T* v = velocity_[k].data();
    const std::size_t n = p.size();
    if (mu == T(0)) {  // the plain step: a loop the compiler vectorises
      parallel::for_range(n, parallel::kGrainCheap, [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) w[i] -= lr * (g[i] + wd * w[i]);
      });
      continue;
    }
    const bool started = started_, nesterov = nesterov_;
    parallel::for_range(n, parallel::kGrainCheap, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) {
        const T d = g[i] + wd * w[i];
        v[i] = started ? mu * v[i] + d : d;
        w[i] -= lr * (nesterov ? d + mu * v[i] : v[i]);
      }
    });
  }
  started_ = true;
}

template <class T>
Adam<T>::Adam(std::vector<Variable<T>> parameters, double lr, double beta1, double beta2, double eps, double weight_decay)
    : Optimizer<T>(std::move(parameters)), beta1_(beta1), beta2_(beta2), eps_(eps), weight_decay_(weight_decay) {
  check_lr(lr, "Adam");
  require(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "Adam: betas must be in [0, 1)");
  require(std::isfinite(eps) && eps > 0, "Adam: eps must be > 0");
  require(std::isfinite(weight_decay) && weight_decay >= 0, "Adam: weight_decay must be >= 0");
  this->lr_ = lr;
  for (auto& p : this->parameters_) {
    m_.push_back(xt::zeros<T>(p.value().shape()));
    v_.push_back(xt::zeros<T>(p.value().shape()));
  }
}

template <class T>
void Adam<T>::step() {
  adam_step(weight_decay_);
}

template <class T>
void Adam<T>::adam_step(double weight_decay) {
  ++this->iterations_;
  ++t_;
  const T b1 = static_cast<T>(beta1_), b2 = static_cast<T>(beta2_), eps = static_cast<T>(eps_);
  const T wd = static_cast<T>(weight_decay);
  const T step_size = static_cast<T>(this->lr_ / (1.0 - std::pow(beta1_, double(t_))));
  const T bias2_sqrt = static_cast<T>(std::sqrt(1.0 - std::pow(beta2_, double(t_))));
  for (std::size_t k = 0; k < this->parameters_.size(); ++k) {
    Variable<T>& p = this->parameters_[k];
    if (!p.has_grad()) continue;
    T* w = p.mutable_value().data();
    const T* g = p.grad().data();
    T* m = m_[k].data();
    T* v = v_[k].data();
    const std::size_t n = p.size();
    // d = g + wd w; m = b1 m + (1 - b1) d; v = b2 v + (1 - b2) d d; w -= step_size m / (sqrt(v) / bias2_sqrt + eps),
    // vectorised (float and double alike).
    kernels::adam_update(w, g, m, v, n, b1, b2, eps, wd, step_size, bias2_sqrt);
  }
}

template <class T>
AdamW<T>::AdamW(std::vector<Variable<T>> parameters, double lr, double beta1, double beta2, double eps, double weight_decay)
    : Adam<T>(std::move(parameters), lr, beta1, beta2, eps, weight_decay) {}

template <class T>
void AdamW<T>::step() {
  const T shrink = static_cast<T>(1.0 - this->lr_ * this->weight_decay_);
  if (this->weight_decay_ != 0)
    for (auto& p : this->parameters_) {
      if (!p.has_grad()) continue;
      T* w = p.mutable_value().data();
      const std::size_t n = p.size();
      parallel::for_range(n, parallel::kGrainCheap, [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) w[i] *= shrink;
      });
    }
  this->adam_step(0.0);
}

template <class T>
RMSprop<T>::RMSprop(std::vector<Variable<T>> parameters, double lr, double alpha, double eps, double weight_decay,
                    double momentum, bool centered)
    : Optimizer<T>(std::move(parameters)), alpha_(alpha), eps_(eps), weight_decay_(weight_decay), momentum_(momentum),
      centered_(centered) {
  check_lr(lr, "RMSprop");
  require(std::isfinite(alpha) && alpha >= 0 && alpha < 1, "RMSprop: alpha must be in [0, 1), got " + number_to_string(alpha));
  require(std::isfinite(eps) && eps > 0, "RMSprop: eps must be > 0, got " + number_to_string(eps));
  require(std::isfinite(weight_decay) && weight_decay >= 0, "RMSprop: weight_decay must be >= 0, got " + number_to_string(weight_decay));
  require(std::isfinite(momentum) && momentum >= 0 && momentum < 1, "RMSprop: momentum must be in [0, 1), got " + number_to_string(momentum));
  this->lr_ = lr;
  for (auto& p : this->parameters_) {
    square_avg_.push_back(xt::zeros<T>(p.value().shape()));
    if (centered) grad_avg_.push_back(xt::zeros<T>(p.value().shape()));
    if (momentum > 0) buffer_.push_back(xt::zeros<T>(p.value().shape()));
  }
}

template <class T>
void RMSprop<T>::step() {
  ++this->iterations_;
  const T lr = static_cast<T>(this->lr_), a = static_cast<T>(alpha_), eps = static_cast<T>(eps_);
  const T wd = static_cast<T>(weight_decay_), mu = static_cast<T>(momentum_);
  for (std::size_t k = 0; k < this->parameters_.size(); ++k) {
    Variable<T>& p = this->parameters_[k];
    if (!p.has_grad()) continue;
    T* w = p.mutable_value().data();
    const T* g = p.grad().data();
    T* s = square_avg_[k].data();
    T* gbar = centered_ ? grad_avg_[k].data() : nullptr;
    T* b = momentum_ > 0 ? buffer_[k].data() : nullptr;
    const std::size_t n = p.size();
    parallel::for_range(n, parallel::kGrainCheap / 4, [&](std::size_t begin, std::size_t end) {
      for (std::size_t i = begin; i < end; ++i) {
        const T d = g[i] + wd * w[i];
        s[i] = a * s[i] + (T(1) - a) * d * d;
        T avg;
        if (gbar) {
          gbar[i] = a * gbar[i] + (T(1) - a) * d;
          avg = std::sqrt(s[i] - gbar[i] * gbar[i]) + eps;
        } else {
          avg = std::sqrt(s[i]) + eps;
        }
        if (b) {
          b[i] = mu * b[i] + d / avg;
          w[i] -= lr * b[i];
        } else {
          w[i] -= lr * d / avg;
        }
      }
    });
  }
}

namespace {
/// sum g_i^2 in double: fixed chunks of parallel::kReduceChunk over the threads, added in chunk order
/// (the same bits on any thread count).
template <class T>
double sum_of_squares(const T* g, std::size_t n) {
  auto partial = [g](std::size_t b, std::size_t e) {
    double s = 0;
    for (std::size_t i = b; i < e; ++i) s += double(g[i]) * g[i];
    return s;
  };
  return parallel::sum_fixed_chunks(n, parallel::kReduceChunk, parallel::threads_for(n, parallel::kGrainCheap), partial);
}
}  // namespace

template <class T>
double clip_grad_norm(const std::vector<Variable<T>>& parameters, double max_norm) {
  require(std::isfinite(max_norm) && max_norm > 0, "clip_grad_norm: max_norm must be a finite number > 0, got " + number_to_string(max_norm));
  double total = 0;
  for (const auto& p : parameters) {
    if (!p.has_grad()) continue;
    total += sum_of_squares(p.grad().data(), p.size());
  }
  const double norm = std::sqrt(total);
  const double coef = max_norm / (norm + 1e-6);
  if (coef < 1)
    for (const auto& p : parameters) {
      if (!p.has_grad()) continue;
      T* g = p.node()->grad.data();
      const T c = static_cast<T>(coef);
      parallel::for_range(p.size(), parallel::kGrainCheap, [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) g[i] *= c;
      });
    }
  return norm;
}

template <class T>
void clip_grad_value(const std::vector<Variable<T>>& parameters, double clip_value) {
  require(std::isfinite(clip_value) && clip_value > 0, "clip_grad_value: clip_value must be a finite number > 0, got " + number_to_string(clip_value));
  const T c = static_cast<T>(clip_value);
  for (const auto& p : parameters) {
    if (!p.has_grad()) continue;
    T* g = p.node()->grad.data();
    parallel::for_range(p.size(), parallel::kGrainCheap, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) g[i] = std::min(std::max(g[i], -c), c);
    });
  }
}

template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const std::string& name, std::vector<Variable<T>> parameters, double lr) {
  if (name == "sgd") return std::make_unique<SGD<T>>(std::move(parameters), lr);
  if (name == "adam") return std::make_unique<Adam<T>>(std::move(parameters), lr);
  if (name == "adamw") return std::make_unique<AdamW<T>>(std::move(parameters), lr);
  if (name == "rmsprop") return std::make_unique<RMSprop<T>>(std::move(parameters), lr);
  throw std::invalid_argument("unknown optimizer '" + name + "' (known: sgd, adam, adamw, rmsprop)");
}

template class Optimizer<float>;
template class Optimizer<double>;
template class SGD<float>;
template class SGD<double>;
template class Adam<float>;
template class Adam<double>;
template class AdamW<float>;
template class AdamW<double>;
template class RMSprop<float>;
template class RMSprop<double>;
template double clip_grad_norm(const std::vector<Variable<float>>&, double);
template double clip_grad_norm(const std::vector<Variable<double>>&, double);
template void clip_grad_value(const std::vector<Variable<float>>&, double);
template void clip_grad_value(const std::vector<Variable<double>>&, double);
template std::unique_ptr<Optimizer<float>> make_optimizer(const std::string&, std::vector<Variable<float>>, double);
template std::unique_ptr<Optimizer<double>> make_optimizer(const std::string&, std::vector<Variable<double>>, double);

}  // namespace xgrad
