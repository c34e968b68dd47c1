#pragma once
/// Everything of xgrad's layers.
#include "xgrad/layers/activation.hpp"
#include "xgrad/layers/dense.hpp"
#include "xgrad/layers/dropout.hpp"
#include "xgrad/layers/module.hpp"
#include "xgrad/layers/normalization.hpp"
#include "xgrad/layers/prelu.hpp"
#include "xgrad/layers/sequential.hpp"
