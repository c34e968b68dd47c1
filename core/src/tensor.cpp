#include "xgrad/core/tensor.hpp"

#include <sstream>

#include <xtensor/xreducer.hpp>
#include <xtensor/xmath.hpp>

namespace xgrad {

std::string shape_to_string(const Shape& shape) {
  std::ostringstream out;
  out << '[';
  for (std::size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << ']';
  return out.str();
}

std::size_t element_count(const Shape& shape) {
  std::size_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* what) {
  const std::size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::size_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const std::size_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      throw std::invalid_argument(std::string(what) + ": shapes " + shape_to_string(a) + " and " +
                                  shape_to_string(b) + " do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::size_t normalize_axis(long axis, std::size_t rank, const char* what) {
  const long r = static_cast<long>(rank);
  if (axis < -r || axis >= r)
    throw std::invalid_argument(std::string(what) + ": axis " + std::to_string(axis) +
                                " is out of range for a tensor of rank " + std::to_string(rank));
  return static_cast<std::size_t>(axis < 0 ? axis + r : axis);
}

template <class T>
Tensor<T> sum_to_shape(const Tensor<T>& grad, const Shape& target) {
  const Shape from = to_shape(grad.shape());
  if (from == target) return grad;
  const std::size_t lead = from.size() - target.size();
  std::vector<std::size_t> axes;
  for (std::size_t i = 0; i < from.size(); ++i)
    if (i < lead || (target[i - lead] == 1 && from[i] != 1)) axes.push_back(i);
  Tensor<T> reduced = xt::sum(grad, axes, xt::evaluation_strategy::immediate);
  reduced.reshape(target);
  return reduced;
}

template Tensor<float> sum_to_shape(const Tensor<float>&, const Shape&);
template Tensor<double> sum_to_shape(const Tensor<double>&, const Shape&);

}  // namespace xgrad
