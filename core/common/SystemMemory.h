#pragma once
// How much memory the machine can still give this process, for refusing work up front
// (e.g. EASE's dense item x item matrix) instead of failing half-way.

#include <cstdint>
#include <string>

namespace recscope {

// MemAvailable from /proc/meminfo in bytes; -1 when it cannot be read (not Linux).
int64_t availableMemoryBytes();

// "12.3 GB" (decimal gigabytes, one decimal).
std::string formatGigabytes(double bytes);

}  // namespace recscope
