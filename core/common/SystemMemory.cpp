#include "core/common/SystemMemory.h"

#include <cstdio>
#include <fstream>
#include <sstream>

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

std::string formatGigabytes(double bytes) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f GB", bytes / 1e9);
    return buffer;
}

}  // namespace recscope
