#pragma once
// The C allocator's settings for training (call once, first thing in main(), before any thread
// starts).
//
// LibTorch's CPU tensors come from malloc. With glibc's defaults a training step's large
// temporaries are served by fresh mmap()s, or from heap top that free() hands back to the
// kernel at once, so every step faults its pages in again. On a virtual machine a page fault
// is expensive: on our 2-core VM a fresh 43 MB block cost 115 ms to allocate and touch, against
// 3.3 ms reused from the heap.
// - Two-tower training on ML-100K: 23K samples/s with glibc's defaults, 60K with heap reuse.
// - SASRec on ml-latest-small, where one batch's logits are 6,400 x 9,700 floats (248 MB), 2
//   threads, idle: 27.7-28.1 s per epoch when blocks over 64 MB were mapped afresh, 5.9-6.6 s
//   with them reused (7.45M page faults against 0.37M over two epochs; same metrics; peak
//   RSS 1.50 GB against 1.02 GB).
// So blocks up to 1 GB stay in the heap, up to 2 GB of free heap top is kept for reuse, and
// every thread allocates from the main heap (M_ARENA_MAX 1): glibc's per-thread arenas map any
// block over 64 MB afresh whatever the threshold, and training runs in worker threads in the
// explorer. releaseFreeHeap() hands the kept memory back once a run (training and evaluation)
// has finished.
//
// Settings a user gave through glibc's own environment variables (MALLOC_MMAP_THRESHOLD_,
// MALLOC_TRIM_THRESHOLD_, MALLOC_TOP_PAD_, MALLOC_ARENA_MAX, or GLIBC_TUNABLES) win: nothing is
// changed then. Returns whether the settings were applied.

namespace recscope {

bool tuneAllocatorForTraining();

// Returns the free parts of the heap to the kernel (malloc_trim); call after a run. A no-op
// without glibc.
void releaseFreeHeap();

}  // namespace recscope
