#pragma once
// The workloads of the benchmark suite, defined once for the C++ sides
// (xgrad and LibTorch); bench/torch_bench.py re-implements the same
// definitions in Python. Plain C++: no xgrad, no torch.
//
// Data are generated, not drawn from a library's random generator, so that
// every side sees the same numbers bit for bit:
//   hash(seed, i)   = splitmix64 finaliser of seed * 2^32 + i + 1 (golden-ratio step)
//   uniform(seed, i, lo, hi) = lo + (hi - lo) * (top 24 bits of the hash) / 2^24,
//                     computed in double and rounded once to float32.
//   lcg(state)      = state * 6364136223846793005 + 1442695040888963407 (mod 2^64);
//                     Fisher-Yates below uses (state >> 33) % (i + 1).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace bench {

// W1: every activation on 4096 x 1024 = 4,194,304 float32 values in [-5, 5].
inline constexpr std::size_t kW1Rows = 4096, kW1Cols = 1024, kW1Elements = kW1Rows * kW1Cols;
// W4: Dense 784 -> 256 at batch 128.
inline constexpr std::size_t kW4Batch = 128, kW4In = 784, kW4Out = 256;
// W5: MLP 2-16-16-2, tanh, cross-entropy, SGD lr 0.1, batch 32.
inline constexpr std::size_t kW5Batch = 32;
inline constexpr double kW5LearningRate = 0.1;
// W6: digits 64-128-64-10 relu, Adam lr 1e-3, batch 64, 30 epochs, X / 16, split 1437 / 360.
inline constexpr std::size_t kW6Train = 1437, kW6Test = 360, kW6Batch = 64, kW6Epochs = 30;
inline constexpr double kW6LearningRate = 1e-3;
inline constexpr std::uint64_t kW6SplitSeed = 0, kW6ShuffleSeed = 7;

// W8: models the other workloads do not name (issue 13), one training step (or pass) each:
//   mnist_mlp_step:   784-256-128-10 relu, Adam lr 1e-3, batch 128; x (seed 10, [0, 1]), label hash(11, i) % 10.
//   deep_narrow_step: 32-64-64-64-64-4, hidden layers alternating a per-feature PReLU (64 alphas, 0.25) and
//                     gelu, SGD lr 0.01 momentum 0.9, batch 256; x (seed 12, [-1, 1]), label hash(13, i) % 4.
//   batched_inference: 64-128-64-10 relu forward on 8192 rows (seed 14, [0, 1]) without a graph.
//   float64_regression_step: 10-64-64-1 tanh in float64, mse, Adam lr 1e-3, batch 64; x (seed 15, [-1, 1]),
//                     y (seed 16, [-1, 1]), both the float32 values widened.
// Each side initialises its weights its own way (the step's cost does not depend on them).
inline constexpr std::size_t kW8MnistBatch = 128, kW8DeepBatch = 256, kW8InferenceRows = 8192, kW8RegressionBatch = 64;

inline std::uint64_t hash(std::uint64_t seed, std::uint64_t i) {
  std::uint64_t z = (seed << 32) + i + 1;
  z *= 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

inline float uniform(std::uint64_t seed, std::uint64_t i, double lo, double hi) {
  const double u = static_cast<double>(hash(seed, i) >> 40) * 0x1p-24;
  return static_cast<float>(lo + (hi - lo) * u);
}

inline std::vector<float> uniform_vector(std::uint64_t seed, std::size_t n, double lo, double hi) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = uniform(seed, i, lo, hi);
  return v;
}

// W1's input (seed 1, [-5, 5]) and upstream gradient (seed 2, [-1, 1]).
inline std::vector<float> w1_input() { return uniform_vector(1, kW1Elements, -5, 5); }
inline std::vector<float> w1_upstream() { return uniform_vector(2, kW1Elements, -1, 1); }
// W4: x (seed 3), weight [in, out] (seed 4, +-1/sqrt(in)), upstream (seed 5); bias 0.
// W5: x [32, 2] (seed 6, [-1, 1]); label = x0 * x1 > 0.
inline std::vector<std::int64_t> w5_labels(const std::vector<float>& x) {
  std::vector<std::int64_t> labels(kW5Batch);
  for (std::size_t b = 0; b < kW5Batch; ++b) labels[b] = x[2 * b] * x[2 * b + 1] > 0 ? 1 : 0;
  return labels;
}

inline std::uint64_t lcg(std::uint64_t& state) {
  state = state * 6364136223846793005ull + 1442695040888963407ull;
  return state;
}

/// Fisher-Yates with the LCG: the same permutation on every side.
inline std::vector<std::size_t> permutation(std::size_t n, std::uint64_t& state) {
  std::vector<std::size_t> p(n);
  for (std::size_t i = 0; i < n; ++i) p[i] = i;
  for (std::size_t i = n; i-- > 1;) {
    const std::size_t j = static_cast<std::size_t>((lcg(state) >> 33) % (i + 1));
    std::swap(p[i], p[j]);
  }
  return p;
}

/// data/digits.csv: a header, then 64 pixel values and the digit per row.
struct Digits {
  std::vector<float> x;  // [rows, 64], divided by 16
  std::vector<std::int64_t> y;
  std::size_t rows = 0;
};

inline Digits load_digits(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::string line;
  std::getline(in, line);
  Digits d;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::stringstream cells(line);
    std::string cell;
    std::vector<double> values;
    while (std::getline(cells, cell, ',')) values.push_back(std::stod(cell));
    if (values.size() != 65) throw std::runtime_error("digits: a row without 65 fields");
    for (std::size_t k = 0; k < 64; ++k) d.x.push_back(static_cast<float>(values[k] / 16.0));
    d.y.push_back(static_cast<std::int64_t>(values[64]));
    ++d.rows;
  }
  return d;
}

/// W6's split and the 30 epochs' batch orders, all from the LCG: the first
/// 1437 rows of the permutation train, the last 360 test.
struct DigitsPlan {
  std::vector<std::size_t> train, test;
  std::vector<std::vector<std::size_t>> epoch_orders;  // positions into `train`
};

inline DigitsPlan digits_plan(std::size_t rows) {
  if (rows != kW6Train + kW6Test) throw std::runtime_error("digits: expected 1797 rows");
  DigitsPlan plan;
  std::uint64_t split_state = kW6SplitSeed;
  const std::vector<std::size_t> p = permutation(rows, split_state);
  plan.train.assign(p.begin(), p.begin() + kW6Train);
  plan.test.assign(p.begin() + kW6Train, p.end());
  std::uint64_t shuffle_state = kW6ShuffleSeed;
  for (std::size_t e = 0; e < kW6Epochs; ++e) plan.epoch_orders.push_back(permutation(kW6Train, shuffle_state));
  return plan;
}

/// Peak resident memory of this process (VmHWM), MiB.
inline double peak_rss_mib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return -1;
}

// W8's labels: hash(seed, i) % classes.
inline std::vector<std::int64_t> hashed_labels(std::uint64_t seed, std::size_t n, std::uint64_t classes) {
  std::vector<std::int64_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::int64_t>(hash(seed, i) % classes);
  return v;
}

}  // namespace bench
