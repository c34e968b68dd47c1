// The memory-bound kernels' streaming stores (rectifier_kernels.inc): with the
// threshold lowered so that every pass streams, every instruction-set build
// writes exactly what it writes without them, on outputs at every alignment.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "xgrad/core/activations/catalogue.hpp"
#include "xgrad/core/kernels.hpp"

namespace {

namespace k = xgrad::kernels;

struct Restore {
  std::string isa = k::isa();
  std::size_t bytes = k::streaming_store_bytes();
  ~Restore() {
    k::use_isa(isa);
    k::set_streaming_store_bytes(bytes);
  }
};

template <class T>
T* aligned(T* p) { return p + (64 - reinterpret_cast<std::uintptr_t>(p) % 64) % 64 / sizeof(T); }

/// run(out) with ordinary stores, then streaming ones, starting at each element offset of a 64-byte line.
template <class T, class Run>
void same_either_way(std::size_t n, const std::vector<T>& init, Run run) {
  for (std::size_t offset = 0; offset < 64 / sizeof(T); offset += 3) {
    CAPTURE(offset);
    std::vector<T> plain(n + 32), streamed(n + 32);
    T* a = aligned(plain.data()) + offset;
    T* b = aligned(streamed.data()) + offset;
    std::memcpy(a, init.data(), n * sizeof(T));
    std::memcpy(b, init.data(), n * sizeof(T));
    k::set_streaming_store_bytes(~std::size_t(0));
    run(a);
    k::set_streaming_store_bytes(1);
    run(b);
    CHECK(std::memcmp(a, b, n * sizeof(T)) == 0);
  }
}

}  // namespace

TEST_CASE("streaming stores write what ordinary ones write (relu, leaky_relu, prelu, piecewise-linear, softmax rows)") {
  Restore restore;
  const std::size_t n = 1000 * 16 + 7;  // past the kernels' prefetch distance, with a tail
  std::vector<float> x(n), g(n), init(n);
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = static_cast<float>(std::sin(i * 0.37) * 5);
    g[i] = static_cast<float>(std::cos(i * 0.11));
    init[i] = static_cast<float>(i % 5);
  }
  x[3] = std::nanf("");
  const std::vector<float> alpha(1024, 0.25f);
  for (const std::string& isa : k::available_isas()) {
    REQUIRE(k::use_isa(isa));
    CAPTURE(isa);
    same_either_way(n, init, [&](float* y) { k::relu_forward(x.data(), y, n); });
    same_either_way(n, init, [&](float* y) { k::leaky_relu_forward(x.data(), y, n, 0.01); });
    for (bool accumulate : {false, true}) {
      same_either_way(n, init, [&](float* dx) { k::relu_backward(x.data(), g.data(), dx, n, accumulate); });
      same_either_way(n, init, [&](float* dx) { k::leaky_relu_backward(x.data(), g.data(), dx, n, 0.01, accumulate); });
    }
    for (const std::size_t features : {std::size_t(1024), std::size_t(16), std::size_t(37)}) {
      const std::size_t rows = n / features;
      same_either_way(rows * features, init, [&](float* y) { k::prelu_rows_forward(x.data(), alpha.data(), y, rows, features); });
    }
    for (const std::size_t cols : {std::size_t(1024), std::size_t(48), std::size_t(37)}) {
      CAPTURE(cols);
      const std::size_t rows = n / cols, m = rows * cols;
      same_either_way(m, init, [&](float* y) { k::softmax_rows(x.data(), y, rows, cols); });
      same_either_way(m, init, [&](float* y) { k::log_softmax_rows(x.data(), y, rows, cols); });
      same_either_way(m, init, [&](float* y) { k::softmin_rows(x.data(), y, rows, cols); });
      for (bool accumulate : {false, true}) {
        same_either_way(m, init, [&](float* dx) { k::softmax_backward_rows(init.data(), g.data(), dx, rows, cols, accumulate); });
        same_either_way(m, init, [&](float* dx) { k::log_softmax_backward_rows(x.data(), g.data(), dx, rows, cols, accumulate); });
        same_either_way(m, init, [&](float* dx) { k::softmin_backward_rows(init.data(), g.data(), dx, rows, cols, accumulate); });
      }
    }
    for (xgrad::Act f : {xgrad::Act::hardtanh, xgrad::Act::hardsigmoid, xgrad::Act::hardswish, xgrad::Act::hardshrink,
                         xgrad::Act::relu6, xgrad::Act::threshold, xgrad::Act::softshrink}) {
      CAPTURE(xgrad::activation_info(f).name);
      xgrad::ActivationParams p = xgrad::default_params(f);
      if (f == xgrad::Act::threshold) p.v[0] = 0.5, p.v[1] = -2.0;
      same_either_way(n, init, [&](float* y) { k::activation_forward<float>(f, x.data(), y, n, p); });
      for (bool accumulate : {false, true})
        same_either_way(n, init, [&](float* dx) {
          k::activation_backward<float>(f, x.data(), g.data(), dx, n, accumulate, p);
        });
    }
  }
}

TEST_CASE("float64 activations: streaming stores write what ordinary ones write, every elementwise activation") {
  Restore restore;
  const std::size_t n = 1000 * 8 + 5;
  std::vector<double> x(n), g(n), init(n);
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = std::sin(i * 0.37) * 5;
    g[i] = std::cos(i * 0.11);
    init[i] = static_cast<double>(i % 5);
  }
  x[3] = std::nan("");
  for (const std::string& isa : k::available_isas()) {
    REQUIRE(k::use_isa(isa));
    CAPTURE(isa);
    for (const xgrad::ActivationInfo& a : xgrad::activation_catalogue()) {
      if (a.shape != xgrad::ActivationShape::elementwise) continue;
      CAPTURE(a.name);
      xgrad::ActivationParams p = xgrad::default_params(a.id);
      if (a.id == xgrad::Act::threshold) p.v[0] = 0.5, p.v[1] = -2.0;
      same_either_way(n, init, [&](double* y) { k::activation_forward<double>(a.id, x.data(), y, n, p); });
      for (bool accumulate : {false, true})
        same_either_way(n, init, [&](double* dx) {
          k::activation_backward<double>(a.id, x.data(), g.data(), dx, n, accumulate, p);
        });
    }
  }
}
