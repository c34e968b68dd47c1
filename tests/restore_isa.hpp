// Tests that switch the kernel build (xgrad::kernels::use_isa) put the one that was in use back.
#pragma once

#include <string>

#include "xgrad/core/kernels.hpp"

namespace xgrad_test {

/// Restores the kernel build in use at construction when it leaves scope.
struct RestoreIsa {
  std::string isa = xgrad::kernels::isa();
  ~RestoreIsa() { xgrad::kernels::use_isa(isa); }
};

}  // namespace xgrad_test
