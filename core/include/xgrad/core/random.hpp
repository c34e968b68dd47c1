#pragma once
/// One seedable random source: every random result in xgrad (initialisation,
/// shuffling, data splits, examples) comes from a Generator, so a seed
/// reproduces a run bit for bit on the same platform.
#include <cstdint>
#include <random>
#include <vector>

#include "xgrad/core/tensor.hpp"

namespace xgrad {

class Generator {
 public:
  explicit Generator(std::uint64_t seed = 0) : engine_(seed) {}
  void seed(std::uint64_t seed) { engine_.seed(seed); has_spare_normal_ = false; }

  /// Uniform in [0, 1) with 53 random bits.
  double uniform01() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  /// Uniform in [low, high).
  double uniform(double low, double high) { return low + (high - low) * uniform01(); }
  /// Standard normal (Marsaglia's polar method; the second value is kept).
  double normal();
  /// Uniform integer in [low, high); unbiased (rejection sampling).
  std::int64_t integer(std::int64_t low, std::int64_t high);
  /// A uniformly random permutation of 0..n-1 (Fisher-Yates).
  std::vector<std::size_t> permutation(std::size_t n);

  template <class T>
  Tensor<T> uniform_tensor(const Shape& shape, double low, double high);
  template <class T>
  Tensor<T> normal_tensor(const Shape& shape, double mean = 0.0, double stddev = 1.0);
  /// Integers in [low, high) as a tensor of T (NumPy's random.choice(range(low, high), n)).
  template <class T>
  Tensor<T> integer_tensor(const Shape& shape, std::int64_t low, std::int64_t high);

 private:
  std::mt19937_64 engine_;
  bool has_spare_normal_ = false;
  double spare_normal_ = 0.0;
};

/// The process-wide generator used when no generator is passed explicitly.
Generator& default_generator();
/// Seeds the process-wide generator.
void manual_seed(std::uint64_t seed);

}  // namespace xgrad
