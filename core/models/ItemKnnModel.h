#pragma once
// "itemknn": item-based k-nearest neighbours. score(u, i) = sum of cosine(i, j) over the user's
// training items j among i's `neighbours` most similar items (shrunk cosine on binary data).

#include "core/models/ClassicModel.h"

namespace recscope {

class ItemKnnModel : public ClassicModel {
public:
    std::string name() const override { return "itemknn"; }
    std::vector<ParamSpec> paramSpecs() const override;
    // The weight item j's presence adds to `item`'s score: sim(item, j) when j is among
    // item's neighbours, else 0. Top-k truncation makes this asymmetric (j may be a neighbour
    // of item but not item of j); the model's own weight is returned, not a symmetrised one,
    // so the similarities over a user's items sum to the user's score of `item`.
    bool itemSimilarities(int32_t item, const int32_t* items, int64_t n, float* out) const override;

protected:
    Status fitModel(const TrainData& data, const FitContext& context) override;
    void scoreKnownUsers(const int32_t* users, int64_t n, float* out) const override;
    void scoreItems(const int32_t* items, int64_t n, float* out) const override;
    Status writeState(ModelFile& file) const override;
    Status readState(ModelFile& file) override;

private:
    // Row j: the items i that have j among their neighbours, value sim(i, j) (transposed
    // neighbour lists, so a user's score row is the sum of the rows of their items).
    CsrMatrix m_contrib;
};

}  // namespace recscope
