#pragma once
/// NPY arrays (format versions 1.0 to 3.0) parsed by hand rather than with
/// xt::load_npy, which trusts its input (no bounds checks on the header, no
/// check that the data is all there). Private to xgrad_train.
#include <string>
#include <string_view>

#include "xgrad/train/npz.hpp"

namespace xgrad::detail {

/// Decodes one NPY file; throws std::runtime_error saying what is wrong
/// (bad magic, truncated header or data, unsupported version or dtype).
NpzArray parse_npy(std::string_view bytes);

}  // namespace xgrad::detail
