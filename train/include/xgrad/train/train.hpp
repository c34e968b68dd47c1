#pragma once
/// Everything of xgrad's training: losses, optimizers, fit, data and model files.
#include "xgrad/train/callbacks.hpp"
#include "xgrad/train/classifier.hpp"
#include "xgrad/train/csv.hpp"
#include "xgrad/train/fit.hpp"
#include "xgrad/train/losses.hpp"
#include "xgrad/train/metrics.hpp"
#include "xgrad/train/model_io.hpp"
#include "xgrad/train/npz.hpp"
#include "xgrad/train/optimizers.hpp"
#include "xgrad/train/schedulers.hpp"
#include "xgrad/train/standardizer.hpp"
#include "xgrad/train/tabular.hpp"
