#pragma once
// "itemknn": item-based k-nearest neighbours. score(u, i) = sum of cosine(i, j) over the user's
// training items j among i's `neighbours` most similar items (shrunk cosine on binary data).

#include "core/models/ClassicModel.h"

namespace recscope {

class ItemKnnModel : public ClassicModel {
public:
    std::string name() const override { return "itemknn"; }
    std::vector<ParamSpec> paramSpecs() const override;

protected:
    Status fitModel(const TrainData& data, const FitContext& context) override;
    void scoreKnownUsers(const int32_t* users, int64_t n, float* out) const override;
    Status writeState(ModelFile& file) const override;
    Status readState(ModelFile& file) override;

private:
    // Row j: the items i that have j among their neighbours, value sim(i, j) (transposed
    // neighbour lists, so a user's score row is the sum of the rows of their items).
    CsrMatrix m_contrib;
};

}  // namespace recscope
