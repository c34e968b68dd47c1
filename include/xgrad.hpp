#pragma once
/// xgrad: include this one header to get everything.
#include "xgrad/autograd/autograd.hpp"
#include "xgrad/core/activations.hpp"
#include "xgrad/core/random.hpp"
#include "xgrad/core/tensor.hpp"
#include "xgrad/layers/layers.hpp"
#include "xgrad/train/train.hpp"
