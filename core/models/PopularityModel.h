#pragma once
// "pop": every user gets the items ranked by training-positive count. The baseline every other
// model must beat.

#include "core/models/ClassicModel.h"

namespace recscope {

class PopularityModel : public ClassicModel {
public:
    std::string name() const override { return "pop"; }
    std::vector<ParamSpec> paramSpecs() const override { return {}; }

protected:
    Status fitModel(const TrainData& data, const FitContext& context) override { return {}; }
    void scoreKnownUsers(const int32_t* users, int64_t n, float* out) const override;
    void scoreItems(const int32_t* items, int64_t n, float* out) const override;
    Status writeState(ModelFile& file) const override { return {}; }
    Status readState(ModelFile& file) override { return {}; }
};

}  // namespace recscope
