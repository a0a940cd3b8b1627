#pragma once
// "ials": implicit-feedback ALS (Hu, Koren, Volinsky, ICDM 2008). Confidence 1 + alpha on
// training positives, 1 elsewhere (preference 0); exact Cholesky solve per user and per item,
// parallel over users/items. scores = x_u . y_i.

#include <vector>

#include "core/models/ClassicModel.h"

namespace recscope {

class AlsModel : public ClassicModel {
public:
    std::string name() const override { return "ials"; }
    std::vector<ParamSpec> paramSpecs() const override;
    bool hasEmbeddings() const override { return true; }
    EmbeddingTable itemEmbeddings() const override;
    EmbeddingTable userEmbeddings() const override;
    // Cosine of item factors.
    bool itemSimilarities(int32_t item, const int32_t* items, int64_t n, float* out) const override;

    // Weighted squared error + L2 after each iteration of the last fit (non-increasing).
    const std::vector<double>& lossHistory() const { return m_loss; }

protected:
    Status fitModel(const TrainData& data, const FitContext& context) override;
    void scoreKnownUsers(const int32_t* users, int64_t n, float* out) const override;
    // The user half-step of ALS for the history row: the same normal equation (confidence
    // 1 + alpha on the row's items, lambda) against the final item factors.
    void scoreItems(const int32_t* items, int64_t n, float* out) const override;
    Status writeState(ModelFile& file) const override;
    Status readState(ModelFile& file) override;

private:
    void updateItemGram();  // m_itemGram from the item factors and lambda

    int32_t m_factors = 0;
    std::vector<float> m_userFactors;  // numUsers x factors, row-major
    std::vector<float> m_itemFactors;  // numItems x factors, row-major
    std::vector<float> m_itemGram;     // factors x factors: Y^T Y + lambda I (fold-in)
    std::vector<double> m_loss;
};

}  // namespace recscope
