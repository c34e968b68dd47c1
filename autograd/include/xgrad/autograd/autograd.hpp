#pragma once
/// Everything of xgrad's autograd: variables, ops, activations, gradcheck.
#include "xgrad/autograd/activations.hpp"
#include "xgrad/autograd/gradcheck.hpp"
#include "xgrad/autograd/graph.hpp"
#include "xgrad/autograd/higher_order.hpp"
#include "xgrad/autograd/ops.hpp"
#include "xgrad/autograd/variable.hpp"
