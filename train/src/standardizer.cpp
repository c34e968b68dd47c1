#include "xgrad/train/standardizer.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace xgrad {

void Standardizer::fit(const Tensor<double>& x) {
  if (x.dimension() != 2 || x.shape(0) == 0)
    throw std::invalid_argument("Standardizer::fit: expected a [rows, features] matrix with at least one row, got shape " +
                                shape_of(x));
  const std::size_t rows = x.shape(0), features = x.shape(1);
  mean = Tensor<double>::from_shape({features});
  scale = Tensor<double>::from_shape({features});
  for (std::size_t f = 0; f < features; ++f) {
    double sum = 0, low = x(0, f), high = x(0, f);
    for (std::size_t r = 0; r < rows; ++r) {
      sum += x(r, f);
      low = std::min(low, x(r, f));
      high = std::max(high, x(r, f));
    }
    mean(f) = sum / static_cast<double>(rows);
    double squares = 0;  // two passes: accurate even when the mean is large
    for (std::size_t r = 0; r < rows; ++r) squares += (x(r, f) - mean(f)) * (x(r, f) - mean(f));
    // A constant column gets scale 1; testing low == high (not std == 0) also
    // catches the rounding noise of a mean like 0.1.
    scale(f) = low == high ? 1.0 : std::sqrt(squares / static_cast<double>(rows));
  }
}

Tensor<double> Standardizer::transform(const Tensor<double>& x) const {
  if (!fitted()) throw std::logic_error("Standardizer::transform: the standardizer is not fitted");
  if (x.dimension() != 2 || x.shape(1) != mean.size())
    throw std::invalid_argument("Standardizer::transform: input of shape " + shape_of(x) +
                                " does not match the fitted feature shape " + shape_of(mean) +
                                " (expected [rows, " + std::to_string(mean.size()) + "])");
  Tensor<double> out = Tensor<double>::from_shape(x.shape());
  for (std::size_t r = 0; r < x.shape(0); ++r)
    for (std::size_t f = 0; f < x.shape(1); ++f) out(r, f) = (x(r, f) - mean(f)) / scale(f);
  return out;
}

bool Standardizer::fitted() const {
  return mean.dimension() == 1 && scale.dimension() == 1 && mean.size() == scale.size();
}

}  // namespace xgrad
