#include "core/models/Compute.h"

#include <ATen/Parallel.h>
#include <omp.h>

#include <algorithm>
#include <thread>

namespace recscope {
namespace {
int g_threads = 0;
}

void setComputeThreads(int threads) {
    if (threads <= 0)
        threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    g_threads = threads;
    at::set_num_threads(threads);
    omp_set_num_threads(threads);
}

int computeThreads() {
    return g_threads > 0 ? g_threads
                         : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace recscope
