#pragma once
/// Differentiable tensor ops. Binary ops broadcast like NumPy; their
/// gradients are summed back to each input's shape. Each op's backward is
/// written next to its forward in src/ops.cpp.
#include <cstdint>
#include <vector>

#include "xgrad/autograd/variable.hpp"

namespace xgrad {

template <class T> Variable<T> add(const Variable<T>& a, const Variable<T>& b);
template <class T> Variable<T> sub(const Variable<T>& a, const Variable<T>& b);
template <class T> Variable<T> mul(const Variable<T>& a, const Variable<T>& b);
template <class T> Variable<T> div(const Variable<T>& a, const Variable<T>& b);
template <class T> Variable<T> neg(const Variable<T>& a);
/// [m, k] @ [k, n] -> [m, n]; a 1-D operand is a row (left) or a column (right), as in NumPy.
template <class T> Variable<T> matmul(const Variable<T>& a, const Variable<T>& b);
/// x @ weight + bias in one node: x [batch, in], weight [in, out], bias [out]
/// (or an empty Variable for none). Backward: dx += g W^T, dW += x^T g,
/// db += sum over the batch of g, all through BLAS without temporaries.
template <class T> Variable<T> linear(const Variable<T>& x, const Variable<T>& weight, const Variable<T>* bias);
/// Reverses the axes ([m, n] -> [n, m]).
template <class T> Variable<T> transpose(const Variable<T>& a);
/// Same elements, new shape; throws std::invalid_argument if the sizes differ.
template <class T> Variable<T> reshape(const Variable<T>& a, const Shape& shape);
/// The sum of all elements (a 0-d result).
template <class T> Variable<T> sum(const Variable<T>& a);
/// The sum along one axis (negative counts from the end).
template <class T> Variable<T> sum(const Variable<T>& a, long axis, bool keepdims = false);
template <class T> Variable<T> mean(const Variable<T>& a);
template <class T> Variable<T> mean(const Variable<T>& a, long axis, bool keepdims = false);
template <class T> Variable<T> exp(const Variable<T>& a);
/// Natural log; log of a negative number is NaN, of 0 is -inf (as NumPy).
template <class T> Variable<T> log(const Variable<T>& a);
/// a^exponent, elementwise; d/da = exponent a^(exponent - 1).
template <class T> Variable<T> pow(const Variable<T>& a, double exponent);

/// Square root; d/da = 1 / (2 sqrt(a)) (inf at 0 as PyTorch; NaN below 0, as NumPy).
template <class T> Variable<T> sqrt(const Variable<T>& a);
/// |a|; d/da = sign(a), 0 at 0 (as PyTorch).
template <class T> Variable<T> abs(const Variable<T>& a);
/// min(max(a, min), max); the gradient passes where min <= a <= max (bounds
/// included, as PyTorch). Either bound may be infinite; a NaN bound or
/// min > max is a std::invalid_argument.
template <class T> Variable<T> clamp(const Variable<T>& a, double min, double max);
/// Elementwise max / min with broadcasting; NaN propagates. At ties the
/// gradient is split half and half (as PyTorch).
template <class T> Variable<T> maximum(const Variable<T>& a, const Variable<T>& b);
template <class T> Variable<T> minimum(const Variable<T>& a, const Variable<T>& b);
/// Joins tensors along `axis` (negative counts from the end); all must have
/// the same rank and the same sizes on the other axes (torch.cat).
template <class T> Variable<T> concat(const std::vector<Variable<T>>& inputs, long axis = 0);
/// The elements start .. stop - 1 along `axis` (a[start:stop] there); negative
/// start or stop count from the end; out of range or start > stop throws.
template <class T> Variable<T> slice(const Variable<T>& a, long axis, long start, long stop);
/// The entries `indices` along `axis`, in that order, repeats allowed
/// (torch.index_select; rows by a list: index_select(x, 0, {2, 0, 2})). The
/// gradient of a repeated index adds up.
template <class T> Variable<T> index_select(const Variable<T>& a, long axis, const std::vector<std::int64_t>& indices);

/// a broadcast to `shape` (NumPy's rules; torch.broadcast_to); backward sums back.
template <class T> Variable<T> broadcast_to(const Variable<T>& a, const Shape& shape);
/// The sum of a over the axes that broadcasting to its shape added or
/// stretched, giving `shape` (torch's Tensor.sum_to_size); backward broadcasts.
template <class T> Variable<T> sum_to_size(const Variable<T>& a, const Shape& shape);

/// A constant (requires_grad = false) of the same dtype, 0-d.
template <class T> Variable<T> constant(T value) { return Variable<T>(Tensor<T>(value)); }

template <class T> Variable<T> operator+(const Variable<T>& a, const Variable<T>& b) { return add(a, b); }
template <class T> Variable<T> operator-(const Variable<T>& a, const Variable<T>& b) { return sub(a, b); }
template <class T> Variable<T> operator*(const Variable<T>& a, const Variable<T>& b) { return mul(a, b); }
template <class T> Variable<T> operator/(const Variable<T>& a, const Variable<T>& b) { return div(a, b); }
template <class T> Variable<T> operator-(const Variable<T>& a) { return neg(a); }
template <class T> Variable<T> operator+(const Variable<T>& a, T b) { return add(a, constant(b)); }
template <class T> Variable<T> operator+(T a, const Variable<T>& b) { return add(constant(a), b); }
template <class T> Variable<T> operator-(const Variable<T>& a, T b) { return sub(a, constant(b)); }
template <class T> Variable<T> operator-(T a, const Variable<T>& b) { return sub(constant(a), b); }
template <class T> Variable<T> operator*(const Variable<T>& a, T b) { return mul(a, constant(b)); }
template <class T> Variable<T> operator*(T a, const Variable<T>& b) { return mul(constant(a), b); }
template <class T> Variable<T> operator/(const Variable<T>& a, T b) { return div(a, constant(b)); }
template <class T> Variable<T> operator/(T a, const Variable<T>& b) { return div(constant(a), b); }

}  // namespace xgrad
