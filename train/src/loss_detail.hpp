#pragma once
// Shared by losses.cpp and more_losses.cpp.
#include <cstdint>
#include <vector>

#include "xgrad/autograd/variable.hpp"

namespace xgrad::detail {
/// cross_entropy with label smoothing > 0 (float32 and float64 alike).
template <class T>
Variable<T> smoothed_cross_entropy(const Variable<T>& logits, const std::vector<std::int64_t>& labels, double smoothing);
}  // namespace xgrad::detail
