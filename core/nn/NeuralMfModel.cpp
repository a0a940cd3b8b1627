#include "core/nn/NeuralMfModel.h"

#include "core/nn/NcfNet.h"

namespace recscope {

std::vector<ParamSpec> NeuralMfModel::paramSpecs() const {
    auto specs = commonSpecs(32, 20, 4096, 0.01, 0.0, 3);
    specs.push_back({"hidden",
                     ParamType::Int,
                     "64",
                     1,
                     4096,
                     {},
                     "Width of the hidden layer over the concatenated embeddings"});
    return specs;
}

NcfShape NeuralMfModel::shapeFor(int64_t users, int64_t items) const {
    NcfShape shape;
    shape.users = users;
    shape.items = items;
    shape.gmfDim = 0;
    shape.mlpDim = params().getInt("factors");
    shape.hidden = {params().getInt("hidden")};
    shape.dropout = params().getFloat("dropout");
    return shape;
}

}  // namespace recscope
