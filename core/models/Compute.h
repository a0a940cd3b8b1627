#pragma once
// Process-wide compute threads: LibTorch's intra-op pool and the OpenMP pool Eigen uses.

namespace recscope {

// threads <= 0: the hardware concurrency. Call before training starts (not concurrently).
void setComputeThreads(int threads);
// The value last set (hardware concurrency until then).
int computeThreads();

}  // namespace recscope
