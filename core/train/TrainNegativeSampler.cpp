#include "core/train/TrainNegativeSampler.h"

#include <algorithm>
#include <thread>
#include <vector>

#include "core/train/CounterRandom.h"

namespace recscope {

TrainNegativeSampler::TrainNegativeSampler(const CsrMatrix& positives, NegativeKind kind)
    : m_pos(positives), m_kind(positives.nnz() > 0 ? kind : NegativeKind::Uniform) {}

bool TrainNegativeSampler::isPositive(int32_t user, int32_t item) const {
    if (user < 0 || user >= m_pos.rows)
        return false;
    const int32_t* begin = m_pos.indices.data() + m_pos.offsets[size_t(user)];
    const int32_t* end = m_pos.indices.data() + m_pos.offsets[size_t(user) + 1];
    return std::binary_search(begin, end, item);
}

int32_t TrainNegativeSampler::draw(int32_t user, uint64_t seed, uint64_t counter) const {
    const uint64_t nItems = uint64_t(std::max(m_pos.cols, 1));
    const uint64_t nnz = uint64_t(m_pos.nnz());
    uint64_t bits = CounterRandom::at(seed, counter);
    int32_t item = 0;
    for (int attempt = 0; attempt < 32; ++attempt) {
        if (m_kind == NegativeKind::Popularity) {
            // A uniformly drawn positive interaction's item is an item drawn proportionally to
            // its training popularity: O(1), no alias table.
            item = m_pos.indices[size_t(CounterRandom::below(bits, nnz))];
        } else {
            item = int32_t(CounterRandom::below(bits, nItems));
        }
        if (!isPositive(user, item))
            return item;
        bits = CounterRandom::mix(bits);
    }
    // A user with (nearly) every item as a positive: scan from a random start for the next
    // non-positive, so the result is still never a positive when one exists.
    const int32_t start = int32_t(CounterRandom::below(bits, nItems));
    for (int32_t s = 0; s < int32_t(nItems); ++s) {
        const int32_t candidate = int32_t((start + s) % int32_t(nItems));
        if (!isPositive(user, candidate))
            return candidate;
    }
    return item;
}

void TrainNegativeSampler::fill(const int32_t* users, int64_t n, uint64_t seed,
                                uint64_t firstCounter, int32_t* out, int threads) const {
    // Users come in shuffled order, so each draw's binary search starts with cache misses.
    // Fetch ahead in two steps: the user's row offset 16 draws early, the row itself 8 early
    // (its offset is in cache by then): up to its first 64 items, one request per 16.
    auto work = [&](int64_t begin, int64_t end) {
        for (int64_t k = begin; k < end; ++k) {
            if (k + 16 < end && users[k + 16] >= 0 && users[k + 16] < m_pos.rows)
                __builtin_prefetch(m_pos.offsets.data() + users[k + 16]);
            if (k + 8 < end) {
                const int32_t ua = users[k + 8];
                if (ua >= 0 && ua < m_pos.rows) {
                    const int32_t* row = m_pos.indices.data() + m_pos.offsets[size_t(ua)];
                    const int64_t len = m_pos.rowSize(ua);
                    for (int64_t c = 0; c < std::min<int64_t>(len, 64); c += 16)
                        __builtin_prefetch(row + c);
                }
            }
            out[k] = draw(users[k], seed, firstCounter + uint64_t(k));
        }
    };
    threads = int(std::max<int64_t>(1, std::min<int64_t>(threads, n / 4096)));
    if (threads <= 1) {
        work(0, n);
        return;
    }
    std::vector<std::thread> pool;
    const int64_t chunk = (n + threads - 1) / threads;
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(work, std::min(n, t * chunk), std::min(n, (t + 1) * chunk));
    work(0, std::min(n, chunk));
    for (auto& th : pool)
        th.join();
}

}  // namespace recscope
