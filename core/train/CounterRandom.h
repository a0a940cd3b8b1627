#pragma once
// Counter-based random numbers: the value for (seed, counter) does not depend on which thread
// draws it or in which order, so parallel sampling stays reproducible for any thread count.

#include <cstdint>

namespace recscope {

class CounterRandom {
public:
    // SplitMix64 finaliser: a bijective, well-mixed 64-bit hash.
    static uint64_t mix(uint64_t x) {
        x += 0x9e3779b97f4a7c15ULL;
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
        return x ^ (x >> 31);
    }
    static uint64_t at(uint64_t seed, uint64_t counter) {
        return mix(mix(seed) ^ (counter * 0xd1b54a32d192ed03ULL));
    }
    // Uniform in [0, n) from 64 random bits (Lemire's multiply-shift; bias < n / 2^64).
    static uint64_t below(uint64_t bits, uint64_t n) {
        __extension__ typedef unsigned __int128 Wide;  // GCC/Clang; -Wpedantic-clean
        return static_cast<uint64_t>((static_cast<Wide>(bits) * n) >> 64);
    }
    // Uniform in [0, 1) with 24 bits (exactly representable as float).
    static float unit(uint64_t bits) { return float(bits >> 40) * (1.0f / 16777216.0f); }
};

}  // namespace recscope
