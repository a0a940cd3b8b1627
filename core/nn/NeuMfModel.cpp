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
    return specs;
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
