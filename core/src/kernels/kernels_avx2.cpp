// The float32 kernels built for avx2 (flags in core/CMakeLists.txt); chosen at run time by kernels.cpp.
#define XGRAD_KERNEL_ISA avx2
#define XGRAD_KERNEL_TABLE table_avx2
#define XGRAD_KERNEL_NAME "avx2"
#include "kernels_impl.hpp"
