// The runtime view of the activation list (activations/catalogue.hpp).
#include "xgrad/core/activations/catalogue.hpp"

#include <cmath>
#include <stdexcept>

namespace xgrad {

namespace {

template <class D, class = void>
struct alias_of { static constexpr const char* value = nullptr; };
template <class D>
struct alias_of<D, std::void_t<decltype(D::alias)>> { static constexpr const char* value = D::alias; };

template <class D, class = void>
struct kinks_of {
  static const double* data() { return nullptr; }
  static constexpr std::size_t size = 0;
};
template <class D>
struct kinks_of<D, std::void_t<decltype(D::kinks)>> {
  static const double* data() { return D::kinks.data(); }
  static constexpr std::size_t size = D::kinks.size();
};

template <class D, class = void>
struct invalid_of { static constexpr std::string (*value)(const double*) = nullptr; };
template <class D>
struct invalid_of<D, std::void_t<decltype(&D::invalid)>> { static constexpr std::string (*value)(const double*) = &D::invalid; };

template <class D, class = void>
struct rectifier_of : std::false_type {};
template <class D>
struct rectifier_of<D, std::void_t<decltype(D::rectifier)>> : std::bool_constant<D::rectifier> {};

template <class D>
ActivationInfo describe(Act id, ActivationShape shape) {
  static_assert(D::params.size() <= kMaxActivationParams, "raise kMaxActivationParams");
  return {id,
          D::name,
          alias_of<D>::value,
          shape,
          D::torch,
          D::params.data(),
          D::params.size(),
          kinks_of<D>::data(),
          kinks_of<D>::size,
          id == Act::prelu,
          id == Act::rrelu,
          rectifier_of<D>::value,
          tuned_kernel_v<D>,
          invalid_of<D>::value};
}

}  // namespace

const std::vector<ActivationInfo>& activation_catalogue() {
  static const std::vector<ActivationInfo> all = [] {
    std::vector<ActivationInfo> out;
#define XGRAD_ACT_ELEMENTWISE(S, id) out.push_back(describe<math::S>(Act::id, ActivationShape::elementwise));
#define XGRAD_ACT_AXIS(S, id) \
  out.push_back(describe<math::S>(Act::id, Act::id == Act::glu ? ActivationShape::halves : ActivationShape::lane));
    XGRAD_ELEMENTWISE_ACTIVATIONS(XGRAD_ACT_ELEMENTWISE)
    XGRAD_AXIS_ACTIVATIONS(XGRAD_ACT_AXIS)
#undef XGRAD_ACT_ELEMENTWISE
#undef XGRAD_ACT_AXIS
    return out;
  }();
  return all;
}

const ActivationInfo& activation_info(Act id) { return activation_catalogue().at(static_cast<std::size_t>(id)); }

const ActivationInfo* find_activation(std::string_view name) {
  for (const auto& a : activation_catalogue())
    if (name == a.name || (a.alias && name == a.alias)) return &a;
  return nullptr;
}

std::string activation_name_list() {
  std::string list;
  for (const auto& a : activation_catalogue()) {
    list += (list.empty() ? "" : ", ") + std::string(a.name);
    if (a.alias) list += std::string(" (or ") + a.alias + ")";
  }
  return list;
}

const ActivationInfo& activation_by_name(std::string_view name) {
  if (const ActivationInfo* a = find_activation(name)) return *a;
  throw std::invalid_argument("unknown activation '" + std::string(name) + "' (known: " + activation_name_list() + ")");
}

ActivationParams default_params(Act id) {
  const ActivationInfo& a = activation_info(id);
  ActivationParams p;
  for (std::size_t i = 0; i < a.param_count; ++i) p.v[i] = a.params[i].default_value;
  return p;
}

void check_params(Act id, const ActivationParams& p) {
  const ActivationInfo& a = activation_info(id);
  for (std::size_t i = 0; i < a.param_count; ++i) {
    if (a.params[i].required() && std::isnan(p[i]))
      throw std::invalid_argument(std::string(a.name) + ": " + a.params[i].name +
                                  " must be a number (not NaN): it is required, with no default");
    const std::string message = math::check_param(a.name, a.params[i], p[i]);
    if (!message.empty()) throw std::invalid_argument(message);
  }
  if (a.invalid) {
    const std::string message = a.invalid(p.data());
    if (!message.empty()) throw std::invalid_argument(message);
  }
}

int param_index(Act id, std::string_view name) {
  const ActivationInfo& a = activation_info(id);
  for (std::size_t i = 0; i < a.param_count; ++i)
    if (name == a.params[i].name) return static_cast<int>(i);
  return -1;
}

void throw_not_elementwise(Act id) {
  throw std::invalid_argument(std::string(activation_info(id).name) + " is not an elementwise activation");
}

template <class T>
T activation_f(Act id, T x, const ActivationParams& p) {
  return visit_elementwise(id, [&](auto d) { return definition_f<decltype(d)>(x, p.data()); });
}
template <class T>
T activation_df(Act id, T x, const ActivationParams& p) {
  return visit_elementwise(id, [&](auto d) { return definition_df<decltype(d)>(x, p.data()); });
}
template <class T>
T activation_d2f(Act id, T x, const ActivationParams& p) {
  return visit_elementwise(id, [&](auto d) { return definition_d2f<decltype(d)>(x, p.data()); });
}

template float activation_f<float>(Act, float, const ActivationParams&);
template double activation_f<double>(Act, double, const ActivationParams&);
template float activation_df<float>(Act, float, const ActivationParams&);
template double activation_df<double>(Act, double, const ActivationParams&);
template float activation_d2f<float>(Act, float, const ActivationParams&);
template double activation_d2f<double>(Act, double, const ActivationParams&);

}  // namespace xgrad
