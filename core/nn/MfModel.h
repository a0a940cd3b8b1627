#pragma once
// Explicit matrix factorisation with biases (seed 002, Koren's "biased MF"):
// r_hat(u, i) = mu + b_u + b_i + p_u . q_i, trained on every training rating with squared error
// plus L2 on the touched rows; mu is the training mean. SGD (sparse row updates, the classic
// Funk-SVD step on mini-batches) or Adam (dense autograd). Predicts ratings (clamped to the
// training range, for RMSE and MAE); scoreUsers() returns the unclamped predictions, so that
// ranking is not decided by ties at the top of the scale.

#include <memory>

#include "core/models/Recommender.h"

namespace recscope {

class MfModel : public Recommender {
public:
    MfModel();
    ~MfModel() override;

    std::string name() const override { return "mf"; }
    std::vector<ParamSpec> paramSpecs() const override;
    Status fit(const TrainData& data, const FitContext& context) override;
    bool usesDevice() const override { return true; }  // LibTorch: cpu or cuda
    int32_t numItems() const override;
    void scoreUsers(const int32_t* users, int64_t n, float* out) const override;
    bool predictsRatings() const override { return true; }
    // Predictions are clipped to the training rating range.
    void predictRatings(const int32_t* users, const int32_t* items, int64_t n,
                        float* out) const override;
    Status save(const std::string& path) const override;
    Status load(const std::string& path) override;

    // Fold-in: the user's factors and bias by least squares on every history rating against
    // the frozen item factors, item biases and mean, with the training objective's L2
    // (weight_decay per rating, on the factors and the bias): a (factors + 1)-sized ridge
    // solve. Scores are unclamped predictions, as scoreUsers(). No rating: mean + item bias.
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
