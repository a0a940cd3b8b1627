#pragma once
// "ease": EASE^R (Steck, WWW 2019), a closed-form item-item model.
// B = I - P diag(1/diag(P)), P = (X^T X + lambda I)^-1 over the items with training positives;
// scores = x_u B. Dense in the active items: memory 2 n^2 floats, fit about n^3 multiply-adds.

#include <vector>

#include "core/models/ClassicModel.h"

namespace recscope {

class EaseModel : public ClassicModel {
public:
    std::string name() const override { return "ease"; }
    std::vector<ParamSpec> paramSpecs() const override;
    // B(j, item): what item j in a user's row adds to `item`'s score (0 for inactive items).
    bool itemSimilarities(int32_t item, const int32_t* items, int64_t n, float* out) const override;

protected:
    Status fitModel(const TrainData& data, const FitContext& context) override;
    void scoreKnownUsers(const int32_t* users, int64_t n, float* out) const override;
    void scoreItems(const int32_t* items, int64_t n, float* out) const override;
    Status writeState(ModelFile& file) const override;
    Status readState(ModelFile& file) override;

private:
    std::vector<int32_t> m_active;  // item id per active index (items with training positives)
    std::vector<int32_t> m_index;   // active index per item id, -1 if inactive
    std::vector<float> m_weights;   // active x active, row-major: row i = item i's contributions
};

}  // namespace recscope
