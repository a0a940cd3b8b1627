#pragma once
// "puresvd": PureSVD (Cremonesi et al., RecSys 2010). V = the top `rank` right singular vectors
// of the binary user-item matrix X (eigenvectors of X^T X, by randomized subspace iteration);
// scores = x_u V V^T.

#include <vector>

#include "core/models/ClassicModel.h"

namespace recscope {

class PureSvdModel : public ClassicModel {
public:
    std::string name() const override { return "puresvd"; }
    std::vector<ParamSpec> paramSpecs() const override;
    // Items: V (numItems x rank). Users: x_u V, the projection scoreUsers() multiplies by V^T.
    bool hasEmbeddings() const override { return true; }
    EmbeddingTable itemEmbeddings() const override;
    EmbeddingTable userEmbeddings() const override;
    // Cosine of rows of V.
    bool itemSimilarities(int32_t item, const int32_t* items, int64_t n, float* out) const override;

protected:
    Status fitModel(const TrainData& data, const FitContext& context) override;
    void scoreKnownUsers(const int32_t* users, int64_t n, float* out) const override;
    // r V V^T for the history row r.
    void scoreItems(const int32_t* items, int64_t n, float* out) const override;
    Status writeState(ModelFile& file) const override;
    Status readState(ModelFile& file) override;

private:
    int32_t m_rank = 0;
    std::vector<float> m_itemFactors;  // numItems x m_rank, row-major (V)
};

}  // namespace recscope
