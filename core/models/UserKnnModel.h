#pragma once
// "userknn": user-based k-nearest neighbours. score(u, i) = sum of cosine(u, v) over u's
// `neighbours` most similar users v who have i among their training positives.

#include "core/models/ClassicModel.h"

namespace recscope {

class UserKnnModel : public ClassicModel {
public:
    std::string name() const override { return "userknn"; }
    std::vector<ParamSpec> paramSpecs() const override;

protected:
    Status fitModel(const TrainData& data, const FitContext& context) override;
    void scoreKnownUsers(const int32_t* users, int64_t n, float* out) const override;
    // Fold-in: the row's cosine to every training user (same shrink), its `neighbours` most
    // similar users, then the same vote as scoreKnownUsers(). A training user's own row
    // finds that user among its neighbours (training excludes self), so it differs there.
    void scoreItems(const int32_t* items, int64_t n, float* out) const override;
    Status writeState(ModelFile& file) const override;
    Status readState(ModelFile& file) override;

private:
    CsrMatrix m_neighbours;  // users x users, value = similarity
    CsrMatrix m_itemUsers;   // transposed(m_userItems), kept for the fold-in
};

}  // namespace recscope
