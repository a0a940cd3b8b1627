#include "core/common/SystemMemory.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace recscope {

int64_t availableMemoryBytes() {
    std::ifstream in("/proc/meminfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("MemAvailable:", 0) != 0)
            continue;
        std::istringstream fields(line.substr(13));
        int64_t kb = -1;
        if (fields >> kb && kb >= 0)
            return kb * 1024;
    }
    return -1;
}

void releasePages(void* begin, size_t bytes) {
#if defined(__linux__)
    const long page = sysconf(_SC_PAGESIZE);
    if (page <= 0 || begin == nullptr)
        return;
    const auto start = reinterpret_cast<uintptr_t>(begin);
    const uintptr_t first = (start + page - 1) / page * page;
    const uintptr_t last = (start + bytes) / page * page;
    if (last > first)
        madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
#else
    (void)begin;
    (void)bytes;
#endif
}

std::string formatGigabytes(double bytes) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f GB", bytes / 1e9);
    return buffer;
}

}  // namespace recscope
