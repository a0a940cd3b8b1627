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

    // Weighted squared error + L2 after each iteration of the last fit (non-increasing).
    const std::vector<double>& lossHistory() const { return m_loss; }

protected:
    Status fitModel(const TrainData& data, const FitContext& context) override;
    void scoreKnownUsers(const int32_t* users, int64_t n, float* out) const override;
    Status writeState(ModelFile& file) const override;
    Status readState(ModelFile& file) override;

private:
    int32_t m_factors = 0;
    std::vector<float> m_userFactors;  // numUsers x factors, row-major
    std::vector<float> m_itemFactors;  // numItems x factors, row-major
    std::vector<double> m_loss;
};

}  // namespace recscope
