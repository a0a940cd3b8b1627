#pragma once
// Large column buffers are asked to use transparent huge pages: on virtual machines a page fault
// costs microseconds, and a 20M-rating dataset touches ~500 MB of fresh memory (the first touch
// dominated load time). No effect where THP is off or for small buffers.

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace recscope {

inline void adviseHugePages(const void* data, size_t bytes) {
#ifdef MADV_HUGEPAGE
    constexpr size_t kMin = size_t(4) << 20;
    if (bytes < kMin)
        return;
    const auto begin = (reinterpret_cast<uintptr_t>(data) + 4095) & ~uintptr_t(4095);
    const auto end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~uintptr_t(4095);
    if (end > begin)
        ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
    (void)data;
    (void)bytes;
#endif
}

// reserve() on an empty vector allocates without touching; advising before the first write
// lets the kernel back the buffer with 2 MB pages.
template <typename T>
void reserveHuge(std::vector<T>& v, size_t n) {
    if (v.capacity() >= n)
        return;
    v.reserve(n);
    adviseHugePages(v.data(), v.capacity() * sizeof(T));
}

template <typename T>
void resizeHuge(std::vector<T>& v, size_t n) {
    reserveHuge(v, n);
    v.resize(n);
}

}  // namespace recscope
