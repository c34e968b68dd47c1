#pragma once
/// The one list of xgrad's activations. Everything that needs the list (the
/// kernels, the autograd ops, the Activation layer and model files, `xgrad
/// eval` / `plot` / `--layers`, the table-driven tests, the benchmark rows)
/// iterates it; adding an activation is one header plus one line below.
///
/// An elementwise activation is a struct (one header each, formula in its
/// comment) with:
///   name, torch         its name and the PyTorch expression it matches
///   params              std::array<ParamSpec, N>: names, defaults, domains
///   kinks               the points where f or f' is not smooth
///   f, df               template <class M> static M::V f(M::V x, const double* p),
///                       written once over an arithmetic policy (policy.hpp),
///                       compiled for float64, float32 and the SIMD kernels
///   Float64Math         the policy of the float64 path (ScalarMath<double> or <long double>)
///   d2f                 f'' as a template over the policy (also where f and df are
///                       tuned overloads), PyTorch's double backward at the kinks
///                       (0 on linear pieces and at kinks: relu'' = 0)
///                       (a piecewise-linear one inherits PiecewiseLinear: 0)
/// and optionally Float64SecondMath (the float64 f'' policy, default
/// FastExpLongDoubleMath),
/// alias ("swish"), invalid(p) (a rule across parameters),
/// rectifier = true (He initialisation in `xgrad train`), or
/// tuned_kernel (f and df are plain overloads for float and double, and the
/// float32 arrays have a hand-written kernel in core/src/kernels).
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <tuple>

#include "xgrad/core/activations/celu.hpp"
#include "xgrad/core/activations/elu.hpp"
#include "xgrad/core/activations/gelu.hpp"
#include "xgrad/core/activations/hardshrink.hpp"
#include "xgrad/core/activations/hardsigmoid.hpp"
#include "xgrad/core/activations/hardswish.hpp"
#include "xgrad/core/activations/hardtanh.hpp"
#include "xgrad/core/activations/logsigmoid.hpp"
#include "xgrad/core/activations/mish.hpp"
#include "xgrad/core/activations/param.hpp"
#include "xgrad/core/activations/policy.hpp"
#include "xgrad/core/activations/relu.hpp"
#include "xgrad/core/activations/relu6.hpp"
#include "xgrad/core/activations/selu.hpp"
#include "xgrad/core/activations/sigmoid.hpp"
#include "xgrad/core/activations/silu.hpp"
#include "xgrad/core/activations/softmax.hpp"
#include "xgrad/core/activations/softplus.hpp"
#include "xgrad/core/activations/softshrink.hpp"
#include "xgrad/core/activations/softsign.hpp"
#include "xgrad/core/activations/squareplus.hpp"
#include "xgrad/core/activations/tanh.hpp"
#include "xgrad/core/activations/tanhshrink.hpp"
#include "xgrad/core/activations/threshold.hpp"

// X(definition struct in xgrad::math, name): f and f' per element.
#define XGRAD_ELEMENTWISE_ACTIVATIONS(X)                                                                   \
  X(Linear, linear) X(Sigmoid, sigmoid) X(Tanh, tanh) X(Relu, relu) X(LeakyRelu, leaky_relu)               \
  X(Prelu, prelu) X(Rrelu, rrelu) X(Elu, elu) X(Softplus, softplus) X(Gelu, gelu) X(GeluTanh, gelu_tanh)  \
  X(Selu, selu) X(Celu, celu) X(Silu, silu) X(Mish, mish) X(Hardtanh, hardtanh) X(Relu6, relu6)          \
  X(Hardsigmoid, hardsigmoid) X(Hardswish, hardswish) X(Softsign, softsign) X(Tanhshrink, tanhshrink)    \
  X(Logsigmoid, logsigmoid) X(Softshrink, softshrink) X(Hardshrink, hardshrink) X(Threshold, threshold) \
  X(Squareplus, squareplus)
// X(definition struct, name): functions of a whole lane along an axis.
#define XGRAD_AXIS_ACTIVATIONS(X) X(Softmax, softmax) X(LogSoftmax, log_softmax) X(Softmin, softmin) X(Glu, glu)

