#pragma once
// Portable pseudo-random numbers for data that must be identical on every platform: the
// synthetic generator and the seeded splits. std:: engines are portable but std::
// distributions are not (libstdc++, libc++ and MSVC draw different values), so every
// distribution here is plain integer / IEEE arithmetic on xoshiro256** output.
//
// One instance per stream; not thread-safe. Derive independent streams (per user, per thread
// chunk) with mixSeed so that results do not depend on how work is spread over threads.

#include <cstdint>

namespace recscope {

// splitmix64 step: advances state and returns a well-mixed 64-bit value.
inline uint64_t splitMix64(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// Seed of sub-stream `stream` of `seed` (e.g. stream = user id); distinct inputs give
// statistically independent streams. The one definition in the tree: splits, synthetic data,
// sampled negatives and the evaluator's tie order all derive their streams here, so a Debug
// and a Release build draw the same numbers (tests/core/tst_determinism.cpp pins values).
inline uint64_t mixSeed(uint64_t seed, uint64_t stream) {
    uint64_t s = seed ^ (stream * 0xD1B54A32D192ED03ULL + 0x8CB92BA72F3D8DD7ULL);
    splitMix64(s);
    return splitMix64(s);
}

class DeterministicRng {
public:
    explicit DeterministicRng(uint64_t seed) {
        uint64_t s = seed;
        for (uint64_t& word : m_s)
            word = splitMix64(s);
    }

    // xoshiro256** (Blackman & Vigna).
    uint64_t next() {
        const uint64_t result = rotl(m_s[1] * 5, 7) * 9;
        const uint64_t t = m_s[1] << 17;
        m_s[2] ^= m_s[0];
        m_s[3] ^= m_s[1];
        m_s[1] ^= m_s[2];
        m_s[0] ^= m_s[3];
        m_s[2] ^= t;
        m_s[3] = rotl(m_s[3], 45);
        return result;
    }

    // Uniform in [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    // Uniform in (0, 1): safe to take a logarithm of.
    double uniformOpen() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }

    // Uniform integer in [0, n), unbiased (rejection); n > 0.
    uint64_t below(uint64_t n) {
        const uint64_t threshold = (0 - n) % n;
        for (;;) {
            const uint64_t r = next();
            if (r >= threshold)
                return r % n;
        }
    }

    // Approximately standard normal: Irwin-Hall sum of four uniforms rescaled to unit variance
    // (range +-3.46). Arithmetic only, so identical everywhere, unlike Box-Muller's log/cos.
    double normal() {
        const double s = uniform() + uniform() + uniform() + uniform() - 2.0;
        return s * 1.7320508075688772;  // sqrt(3): variance of the sum is 4/12
    }

private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t m_s[4];
};

}  // namespace recscope
