#pragma once
// NeuMF (He et al. 2017, seed 002): a GMF tower (element-wise product of F-dim embeddings) and
// an MLP tower (2^L F-wide concatenation halved down to F over L layers) fused by one output
// layer into a logit; binary cross-entropy with sampled uniform negatives. With `pretrain` the
// towers first train alone and the fused net is fine-tuned from them, as in the NCF paper.

#include "core/nn/NcfRecommender.h"

namespace recscope {

class NeuMfModel : public NcfRecommender {
public:
    std::string name() const override { return "neumf"; }
    std::vector<ParamSpec> paramSpecs() const override;

protected:
    NcfShape shapeFor(int64_t users, int64_t items) const override;
    double fineTuneLearningRate() const override;
};

}  // namespace recscope