namespace xgrad {

/// Every activation, elementwise ones first.
enum class Act : int {
#define XGRAD_ACT_ENUM(S, id) id,
  XGRAD_ELEMENTWISE_ACTIVATIONS(XGRAD_ACT_ENUM) XGRAD_AXIS_ACTIVATIONS(XGRAD_ACT_ENUM)
#undef XGRAD_ACT_ENUM
};

#define XGRAD_ACT_COUNT(S, id) +1
inline constexpr std::size_t kElementwiseActivations = 0 XGRAD_ELEMENTWISE_ACTIVATIONS(XGRAD_ACT_COUNT);
inline constexpr std::size_t kActivations = kElementwiseActivations + 0 XGRAD_AXIS_ACTIVATIONS(XGRAD_ACT_COUNT);
#undef XGRAD_ACT_COUNT

/// The most parameters any activation takes.
inline constexpr std::size_t kMaxActivationParams = 2;

/// Parameter values in the order of the definition's params (unused slots 0).
struct ActivationParams {
  std::array<double, kMaxActivationParams> v{};
  const double* data() const { return v.data(); }
  double operator[](std::size_t i) const { return v[i]; }
};

enum class ActivationShape { elementwise, lane, halves };

struct ActivationInfo {
  Act id;
  const char* name;
  const char* alias;  ///< another accepted name (swish for silu) or nullptr
  ActivationShape shape;
  const char* torch;
  const math::ParamSpec* params;
  std::size_t param_count;
  const double* kinks;
  std::size_t kink_count;
  bool learnable;           ///< prelu: its slope is a learnable tensor
  bool random_in_training;  ///< rrelu: random slopes while training
  bool rectifier;           ///< unbounded above, ~linear for x > 0: He initialisation suits it
  bool tuned_kernel;        ///< its float32 arrays have a hand-written kernel
  std::string (*invalid)(const double*);  ///< a rule across parameters, or nullptr
};

/// Every activation, in the order of Act.
const std::vector<ActivationInfo>& activation_catalogue();
const ActivationInfo& activation_info(Act id);
/// By name or alias; nullptr if unknown.
const ActivationInfo* find_activation(std::string_view name);
/// By name or alias; throws std::invalid_argument listing the known names.
const ActivationInfo& activation_by_name(std::string_view name);
/// "sigmoid, tanh, ..." (for messages and help texts).
std::string activation_name_list();

/// The defaults (a required parameter gets NaN, which check_params refuses).
ActivationParams default_params(Act id);
/// Throws std::invalid_argument naming the activation, the parameter and the value.
void check_params(Act id, const ActivationParams& p);
/// The index of a parameter by name, or -1.
int param_index(Act id, std::string_view name);

namespace detail {
template <class D, class = void>
struct is_tuned : std::false_type {};
template <class D>
struct is_tuned<D, std::void_t<decltype(D::tuned_kernel)>> : std::bool_constant<D::tuned_kernel> {};
template <class D, class = void>
struct float64_math { using type = math::ScalarMath<double>; };
template <class D>
struct float64_math<D, std::void_t<typename D::Float64Math>> { using type = typename D::Float64Math; };
template <class D, class = void>
struct float64_second_math { using type = math::FastExpLongDoubleMath; };
template <class D>
struct float64_second_math<D, std::void_t<typename D::Float64SecondMath>> { using type = typename D::Float64SecondMath; };
}  // namespace detail

/// Every elementwise definition, in the order of the list.
template <class First, class... Rest>
struct drop_first { using type = std::tuple<Rest...>; };
#define XGRAD_ACT_TYPE(S, id) , math::S
using ElementwiseDefinitions = typename drop_first<void XGRAD_ELEMENTWISE_ACTIVATIONS(XGRAD_ACT_TYPE)>::type;
#undef XGRAD_ACT_TYPE

/// True when D's float32 arrays use a hand-written kernel instead of D::f<vector policy>.
template <class D>
inline constexpr bool tuned_kernel_v = detail::is_tuned<D>::value;

/// f(x) and f'(x) of a definition in T (float or double): float32 through
/// ScalarMath<double> rounded once, float64 through the definition's Float64Math.
template <class D, class T>
inline T definition_f(T x, const double* p) {
  if constexpr (tuned_kernel_v<D>) {
    return D::f(x, p);
  } else {
    using M = std::conditional_t<std::is_same_v<T, float>, math::ScalarMath<double>, typename detail::float64_math<D>::type>;
    return static_cast<T>(D::template f<M>(static_cast<typename M::V>(x), p));
  }
}
template <class D, class T>
inline T definition_df(T x, const double* p) {
  if constexpr (tuned_kernel_v<D>) {
    return D::df(x, p);
  } else {
    using M = std::conditional_t<std::is_same_v<T, float>, math::ScalarMath<double>, typename detail::float64_math<D>::type>;
    return static_cast<T>(D::template df<M>(static_cast<typename M::V>(x), p));
  }
}

/// f''(x) of a definition in T: float32 through ScalarMath<double> rounded once,
/// float64 through long double arithmetic with double's exp (FastExpLongDoubleMath:
/// f'' has a few more roundings than f', which long double absorbs), or the
/// definition's Float64SecondMath where a cancellation amplifies exp's error.
template <class D, class T>
inline T definition_d2f(T x, const double* p) {
  using M = std::conditional_t<std::is_same_v<T, float>, math::ScalarMath<double>,
                               typename detail::float64_second_math<D>::type>;
  return static_cast<T>(D::template d2f<M>(static_cast<typename M::V>(x), p));
}

[[noreturn]] void throw_not_elementwise(Act id);

/// Calls fn(D{}) -- D the definition struct of an elementwise activation --
/// and returns its result; throws std::invalid_argument for the others.
template <class Fn>
decltype(auto) visit_elementwise(Act id, Fn&& fn) {
  switch (id) {
#define XGRAD_ACT_VISIT(S, nm) \
  case Act::nm: return fn(math::S{});
    XGRAD_ELEMENTWISE_ACTIVATIONS(XGRAD_ACT_VISIT)
#undef XGRAD_ACT_VISIT
    default: break;
  }
  throw_not_elementwise(id);
}

/// f(x) and f'(x) of an elementwise activation, one element (scalar paths, tests, the CLI).
template <class T>
T activation_f(Act id, T x, const ActivationParams& p);
template <class T>
T activation_df(Act id, T x, const ActivationParams& p);
/// f''(x) of an elementwise activation, one element (kernels::activation_second for arrays).
template <class T>
T activation_d2f(Act id, T x, const ActivationParams& p);

}  // namespace xgrad
