#include "xgrad/core/random.hpp"

#include <cmath>
#include <stdexcept>

namespace xgrad {

double Generator::normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  double u, v, s;
  do {
    u = 2.0 * uniform01() - 1.0;
    v = 2.0 * uniform01() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double factor = std::sqrt(-2.0 * std::log(s) / s);
  spare_normal_ = v * factor;
  has_spare_normal_ = true;
  return u * factor;
}

std::int64_t Generator::integer(std::int64_t low, std::int64_t high) {
  if (high <= low)
    throw std::invalid_argument("Generator::integer: empty range [" + std::to_string(low) + ", " +
                                std::to_string(high) + ")");
  const std::uint64_t range = static_cast<std::uint64_t>(high - low);
  const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() -
                              std::numeric_limits<std::uint64_t>::max() % range;
  std::uint64_t r;
  do r = engine_(); while (r >= limit);
  return low + static_cast<std::int64_t>(r % range);
}

std::vector<std::size_t> Generator::permutation(std::size_t n) {
  std::vector<std::size_t> p(n);
  for (std::size_t i = 0; i < n; ++i) p[i] = i;
  for (std::size_t i = n; i > 1; --i) std::swap(p[i - 1], p[static_cast<std::size_t>(integer(0, i))]);
  return p;
}

template <class T>
Tensor<T> Generator::uniform_tensor(const Shape& shape, double low, double high) {
  Tensor<T> t = Tensor<T>::from_shape(shape);
  for (auto& v : t) v = static_cast<T>(uniform(low, high));
  return t;
}

template <class T>
Tensor<T> Generator::normal_tensor(const Shape& shape, double mean, double stddev) {
  Tensor<T> t = Tensor<T>::from_shape(shape);
  for (auto& v : t) v = static_cast<T>(mean + stddev * normal());
  return t;
}

template <class T>
Tensor<T> Generator::integer_tensor(const Shape& shape, std::int64_t low, std::int64_t high) {
  Tensor<T> t = Tensor<T>::from_shape(shape);
  for (auto& v : t) v = static_cast<T>(integer(low, high));
  return t;
}

#define XGRAD_INSTANTIATE(T)                                                          \
  template Tensor<T> Generator::uniform_tensor<T>(const Shape&, double, double);      \
  template Tensor<T> Generator::normal_tensor<T>(const Shape&, double, double);       \
  template Tensor<T> Generator::integer_tensor<T>(const Shape&, std::int64_t, std::int64_t);
XGRAD_INSTANTIATE(float)
XGRAD_INSTANTIATE(double)
#undef XGRAD_INSTANTIATE

Generator& default_generator() {
  static Generator generator(0);
  return generator;
}

void manual_seed(std::uint64_t seed) { default_generator().seed(seed); }

}  // namespace xgrad
