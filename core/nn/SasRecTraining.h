#pragma once
// What SASRec trains on and how (internal to SasRecModel; include only from core/nn/*.cpp):
// each user's time-ordered item sequence, cut into windows of at most max_len inputs, and the
// EpochModel that trains SasRecNet on them by next-item prediction at every position.

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <vector>

#include "core/models/Params.h"
#include "core/nn/SasRecNet.h"
#include "core/train/EpochModel.h"

namespace recscope {

struct TrainData;

// Per user, item ids oldest first (CSR layout: user u's items are
// items[offsets[u] .. offsets[u + 1])).
struct ItemSequences {
    std::vector<int64_t> offsets{0};  // users + 1
    std::vector<int32_t> items;
    // Per item of `items`: rated >= the split's threshold (1), else 0. Filled by
    // timeOrderedSequences(); empty means every item counts as positive.
    std::vector<char> positive;

    int32_t users() const { return static_cast<int32_t>(offsets.size()) - 1; }
    int64_t length(int32_t user) const { return offsets[user + 1] - offsets[user]; }
    const int32_t* begin(int32_t user) const { return items.data() + offsets[user]; }
};

// The training part's interactions of each user ordered by timestamp, ties in the split's own
// row order: the dataset's time order, stable with respect to the file (Dataset.h), the order
// that decided which of a user's tied ratings went to validation and test. Ties by item id
// instead taught SASRec an order the data does not have: half the consecutive ratings of an
// ML-100K user share a timestamp, and u.data is randomly ordered, so within a burst "the next
// item has a higher id" held in training only (temporal Recall@10, 4 seeds: 0.144 by id,
// 0.161 in file order). positivesOnly: ratings >= the split's threshold only; otherwise
// every rating (SASRec's implicit setting). Without a split, the rows of data.allRatings (or
// data.positives) in item order: there is no time to read.
ItemSequences timeOrderedSequences(const TrainData& data, bool positivesOnly);

// The last `maxLen` items of each user's sequence: all a trained model reads of a known user.
ItemSequences lastItems(const ItemSequences& sequences, int maxLen);

// Training sequences as right-aligned, left-padded B x L int64 rows (L = the longest row,
// at most maxLen; padding id = numItems), built on the CPU.
torch::Tensor paddedRows(const std::vector<std::vector<int64_t>>& rows, int64_t padding);

// The training objective: next-item cross-entropy at every position of each window.
// Full softmax over the catalogue, or (sampled) a softmax over the target and `negatives` items
// drawn with replacement by training frequency q, shared by the batch, with every logit
// corrected by -log q (logQ; Bengio & Senecal, Yi et al. 2019) and negatives equal to the
// target removed.
enum class SasRecLoss { Full, Sampled };

class SasRecTraining : public EpochModel {
public:
    // net: built and on `device`; sequences: the users' full training sequences. Parameters
    // read: batch_size, lr, weight_decay, negatives, horizon (absent = 1), targets ("positives":
    // only items rated >= the threshold are targets; absent = every item), mask_seen (absent =
    // false). `prepare` is called by prepareScoring().
    SasRecTraining(SasRecNet net, const ItemSequences& sequences, const ParamValues& params,
                   SasRecLoss loss, torch::Device device, uint64_t seed,
                   std::function<void()> prepare);

    int64_t beginEpoch(int epoch) override;
    double trainBatch(int64_t batch) override;
    void snapshot() override;
    void restoreSnapshot() override;
    void prepareScoring() override;
    // Predicted positions (next-item targets) of the epoch.
    int64_t epochSamples() const override { return m_targets; }

private:
    // One window: the targets sequence[end - length + 1 .. end] of `user`, predicted from the
    // items one step earlier.
    struct Window {
        int32_t user;
        int64_t end;
        int64_t length;
    };

    // The sampled softmax's mean cross-entropy of P targets from their P x dim hidden states.
    // seen (or empty): given the drawn negatives (K item ids), P x K, true where a negative is
    // left out of that row.
    torch::Tensor sampledLoss(const torch::Tensor& hidden, const torch::Tensor& targets,
                              const std::function<torch::Tensor(const torch::Tensor&)>& seen);
    // mask_seen: a row per position of windows [first, last) that has a target (rows: the
    // B x width CPU mask of such positions, laid out as paddedRows() lays out the windows), in
    // row-major order; a column per item (columns undefined) or per item id in `columns`;
    // true where the item is one the user rated at or before that position (in the whole
    // sequence, not only the window) and is none of the position's own targets. On the CPU.
    torch::Tensor seenMask(int64_t first, int64_t last, const torch::Tensor& rows,
                           const torch::Tensor& columns) const;

    SasRecNet m_net;
    const ItemSequences& m_sequences;
    SasRecLoss m_loss;
    torch::Device m_device;
    std::mt19937_64 m_rng;
    std::function<void()> m_prepare;
    int64_t m_batch;
    int64_t m_negatives;
    // Each position also predicts the items 2..horizon steps ahead (inside the user's training
    // sequence), each a cross-entropy term of the same weight as the next item's.
    int64_t m_horizon = 1;
    bool m_positiveTargets = false;
    // Items the user rated earlier are no competitors in the softmax (evaluation never ranks
    // them either).
    bool m_maskSeen = false;
    int64_t m_targets = 0;
    std::vector<Window> m_windows;
    torch::Tensor m_sampling;  // numItems sampling weights (sampled loss)
    torch::Tensor m_logQ;      // numItems log q (sampled loss)
    std::unique_ptr<torch::optim::Adam> m_opt;
    std::vector<torch::Tensor> m_best;
};

}  // namespace recscope
