#pragma once
// Common base of the LibTorch NCF models (NeuralMF, NeuMF): binary cross-entropy on each
// training positive and `negatives` uniformly sampled non-positives, Adam, EpochTrainer with
// early stopping on validation NDCG@100, then (param `refit`, and only when the fit rule allows
// it: FitContext::refitOnValidation) a retrain on train + validation for the chosen epoch count. A
// subclass declares its parameters and how they map to the network's shape (NcfShape in NcfNet.h).

#include <functional>
#include <map>
#include <memory>

#include "core/models/Recommender.h"

namespace recscope {

struct NcfShape;

class NcfRecommender : public Recommender {
public:
    NcfRecommender();
    ~NcfRecommender() override;

    Status fit(const TrainData& data, const FitContext& context) override;
    bool usesDevice() const override { return true; }  // LibTorch: cpu or cuda
    int32_t numItems() const override;
    void scoreUsers(const int32_t* users, int64_t n, float* out) const override;
    Status save(const std::string& path) const override;
    Status load(const std::string& path) override;
    // Data-parallel: each rank trains on its shard of every batch (FitContext::parallel).
    bool canDistribute() const override { return true; }

    // Fold-in: only the user's embeddings (GMF and MLP) are optimised, from zero, on the
    // training loss (BCE, the history's positives against `negatives` uniform non-history
    // items each, resampled every step from a fixed seed) with every item embedding and
    // layer frozen; Adam, 150 steps at lr 0.05 on at most 64 positives (+ negatives) each.
    // No positive: the popularity fallback.
    bool canFoldIn() const override { return true; }
    Status scoreHistory(const std::vector<HistoryEntry>& history, float* out) const override;
    // The GMF tower's embeddings when the net has one (NeuMF: their product with the output
    // weights is the GMF part of the logit), else the MLP tower's (NeuralMF).
    bool hasEmbeddings() const override { return true; }
    EmbeddingTable itemEmbeddings() const override;
    EmbeddingTable userEmbeddings() const override;
    // Cosine of itemEmbeddings() rows.
    bool itemSimilarities(int32_t item, const int32_t* items, int64_t n, float* out) const override;

    struct State;  // opaque: the LibTorch network, defined in the .cpp

protected:
    // Parameters every NCF model has (factors, epochs, batch_size, lr, weight_decay, patience,
    // negatives, dropout) with the given defaults.
    static std::vector<ParamSpec> commonSpecs(int factors, int epochs, int batchSize, double lr,
                                              double weightDecay, int patience);
    // The network's shape for the current params() and the data's dimensions.
    virtual NcfShape shapeFor(int64_t users, int64_t items) const = 0;
    // > 0: pre-train the GMF and MLP towers of shapeFor() alone, then fine-tune the fused net
    // at this learning rate (NeuMF with pre-training). 0: train the net from scratch.
    virtual double fineTuneLearningRate() const { return 0.0; }

private:
    // Epochs each training phase ran to its best validation score (0 = not run or no
    // validation); reused as fixed counts by the refit on train + validation.
    struct NcfEpochs {
        int gmf = 0;
        int mlp = 0;
        int final = 0;
    };
    // Full-ranking validation metrics at K = 10 and 100 (null when the split has none), of
    // `users` only when non-empty.
    std::function<Result<std::map<std::string, double>>()> validation(
        const TrainData& data, const CancelToken* cancel, std::vector<int32_t> users) const;
    Status trainChain(const TrainData& data, const FitContext& context, NcfEpochs& epochs,
                      bool fixedEpochs);

    std::unique_ptr<State> m_state;
};

}  // namespace recscope
