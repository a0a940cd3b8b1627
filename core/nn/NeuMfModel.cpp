#include "core/nn/NeuMfModel.h"

#include "core/nn/NcfNet.h"

namespace recscope {

std::vector<ParamSpec> NeuMfModel::paramSpecs() const {
    auto specs = commonSpecs(16, 20, 4096, 0.005, 0.0, 3);
    specs.push_back({"layers",
                     ParamType::Int,
                     "2",
                     1,
                     5,
                     {},
                     "MLP tower depth; widths halve from 2^layers x factors down to factors"});
    // Off by default: pre-training helped leave-one-out on ML-100K a little but cost the
    // temporal protocol on ml-latest-small its lead over popularity.
    specs.push_back({"pretrain",
                     ParamType::Bool,
                     "false",
                     0,
                     0,
                     {},
                     "Pre-train the GMF and MLP towers alone, then fine-tune them fused (NCF)"});
    specs.push_back({"finetune_lr",
                     ParamType::Float,
                     "0.001",
                     0.0,
                     10.0,
                     {},
                     "Learning rate of the fused net after pre-training"});
    return specs;
}

double NeuMfModel::fineTuneLearningRate() const {
    return params().getBool("pretrain") ? params().getFloat("finetune_lr") : 0.0;
}

NcfShape NeuMfModel::shapeFor(int64_t users, int64_t items) const {
    const int64_t f = params().getInt("factors");
    const int64_t layers = params().getInt("layers");
    NcfShape shape;
    shape.users = users;
    shape.items = items;
    shape.gmfDim = f;
    shape.mlpDim = f << (layers - 1);
    shape.hidden.clear();
    for (int64_t l = layers - 1; l >= 0; --l)
        shape.hidden.push_back(f << l);
    shape.dropout = params().getFloat("dropout");
    return shape;
}

}  // namespace recscope
