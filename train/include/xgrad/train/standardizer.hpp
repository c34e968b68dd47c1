#pragma once
/// Feature standardization: (x - mean) / scale per column, like scikit-learn's
/// StandardScaler (population standard deviation).
#include <xgrad/core/tensor.hpp>

namespace xgrad {

/// Per-column standardization of [rows, features] matrices. Fit it on the
/// training split only, then transform every split with the same statistics.
/// mean and scale are public so that a saved model can restore them.
struct Standardizer {
  Tensor<double> mean;   ///< [features]
  Tensor<double> scale;  ///< [features]; 1 for constant columns, so there is no division by zero

  /// Computes mean and scale from `x` ([rows >= 1, features]); throws
  /// std::invalid_argument naming the shape otherwise.
  void fit(const Tensor<double>& x);

  /// Returns (x - mean) / scale for `x` of shape [rows, features]; throws
  /// std::invalid_argument naming both shapes when they do not match, and
  /// std::logic_error when not fitted.
  Tensor<double> transform(const Tensor<double>& x) const;

  /// Whether mean and scale are set (by fit, or restored from a saved model).
  bool fitted() const;
};

}  // namespace xgrad
