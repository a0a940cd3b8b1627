#pragma once
// The C allocator's settings for training (call once, first thing in main()).
//
// LibTorch's CPU tensors come from malloc. With glibc's defaults a training step's large
// temporaries (a 1,024 x 1,024 logits matrix is 4 MB) are served by fresh mmap()s, or from heap
// top that free() hands back to the kernel at once, so every step faults its pages in again:
// measured on ML-100K, two-tower training spent most of its time in page faults (23K samples/s
// with the defaults, 60K with these settings, same metrics; bench_peer prints the figure).
// Blocks up to 64 MB stay in the heap and up to 256 MB of free heap top is kept for reuse.
//
// Settings a user gave through glibc's own environment variables (MALLOC_MMAP_THRESHOLD_,
// MALLOC_TRIM_THRESHOLD_, MALLOC_TOP_PAD_, or GLIBC_TUNABLES) win: nothing is changed then.
// Returns whether the settings were applied.

namespace recscope {

bool tuneAllocatorForTraining();

}  // namespace recscope
