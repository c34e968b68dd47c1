// The float32 kernels built for avx512 (flags in core/CMakeLists.txt); chosen at run time by kernels.cpp.
#define XGRAD_KERNEL_ISA avx512
#define XGRAD_KERNEL_TABLE table_avx512
#define XGRAD_KERNEL_NAME "avx512"
#include "kernels_impl.hpp"
