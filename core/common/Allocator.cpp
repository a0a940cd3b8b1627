#include "core/common/Allocator.h"

#include <cstdlib>
#include <initializer_list>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace recscope {

bool tuneAllocatorForTraining() {
#if defined(__GLIBC__)
    for (const char* name : {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_",
                             "MALLOC_ARENA_MAX", "GLIBC_TUNABLES"})
        if (std::getenv(name))
            return false;
    constexpr int kMb = 1024 * 1024;
    bool ok = mallopt(M_MMAP_THRESHOLD, 1024 * kMb) == 1;
    ok = mallopt(M_TRIM_THRESHOLD, 2047 * kMb) == 1 && ok;
    ok = mallopt(M_TOP_PAD, 64 * kMb) == 1 && ok;
    ok = mallopt(M_ARENA_MAX, 1) == 1 && ok;
    return ok;
#else
    return false;
#endif
}

void releaseFreeHeap() {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

}  // namespace recscope
