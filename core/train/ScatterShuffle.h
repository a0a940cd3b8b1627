#pragma once
// A seeded, uniformly random permutation of N parallel int32 columns in cache-friendly passes,
// for arrays far bigger than the cache (Fisher-Yates there costs a cache miss per swap): every
// row goes to one of B buckets drawn at random, the buckets are laid out one after another, and
// each is then shuffled in place by Fisher-Yates, small enough to stay in cache. Given the
// bucket sizes, every assignment of rows to buckets is equally likely, and so is every order
// inside a bucket: every permutation of the rows is equally likely. Counter-based, so the result
// depends only on (seed, input), on every platform.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "core/train/CounterRandom.h"

namespace recscope {

// out[c][pi(k)] = in[c][k] for a random permutation pi of [0, n). in and out must not overlap.
// buckets: 0 picks one per ~8,192 rows (a power of two, at most 4,096); tests set it.
template <size_t N>
void scatterShuffle(const std::array<const int32_t*, N>& in, const std::array<int32_t*, N>& out,
                    int64_t n, uint64_t seed, int64_t buckets = 0) {
    if (n <= 0)
        return;
    if (buckets <= 0) {
        buckets = 1;
        while (buckets < 4096 && buckets * 8192 < n)
            buckets *= 2;
    }
    buckets = std::min<int64_t>(buckets, 65536);  // bucket ids are 16-bit
    std::vector<uint16_t> bucketOf(static_cast<size_t>(n));
    std::vector<int64_t> start(static_cast<size_t>(buckets) + 1, 0);
    for (int64_t k = 0; k < n; ++k) {
        const auto b = static_cast<uint16_t>(
            CounterRandom::below(CounterRandom::at(seed, uint64_t(k)), uint64_t(buckets)));
        bucketOf[static_cast<size_t>(k)] = b;
        ++start[size_t(b) + 1];
    }
    for (int64_t b = 0; b < buckets; ++b)
        start[size_t(b) + 1] += start[size_t(b)];
    std::vector<int64_t> next(start.begin(), start.end() - 1);
    for (int64_t k = 0; k < n; ++k) {
        const int64_t at = next[bucketOf[static_cast<size_t>(k)]]++;
        for (size_t c = 0; c < N; ++c)
            out[c][at] = in[c][k];
    }
    const uint64_t local = CounterRandom::mix(seed ^ 0x5ca77e12ULL);
    for (int64_t b = 0; b < buckets; ++b) {
        const int64_t first = start[size_t(b)];
        for (int64_t k = start[size_t(b) + 1]; k > first + 1; --k) {
            const int64_t r =
                first + int64_t(CounterRandom::below(CounterRandom::at(local, uint64_t(k)),
                                                     uint64_t(k - first)));
            for (size_t c = 0; c < N; ++c)
                std::swap(out[c][k - 1], out[c][r]);
        }
    }
}

}  // namespace recscope
