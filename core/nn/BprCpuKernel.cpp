#include "core/nn/BprCpuKernel.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

namespace recscope {

namespace {

int floorPowerOfTwo(int n) {
    int p = 1;
    while (p * 2 <= n)
        p *= 2;
    return p;
}

// Rows ahead of the one being worked on are requested from memory early (the epoch's order is
// random, so the hardware prefetcher cannot guess them).
constexpr int64_t kAhead = 8;
inline void prefetchRow(const float* row, int32_t d) {
    for (int32_t c = 0; c < d; c += 16)
        __builtin_prefetch(row + c);
}

// Thread t's contiguous slice [first, second) of n triplets.
inline std::pair<int64_t, int64_t> threadSlice(int64_t n, int threads, int t) {
    const int64_t chunk = (n + threads - 1) / threads;
    const int64_t begin = std::min<int64_t>(n, t * chunk);
    return {begin, std::min<int64_t>(n, begin + chunk)};
}

// The three weight rows of triplet k, requested kAhead triplets before they are used.
inline void prefetchTriplet(const float* P, const float* Q, const int32_t* u, const int32_t* i,
                            const int32_t* j, int64_t k, int32_t d) {
    prefetchRow(P + size_t(u[k]) * d, d);
    prefetchRow(Q + size_t(i[k]) * d, d);
    prefetchRow(Q + size_t(j[k]) * d, d);
}

// Hot loops over `dim`: `omp simd` makes GCC vectorise them whatever its -O2 cost model says.
inline float dotDiff(const float* __restrict p, const float* __restrict a,
                     const float* __restrict b, int32_t d) {
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int32_t k = 0; k < d; ++k)
        s += p[k] * (a[k] - b[k]);
    return s;
}

}  // namespace

BprCpuKernel::BprCpuKernel(float* userFactors, float* itemFactors, float* itemBias, int32_t users,
                           int32_t items, int32_t dim, int threads)
    : m_p(userFactors),
      m_q(itemFactors),
      m_b(itemBias),
      m_users(users),
      m_items(items),
      m_dim(dim),
      m_threads(floorPowerOfTwo(std::max(1, threads))),
      m_gradP(size_t(users) * size_t(dim)),
      m_gradQ(size_t(items) * size_t(dim)),
      m_gradB(size_t(items)),
      m_touchedUser(size_t(users), 0),
      m_touchedItem(size_t(items), 0),
      m_userLists(size_t(m_threads)),
      m_itemLists(size_t(m_threads)),
      m_lossParts(size_t(m_threads)) {}

int BprCpuKernel::threadsFor(int64_t n) const {
    return int(std::min<int64_t>(m_threads, std::max<int64_t>(1, n / 4096)));
}

