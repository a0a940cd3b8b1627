#pragma once
// Two-tower retriever (seed 000), registry name "twotower".
//
// User tower: [user ID embedding ; history] -> MLP -> L2 normalise, where the history is the
// mean of the user's history-item embeddings (user_tower=mean) or SASRec's causal
// self-attention over the user's last seq_len training positives in time order, read after the
// newest (user_tower=attention; trained to pair the vector after each positive with the next
// one, so a target is never predicted from later items). Item tower: [item ID embedding ; genre
// multi-hot -> linear ; year-bucket embedding] -> MLP -> L2 normalise. Trained with InfoNCE over
// in-batch negatives (InfoNceLoss.h): temperature fixed or learned, in-batch collisions masked,
// optional logQ correction. Scores are plain cosines, as the seed evaluates (logQ only shapes
// training).
//
// During training the history bag of a (user, item) row leaves that item out, so the tower
// cannot score a positive by finding it in its own input; with probability user_dropout the
// user ID embedding is zeroed, which teaches the tower to work from history alone: that is
// what scoreHistory() / scoreItemHistory() (fold-in of a user absent from training) rely on.
//
// After fit()/load() the user and item vectors are held in memory (float, CPU) and every const
// call is safe from several threads. The header is torch-free (pimpl).

#include <memory>

#include "core/models/Recommender.h"

namespace recscope {

struct FitStats {
    int epochs = 0;          // epochs run
    int bestEpoch = 0;       // 1-based epoch whose weights were kept (= epochs without validation)
    bool validated = false;  // bestEpoch was chosen on the validation part
    int64_t samples = 0;     // training rows processed (all epochs)
    double seconds = 0.0;    // time spent in training batches (validation excluded)
};

class TwoTowerModel : public Recommender {
public:
    TwoTowerModel();
    ~TwoTowerModel() override;

    std::string name() const override { return "twotower"; }
    std::vector<ParamSpec> paramSpecs() const override;
    Status fit(const TrainData& data, const FitContext& context) override;
    bool usesDevice() const override { return true; }  // LibTorch: cpu or cuda
    int32_t numItems() const override;
    // Cosine of user and item vectors. Users without training positives (or beyond the trained
    // range) get the items' log popularity, scaled into [-1, 1].
    void scoreUsers(const int32_t* users, int64_t n, float* out) const override;
    Status save(const std::string& path) const override;
    Status load(const std::string& path) override;
    // Data-parallel: towers on each rank's shard, the in-batch softmax over the gathered batch
    // (the mean tower only).
    bool canDistribute() const override;

    // Fold-in: scores every item for a user known only by the items they liked (n ids; any
    // order for the mean tower, oldest first for the attention tower, which reads the last
    // seq_len; unknown ids ignored). out: numItems() floats, caller-owned. With the history
    // feature the user tower runs on a zero ID embedding and the mean history embedding;
    // without it the user vector is the normalised mean of the items' vectors. n == 0 gives
    // the popularity fallback.
    void scoreItemHistory(const int32_t* items, int64_t n, float* out) const;
    // The same user vector scoreItemHistory() uses (dim() floats, L2-normalised).
    void historyVector(const int32_t* items, int64_t n, float* out) const;

    // Recommender fold-in: scoreItemHistory() of the history's positive items.
    bool canFoldIn() const override { return true; }
    Status scoreHistory(const std::vector<HistoryEntry>& history, float* out) const override;
    // The towers' outputs: itemVectors() and userVectors() (zero rows for unknown users).
    bool hasEmbeddings() const override { return true; }
    EmbeddingTable itemEmbeddings() const override;
    EmbeddingTable userEmbeddings() const override;
    // Cosine of item vectors.
    bool itemSimilarities(int32_t item, const int32_t* items, int64_t n, float* out) const override;

    int dim() const;
    int32_t numUsers() const;
    // numItems() x dim(), row-major, L2-normalised. Valid until the next fit()/load().
    const float* itemVectors() const;
    // numUsers() x dim(); rows of users without training positives are zero.
    const float* userVectors() const;
    // What the user tower reads of a known user: the mean tower's bag (sorted ids) or the
    // attention tower's sequence (oldest first, at most seq_len); empty for unknown users.
    std::vector<int32_t> userHistory(int32_t user) const;
    // True when the user had training positives (its vector is meaningful).
    bool knownUser(int32_t user) const;
    // Items' log popularity scaled into [-1, 1] (the fallback score); numItems().
    const float* fallbackScores() const;

    const FitStats& fitStats() const { return m_stats; }
    double temperature() const;  // learned or fixed value after fit

    struct Impl;  // LibTorch state; defined in the .cpp only

private:
    // One training run on `data`: early stopping on its validation part, or exactly
    // fixedEpochs epochs (> 0) without validation.
    Status fitOnce(const TrainData& data, const FitContext& context, int fixedEpochs);

    std::unique_ptr<Impl> m_impl;
    FitStats m_stats;
};

}  // namespace recscope
