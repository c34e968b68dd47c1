#pragma once
/// The definitions of the catalogue activations (one header each under
/// activations/, in the policy form of activations/policy.hpp), and their list.
#include <tuple>

#include "xgrad/core/activations/celu.hpp"
#include "xgrad/core/activations/hardshrink.hpp"
#include "xgrad/core/activations/hardsigmoid.hpp"
#include "xgrad/core/activations/hardswish.hpp"
#include "xgrad/core/activations/hardtanh.hpp"
#include "xgrad/core/activations/logsigmoid.hpp"
#include "xgrad/core/activations/mish.hpp"
#include "xgrad/core/activations/relu6.hpp"
#include "xgrad/core/activations/selu.hpp"
#include "xgrad/core/activations/silu.hpp"
#include "xgrad/core/activations/softshrink.hpp"
#include "xgrad/core/activations/softsign.hpp"
#include "xgrad/core/activations/squareplus.hpp"
#include "xgrad/core/activations/tanhshrink.hpp"
#include "xgrad/core/activations/threshold.hpp"

namespace xgrad::math {

using CatalogueDefinitions = std::tuple<Selu, Celu, Silu, Mish, Logsigmoid, Tanhshrink, Softsign, Squareplus,
                                        Hardswish, Hardtanh, Relu6, Hardsigmoid, Softshrink, Hardshrink, Threshold>;

}  // namespace xgrad::math