double BprCpuKernel::step(const int32_t* u, const int32_t* i, const int32_t* j, int64_t n, float lr,
                          float reg, float biasReg) {
    if (n <= 0)
        return 0.0;
    m_coef.resize(size_t(n));
    // Three barriers per step: below ~4K triplets per thread they cost more than they save on a
    // busy 2-core machine (measured: 1 thread 5.0 M/s, 2 threads 1.4 M/s at batch 1024 under
    // load). The result does not depend on the thread count, so this is only a speed choice.
    const int threads = threadsFor(n);
    const int32_t d = m_dim;
    const uint32_t mask = uint32_t(threads - 1);
    float* const P = m_p;
    float* const Q = m_q;
    float* const B = m_b;
    float* const coef = m_coef.data();
    float* const GP = m_gradP.data();
    float* const GQ = m_gradQ.data();
    float* const GB = m_gradB.data();

#pragma omp parallel num_threads(threads)
    {
        const int t = omp_get_thread_num();
        // Phase 1: scores and gradient coefficients, contiguous slices of the batch.
        const auto [begin, end] = threadSlice(n, threads, t);
        double loss = 0.0;
        for (int64_t k = begin; k < end; ++k) {
            if (k + kAhead < end)  // at ML-20M size the rows miss every cache: fetch ahead
                prefetchTriplet(P, Q, u, i, j, k + kAhead, d);
            const float* pu = P + size_t(u[k]) * d;
            float x = dotDiff(pu, Q + size_t(i[k]) * d, Q + size_t(j[k]) * d, d);
            if (B)
                x += B[i[k]] - B[j[k]];
            // softplus(-x) and sigmoid(-x), stable for large |x|.
            loss += x > 0 ? std::log1p(std::exp(-double(x)))
                          : -double(x) + std::log1p(std::exp(double(x)));
            coef[k] = 1.0f / (1.0f + std::exp(x));
        }
        m_lossParts[size_t(t)] = loss;
#pragma omp barrier
        // Phase 2: gradients of the rows this thread owns, summed in triplet order.
        auto& userList = m_userLists[size_t(t)];
        auto& itemList = m_itemLists[size_t(t)];
        userList.clear();
        itemList.clear();
        auto touchItem = [&](int32_t row) {
            if (!m_touchedItem[size_t(row)]) {
                m_touchedItem[size_t(row)] = 1;
                itemList.push_back(row);
                std::memset(GQ + size_t(row) * d, 0, sizeof(float) * size_t(d));
                GB[row] = 0.0f;
            }
        };
        for (int64_t k = 0; k < n; ++k) {
            if (k + kAhead < n) {
                // The gradient rows are as scattered as the weights, and the batch's weight rows
                // (3 x 1024 x 256 bytes at the defaults) may have left L2 since phase 1.
                const auto fetchOwned = [&](int32_t row, const float* grad, const float* weight) {
                    if ((uint32_t(row) & mask) == uint32_t(t)) {
                        prefetchRow(grad + size_t(row) * d, d);
                        prefetchRow(weight + size_t(row) * d, d);
                    }
                };
                fetchOwned(u[k + kAhead], GP, P);
                fetchOwned(i[k + kAhead], GQ, Q);
                fetchOwned(j[k + kAhead], GQ, Q);
            }
            const int32_t uk = u[k], ik = i[k], jk = j[k];
            const bool ownU = (uint32_t(uk) & mask) == uint32_t(t);
            const bool ownI = (uint32_t(ik) & mask) == uint32_t(t);
            const bool ownJ = (uint32_t(jk) & mask) == uint32_t(t);
            if (!(ownU | ownI | ownJ))
                continue;
            const float g = coef[k];
            const float* __restrict pu = P + size_t(uk) * d;
            const float* __restrict qi = Q + size_t(ik) * d;
            const float* __restrict qj = Q + size_t(jk) * d;
            if (ownU) {
                float* __restrict gp = GP + size_t(uk) * d;
                if (!m_touchedUser[size_t(uk)]) {
                    m_touchedUser[size_t(uk)] = 1;
                    userList.push_back(uk);
                    std::memset(gp, 0, sizeof(float) * size_t(d));
                }
#pragma omp simd
                for (int32_t c = 0; c < d; ++c)
                    gp[c] += reg * pu[c] - g * (qi[c] - qj[c]);
            }
            if (ownI) {
                touchItem(ik);
                float* __restrict gq = GQ + size_t(ik) * d;
#pragma omp simd
                for (int32_t c = 0; c < d; ++c)
                    gq[c] += reg * qi[c] - g * pu[c];
                if (B)
                    GB[ik] += biasReg * B[ik] - g;
            }
            if (ownJ) {
                touchItem(jk);
                float* __restrict gq = GQ + size_t(jk) * d;
#pragma omp simd
                for (int32_t c = 0; c < d; ++c)
                    gq[c] += reg * qj[c] + g * pu[c];
                if (B)
                    GB[jk] += biasReg * B[jk] + g;
            }
        }
#pragma omp barrier
        // Phase 3: apply, again only to owned rows, so no two threads write the same row.
        for (int32_t row : userList) {
            float* __restrict w = P + size_t(row) * d;
            const float* __restrict g = GP + size_t(row) * d;
#pragma omp simd
            for (int32_t c = 0; c < d; ++c)
                w[c] -= lr * g[c];
            m_touchedUser[size_t(row)] = 0;
        }
        for (int32_t row : itemList) {
            float* __restrict w = Q + size_t(row) * d;
            const float* __restrict g = GQ + size_t(row) * d;
#pragma omp simd
            for (int32_t c = 0; c < d; ++c)
                w[c] -= lr * g[c];
            if (B)
                B[row] -= lr * GB[row];
            m_touchedItem[size_t(row)] = 0;
        }
    }
    double loss = 0.0;
    for (int t = 0; t < threads; ++t)
        loss += m_lossParts[size_t(t)];
    return loss / double(n);
}

double BprCpuKernel::stepHogwild(const int32_t* u, const int32_t* i, const int32_t* j, int64_t n,
                                 float lr, float reg, float biasReg) {
    if (n <= 0)
        return 0.0;
#if defined(__SANITIZE_THREAD__)
    // The races are the method; TSan would report every one of them.
    const int threads = 1;
#else
    const int threads = threadsFor(n);
#endif
    const int32_t d = m_dim;
    float* const P = m_p;
    float* const Q = m_q;
    float* const B = m_b;
    m_lossParts.assign(size_t(m_threads), 0.0);

#pragma omp parallel num_threads(threads)
    {
        const int t = omp_get_thread_num();
        const auto [begin, end] = threadSlice(n, threads, t);
        double loss = 0.0;
        for (int64_t k = begin; k < end; ++k) {
            if (k + kAhead < end)
                prefetchTriplet(P, Q, u, i, j, k + kAhead, d);
            const int32_t ik = i[k], jk = j[k];
            if (ik == jk)  // a zero gradient apart from the L2 terms; the sampler never draws it
                continue;
            float* __restrict pu = P + size_t(u[k]) * d;
            float* __restrict qi = Q + size_t(ik) * d;
            float* __restrict qj = Q + size_t(jk) * d;
            float x = dotDiff(pu, qi, qj, d);
            if (B)
                x += B[ik] - B[jk];
            loss += double(std::max(-x, 0.0f) + std::log1p(std::exp(-std::fabs(x))));
            const float g = 1.0f / (1.0f + std::exp(x));
#pragma omp simd
            for (int32_t c = 0; c < d; ++c) {
                const float p = pu[c], a = qi[c], b = qj[c];
                pu[c] = p - lr * (reg * p - g * (a - b));
                qi[c] = a - lr * (reg * a - g * p);
                qj[c] = b - lr * (reg * b + g * p);
            }
            if (B) {
                B[ik] -= lr * (biasReg * B[ik] - g);
                B[jk] -= lr * (biasReg * B[jk] + g);
            }
        }
        m_lossParts[size_t(t)] = loss;
    }
    double loss = 0.0;
    for (double part : m_lossParts)
        loss += part;
    return loss / double(n);
}

}  // namespace recscope
