#pragma once
// NeuralMF (seed 003): user and item embeddings concatenated -> one hidden ReLU layer -> logit,
// binary cross-entropy with `negatives` uniform non-positives per positive.

#include "core/nn/NcfRecommender.h"

namespace recscope {

class NeuralMfModel : public NcfRecommender {
public:
    std::string name() const override { return "neuralmf"; }
    std::vector<ParamSpec> paramSpecs() const override;

protected:
    NcfShape shapeFor(int64_t users, int64_t items) const override;
};

}  // namespace recscope
