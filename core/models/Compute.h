#pragma once
// Process-wide compute threads: the OpenMP pool Eigen and FAISS use, and every pool added with
// addComputePool() (LibTorch's intra-op pool, added by registerTorchModels()).

namespace recscope {

// threads <= 0: the hardware concurrency. Call before training starts (not concurrently).
void setComputeThreads(int threads);
// The value last set (hardware concurrency until then).
int computeThreads();
// Another pool that follows setComputeThreads(): `apply` is called on every later change, and
// at once when a value was set already. Call from main() before any work starts.
void addComputePool(void (*apply)(int threads));

}  // namespace recscope
