#pragma once
// Fused CPU training step of BPR-MF: forward, backward and the SGD update of one mini-batch of
// (user, positive, negative) triplets over raw row-major embedding arrays, with sparse updates
// (only the rows a batch touches are read and written).
//
// Semantics equal the autograd path exactly (up to float rounding): loss = sum over triplets of
// softplus(-x) + reg/2 (|p_u|^2 + |q_i|^2 + |q_j|^2) + biasReg/2 (b_i^2 + b_j^2), with
// x = p_u . (q_i - q_j) + b_i - b_j; every gradient is taken at the weights before the batch,
// then W -= lr * grad. Deterministic for any thread count: each row's gradient is summed in
// triplet order by the one thread that owns the row (row id modulo the power-of-two thread
// count). Not thread-safe: one step() at a time.

#include <cstdint>
#include <vector>

namespace recscope {

class BprCpuKernel {
public:
    // The arrays (users x dim, items x dim, items or null for no item bias) are borrowed and
    // must outlive the kernel. threads is rounded down to a power of two (>= 1).
    BprCpuKernel(float* userFactors, float* itemFactors, float* itemBias, int32_t users,
                 int32_t items, int32_t dim, int threads);

    // One SGD step on n triplets; returns the mean BPR loss (without the L2 terms).
    double step(const int32_t* u, const int32_t* i, const int32_t* j, int64_t n, float lr,
                float reg, float biasReg);

    // Hogwild SGD over n triplets: one update per triplet, taken at the weights as they are at
    // that moment, with the threads working on contiguous slices at once and no locks (as
    // implicit's CPU BPR does). With one thread it is plain per-triplet SGD, deterministic and
    // the same as step() on batches of one; with more, rows two threads touch together may lose
    // an update, so runs are not bit-reproducible. One pass over the rows instead of step()'s
    // three. Returns the mean BPR loss before each update.
    double stepHogwild(const int32_t* u, const int32_t* i, const int32_t* j, int64_t n, float lr,
                       float reg, float biasReg);

    int threads() const { return m_threads; }

private:
    // Threads for n triplets: at least 4,096 each, at most the kernel's.
    int threadsFor(int64_t n) const;

    float* m_p;
    float* m_q;
    float* m_b;
    int32_t m_users;
    int32_t m_items;
    int32_t m_dim;
    int m_threads;
    std::vector<float> m_gradP;  // users x dim, valid only for touched rows
    std::vector<float> m_gradQ;  // items x dim
    std::vector<float> m_gradB;  // items
    std::vector<uint8_t> m_touchedUser;
    std::vector<uint8_t> m_touchedItem;
    std::vector<std::vector<int32_t>> m_userLists;  // per thread: rows it touched this step
    std::vector<std::vector<int32_t>> m_itemLists;
    std::vector<float> m_coef;  // per triplet: sigmoid(-x)
    std::vector<double> m_lossParts;
};

}  // namespace recscope
