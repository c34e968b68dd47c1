// The float32 kernels built for baseline (flags in core/CMakeLists.txt); chosen at run time by kernels.cpp.
#define XGRAD_KERNEL_ISA baseline
#define XGRAD_KERNEL_TABLE table_baseline
#define XGRAD_KERNEL_NAME "baseline"
#include "kernels_impl.hpp"
