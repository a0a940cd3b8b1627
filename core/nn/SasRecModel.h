#pragma once
// SASRec (Kang & McAuley 2018), registry name "sasrec": causal self-attention over each user's
// time-ordered training history (SasRecNet.h), trained by next-item prediction at every
// position with Adam, early stopping on validation NDCG@10 (EpochTrainer), and (param `refit`,
// only under the fit rule's "auto") the validation part added: by default (refit_by=history) the
// same network reading train + validation histories, with refit_by=retraining a fresh network
// trained on train + validation for the chosen epoch count.
//
// Sequences (param `sequence`): by default every training rating is an interaction, in time
// order (ties by item id), as SASRec and RecBole use MovieLens: the model predicts what a user
// rates next, whatever the rating; `positives` keeps the ratings >= the split's threshold only.
// Objective (param `loss`): full softmax cross-entropy over the catalogue up to 20,000 items,
// above that a sampled softmax with logQ correction (SasRecTraining.h).
//
// Time: a known user is scored from the last max_len items of the history the model was
// fitted on (train, or train + validation after the refit or when the fit rule merged them),
// never from later items. scoreHistory() reads the given history in the given order (oldest
// first), so folding in a trained user's own sequence (userSequence()) gives scoreUsers().
//
// After fit()/load() the users' hidden states and the item table are held in memory (float,
// CPU) and every const call is safe from several threads. The header is torch-free (pimpl).

#include <memory>

#include "core/models/Recommender.h"

namespace recscope {

class SasRecModel : public Recommender {
public:
    SasRecModel();
    ~SasRecModel() override;

    std::string name() const override { return "sasrec"; }
    std::vector<ParamSpec> paramSpecs() const override;
    Status fit(const TrainData& data, const FitContext& context) override;
    bool usesDevice() const override { return true; }  // LibTorch: cpu or cuda
    int32_t numItems() const override;
    // Hidden state after the user's newest fitted item, times each item's embedding. Users
    // without a fitted sequence get the items' training popularity.
    void scoreUsers(const int32_t* users, int64_t n, float* out) const override;
    Status save(const std::string& path) const override;
    Status load(const std::string& path) override;

    // Fold-in: the history's items in the given order (oldest first; entries that are not
    // positive are dropped under sequence=positives; unknown ids ignored), the last max_len
    // of them. None left: the popularity fallback.
    bool canFoldIn() const override { return true; }
    Status scoreHistory(const std::vector<HistoryEntry>& history, float* out) const override;
    // Items: the (shared input/output) item embedding table. Users: their hidden states (zero
    // rows for users without a fitted sequence).
    bool hasEmbeddings() const override { return true; }
    EmbeddingTable itemEmbeddings() const override;
    EmbeddingTable userEmbeddings() const override;
    // Cosine of item embeddings.
    bool itemSimilarities(int32_t item, const int32_t* items, int64_t n, float* out) const override;

    // The items a known user is scored from, oldest first (at most max_len); empty for users
    // without a fitted sequence or out of range.
    std::vector<int32_t> userSequence(int32_t user) const;
    // Epochs the final weights were trained for (the best epoch under early stopping).
    int trainedEpochs() const;

    struct Impl;  // LibTorch state; defined in the .cpp only

private:
    std::unique_ptr<Impl> m_impl;
};

}  // namespace recscope
