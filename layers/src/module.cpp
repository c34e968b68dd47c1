#include "xgrad/layers/module.hpp"

#include <set>
#include <stdexcept>

namespace xgrad {

template <class T>
void Module<T>::check_name(const std::string& name, const char* what) const {
  if (name.empty() || name.find('.') != std::string::npos)
    throw std::invalid_argument(type_name() + ": " + what + " name '" + name +
                                "' must be non-empty and without '.' (the separator of nested names)");
  auto taken = [&](const auto& list) {
    for (const auto& entry : list)
      if (entry.first == name) return true;
    return false;
  };
  if (taken(params_) || taken(buffers_) || taken(children_))
    throw std::invalid_argument(type_name() + ": the name '" + name + "' is registered already");
}

template <class T>
Variable<T> Module<T>::register_parameter(const std::string& name, Variable<T> parameter) {
  check_name(name, "parameter");
  params_.emplace_back(name, parameter);
  return parameter;
}

template <class T>
Variable<T> Module<T>::register_buffer(const std::string& name, Variable<T> buffer) {
  check_name(name, "buffer");
  if (buffer.requires_grad())
    throw std::invalid_argument(type_name() + ": buffer '" + name + "' requires grad; register it as a parameter");
  buffers_.emplace_back(name, buffer);
  return buffer;
}

template <class T>
void Module<T>::add_child(const std::string& name, std::shared_ptr<Module<T>> module) {
  if (!module) throw std::invalid_argument(type_name() + ": register_module('" + name + "') of a null module");
  if (module.get() == this) throw std::invalid_argument(type_name() + ": a module cannot contain itself");
  check_name(name, "sub-module");
  module->train(training_);
  children_.emplace_back(name, std::move(module));
}

template <class T>
typename Module<T>::Named Module<T>::named_parameters() const {
  Named out = params_;
  for (const auto& [child_name, child] : children_)
    for (auto& [name, p] : child->named_parameters()) out.emplace_back(child_name + "." + name, p);
  return out;
}

template <class T>
typename Module<T>::Named Module<T>::named_buffers() const {
  Named out = buffers_;
  for (const auto& [child_name, child] : children_)
    for (auto& [name, b] : child->named_buffers()) out.emplace_back(child_name + "." + name, b);
  return out;
}

template <class T>
std::vector<Variable<T>> Module<T>::parameters() const {
  std::vector<Variable<T>> out;
  for (auto& [name, p] : named_parameters()) out.push_back(p);
  return out;
}

template <class T>
std::size_t Module<T>::parameter_count() const {
  std::size_t n = 0;
  for (auto& [name, p] : named_parameters()) n += p.size();
  return n;
}

template <class T>
std::size_t Module<T>::buffer_count() const {
  std::size_t n = 0;
  for (auto& [name, b] : named_buffers()) n += b.size();
  return n;
}

template <class T>
void Module<T>::zero_grad() {
  for (auto& [name, p] : named_parameters()) {
    Variable<T> handle = p;
    handle.zero_grad();
  }
}

template <class T>
void Module<T>::train(bool mode) {
  training_ = mode;
  for (auto& [name, child] : children_) child->train(mode);
}

template <class T>
StateDict<T> Module<T>::state_dict() const {
  StateDict<T> out;
  for (auto& [name, p] : named_parameters()) out.emplace(name, p.value());
  for (auto& [name, b] : named_buffers()) out.emplace(name, b.value());
  return out;
}

template <class T>
LoadStateResult Module<T>::load_state_dict(const StateDict<T>& state, bool strict) {
  Named targets = named_parameters();
  for (auto& entry : named_buffers()) targets.push_back(entry);
  LoadStateResult result;
  std::set<std::string> known;
  std::string shape_errors;
  for (auto& [name, v] : targets) {
    known.insert(name);
    const auto it = state.find(name);
    if (it == state.end()) {
      result.missing_keys.push_back(name);
    } else if (to_shape(it->second.shape()) != v.shape()) {
      shape_errors += (shape_errors.empty() ? "" : "; ") + std::string("'") + name + "' has shape " +
                      shape_to_string(to_shape(it->second.shape())) + " in the state dict, the module's is " +
                      shape_to_string(v.shape());
    }
  }
  for (auto& [name, tensor] : state)
    if (!known.count(name)) result.unexpected_keys.push_back(name);
  auto join = [](const std::vector<std::string>& keys) {
    std::string s;
    for (const auto& k : keys) s += (s.empty() ? "'" : ", '") + k + "'";
    return s;
  };
  std::string errors = shape_errors;
  if (strict && !result.missing_keys.empty())
    errors += (errors.empty() ? "" : "; ") + std::string("missing keys ") + join(result.missing_keys);
  if (strict && !result.unexpected_keys.empty())
    errors += (errors.empty() ? "" : "; ") + std::string("unexpected keys ") + join(result.unexpected_keys);
  if (!errors.empty()) throw std::invalid_argument(type_name() + "::load_state_dict: " + errors);
  for (auto& [name, v] : targets) {
    const auto it = state.find(name);
    if (it != state.end()) v.mutable_value() = it->second;
  }
  return result;
}

template class Module<float>;
template class Module<double>;

}  // namespace xgrad
