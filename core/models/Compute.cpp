#include "core/models/Compute.h"

#include <omp.h>

#include <algorithm>
#include <thread>
#include <vector>

namespace recscope {
namespace {
int g_threads = 0;

std::vector<void (*)(int)>& pools() {
    static std::vector<void (*)(int)> all;
    return all;
}
}  // namespace

void setComputeThreads(int threads) {
    if (threads <= 0)
        threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    g_threads = threads;
    omp_set_num_threads(threads);
    for (auto* apply : pools())
        apply(threads);
}

int computeThreads() {
    return g_threads > 0 ? g_threads
                         : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

void addComputePool(void (*apply)(int threads)) {
    if (!apply || std::find(pools().begin(), pools().end(), apply) != pools().end())
        return;
    pools().push_back(apply);
    if (g_threads > 0)
        apply(g_threads);
}

}  // namespace recscope
