#pragma once
// How much memory the machine can still give this process, for refusing work up front
// (e.g. EASE's dense item x item matrix) instead of failing half-way.

#include <cstddef>
#include <cstdint>
#include <string>

namespace recscope {

// MemAvailable from /proc/meminfo in bytes; -1 when it cannot be read (not Linux).
int64_t availableMemoryBytes();

// Gives the whole pages inside [begin, begin + bytes) back to the system while the block stays
// allocated (their contents become zeros). For a large buffer that is read once and then no
// longer needed, so that its copy into another layout does not hold both at their full size.
// Does nothing where the system has no such call.
void releasePages(void* begin, size_t bytes);

// "12.3 GB" (decimal gigabytes, one decimal).
std::string formatGigabytes(double bytes);

}  // namespace recscope
