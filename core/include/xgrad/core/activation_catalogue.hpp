#pragma once
/// The definitions written wholly in the policy form (activations/policy.hpp:
/// one f and f' for float64, float32 and the SIMD kernels), drawn from the one
/// list of activations/catalogue.hpp: every elementwise activation without a
/// hand-written kernel but the identity. tests/test_catalogue_exactness.cpp
/// checks each against tests/data/catalogue_reference.csv (tools/catalogue_exact.py).
#include <tuple>
#include <type_traits>

#include "xgrad/core/activations/catalogue.hpp"

namespace xgrad::math {

namespace detail {
template <class Tuple>
struct policy_form;
template <class... D>
struct policy_form<std::tuple<D...>> {
  using type = decltype(std::tuple_cat(
      std::conditional_t<!tuned_kernel_v<D> && !std::is_same_v<D, Linear>, std::tuple<D>, std::tuple<>>{}...));
};
}  // namespace detail

using CatalogueDefinitions = typename detail::policy_form<ElementwiseDefinitions>::type;

}  // namespace xgrad::math
