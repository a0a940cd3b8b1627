#pragma once
// (Named apart from recscope::NegativeSampler, the evaluation enum in core/eval/Evaluator.h.)
// Draws negative items for implicit-feedback training: items the user has no training positive
// for, uniformly or proportionally to training popularity ("hard" popular negatives, as in
// seed 003). Randomness is counter-based (see CounterRandom), so fill() gives the same items for
// the same (seed, first counter) whatever the thread count. Immutable after construction; all
// calls are safe from several threads.

#include <cstdint>

#include "core/models/TrainData.h"

namespace recscope {

enum class NegativeKind { Uniform, Popularity };

class TrainNegativeSampler {
public:
    // `positives` (users x items, column indices ascending per row) must outlive the sampler.
    TrainNegativeSampler(const CsrMatrix& positives, NegativeKind kind);

    // True when `item` is a training positive of `user` (binary search in the CSR row).
    bool isPositive(int32_t user, int32_t item) const;

    // One negative for `user` from the random stream (seed, counter). After 32 rejected draws
    // (a user with almost every item as a positive) the next non-positive after a random start
    // is taken; only a user who has every item as a positive gets a positive back.
    int32_t draw(int32_t user, uint64_t seed, uint64_t counter) const;

    // out[k] = draw(users[k], seed, firstCounter + k) for k < n. Parallel over 1..threads.
    void fill(const int32_t* users, int64_t n, uint64_t seed, uint64_t firstCounter, int32_t* out,
              int threads = 1) const;

    NegativeKind kind() const { return m_kind; }

private:
    const CsrMatrix& m_pos;
    NegativeKind m_kind;
};

}  // namespace recscope
