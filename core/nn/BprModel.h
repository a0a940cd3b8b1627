#pragma once
// BPR-MF (Rendle et al. 2009): user and item factors (plus an optional item bias) trained with
// the pairwise loss -log sigmoid(x_ui - x_uj) on (user, positive, sampled negative) triplets;
// negatives uniform or popularity-weighted ("hard", seed 003). On the CPU a fused kernel
// (BprCpuKernel) does forward, backward and sparse SGD update; on CUDA the same mini-batch
// step runs through autograd. Both give the same weights up to float rounding. Data-parallel
// runs (FitContext::parallel) take the autograd step on every device: each rank
// differentiates its shard of the batch and the ranks exchange those gradient rows.

#include <memory>

#include "core/models/Recommender.h"

namespace recscope {

class BprModel : public Recommender {
public:
    BprModel();
    ~BprModel() override;

    std::string name() const override { return "bpr"; }
    std::vector<ParamSpec> paramSpecs() const override;
    Status fit(const TrainData& data, const FitContext& context) override;
    bool usesDevice() const override { return true; }  // LibTorch: cpu or cuda
    int32_t numItems() const override;
    void scoreUsers(const int32_t* users, int64_t n, float* out) const override;
    Status save(const std::string& path) const override;
    Status load(const std::string& path) override;
    // Data-parallel through the autograd step (the fused CPU kernel has no gradients to
    // exchange): any kernel setting but "fused".
    bool canDistribute() const override;

    // Fold-in: a user vector fitted to the history's positives by BPR SGD with the item
    // factors and biases frozen, from zero, `epochs` passes over the positives (the passes a
    // training user got), lr and weight_decay as trained, one uniform non-history negative per
    // positive from a fixed seed (deterministic). No positive: the popularity fallback.
    bool canFoldIn() const override { return true; }
    Status scoreHistory(const std::vector<HistoryEntry>& history, float* out) const override;
    bool hasEmbeddings() const override { return true; }
    EmbeddingTable itemEmbeddings() const override;  // item factors (biases not included)
    EmbeddingTable userEmbeddings() const override;  // user factors
    // Cosine of item factors.
    bool itemSimilarities(int32_t item, const int32_t* items, int64_t n, float* out) const override;

    struct State;  // opaque: LibTorch tensors, defined in the .cpp

private:
    std::unique_ptr<State> m_state;
};

}  // namespace recscope
