#include "core/nn/NcfNet.h"

#include <algorithm>

#include "core/models/Blas.h"
#include "core/nn/ChunkedLinear.h"
#include "core/nn/FastDropout.h"

namespace recscope {

namespace {

// The MLP layers multiply through chunkedLinear (ChunkedLinear.h says why).
torch::Tensor linear(const torch::Tensor& x, const torch::nn::Linear& layer) {
    return chunkedLinear(x, layer->weight, layer->bias);
}

}  // namespace

NcfNetImpl::NcfNetImpl(const NcfShape& shape) : m_shape(shape) {
    // Small normal embeddings as in the NCF reference code; Linear keeps its default init.
    auto embedding = [&](const std::string& name, int64_t rows, int64_t dim) {
        auto e = register_module(name, torch::nn::Embedding(rows, dim));
        torch::NoGradGuard noGrad;
        e->weight.normal_(0.0, 0.01);
        return e;
    };
    if (shape.gmfDim > 0) {
        m_gmfUser = embedding("gmf_user", shape.users, shape.gmfDim);
        m_gmfItem = embedding("gmf_item", shape.items, shape.gmfDim);
    }
    int64_t in = 0;
    if (hasMlp()) {
        m_mlpUser = embedding("mlp_user", shape.users, shape.mlpDim);
        m_mlpItem = embedding("mlp_item", shape.items, shape.mlpDim);
        in = 2 * shape.mlpDim;
        for (size_t l = 0; l < shape.hidden.size(); ++l) {
            m_layers.push_back(
                register_module("mlp" + std::to_string(l), torch::nn::Linear(in, shape.hidden[l])));
            in = shape.hidden[l];
        }
    }
    m_out = register_module("out", torch::nn::Linear(in + shape.gmfDim, 1));
}

torch::Tensor NcfNetImpl::forward(const torch::Tensor& users, const torch::Tensor& items) {
    torch::Tensor h;
    if (hasMlp()) {
        h = torch::cat({m_mlpUser(users), m_mlpItem(items)}, 1);
        for (auto& layer : m_layers) {
            h = torch::relu(linear(h, layer));
            if (m_shape.dropout > 0.0)
                h = fastDropout(h, m_shape.dropout, is_training());
        }
    }
    if (m_shape.gmfDim > 0) {
        auto g = m_gmfUser(users) * m_gmfItem(items);
        h = h.defined() ? torch::cat({g, h}, 1) : g;
    }
    return linear(h, m_out).squeeze(1);
}

void NcfNetImpl::fuseTowers(const NcfNetImpl& gmf, const NcfNetImpl& mlp, double alpha) {
    torch::NoGradGuard noGrad;
    const int64_t g = m_shape.gmfDim;
    const int64_t last = m_shape.hidden.back();
    m_gmfUser->weight.copy_(gmf.m_gmfUser->weight);
    m_gmfItem->weight.copy_(gmf.m_gmfItem->weight);
    m_mlpUser->weight.copy_(mlp.m_mlpUser->weight);
    m_mlpItem->weight.copy_(mlp.m_mlpItem->weight);
    for (size_t l = 0; l < m_layers.size(); ++l) {
        m_layers[l]->weight.copy_(mlp.m_layers[l]->weight);
        m_layers[l]->bias.copy_(mlp.m_layers[l]->bias);
    }
    m_out->weight.narrow(1, 0, g).copy_(gmf.m_out->weight * alpha);
    m_out->weight.narrow(1, g, last).copy_(mlp.m_out->weight * (1.0 - alpha));
    m_out->bias.copy_(gmf.m_out->bias * alpha + mlp.m_out->bias * (1.0 - alpha));
}

torch::Tensor NcfNetImpl::scoreMlp(const torch::Tensor& userRows) const {
    const int64_t n = userRows.size(0);
    const int64_t items = m_shape.items;
    const int64_t h0 = m_shape.hidden.front();
    const int64_t inDim = m_shape.mlpDim;
    const auto& w0 = m_layers.front()->weight;  // h0 x 2*mlpDim: [user half | item half]
    auto userPart =
        torch::addmm(m_layers.front()->bias, userRows, w0.narrow(1, 0, inDim).t());  // n x h0
    auto itemPart = torch::mm(m_mlpItem->weight, w0.narrow(1, inDim, inDim).t());    // items x h0
    const int64_t last = m_shape.hidden.back();
    auto mlpOut = m_out->weight.narrow(1, m_shape.gmfDim, last).squeeze(0);  // last

    auto scores = torch::empty({n, items}, userPart.options());
    // About 1M floats (4 MB) per hidden temporary: small enough to stay in cache, large enough
    // that per-op overhead does not matter.
    const int64_t chunk =
        std::max<int64_t>(1, (int64_t(1) << 20) / std::max<int64_t>(1, items * h0));
    for (int64_t begin = 0; begin < n; begin += chunk) {
        const int64_t len = std::min(chunk, n - begin);
        auto h =
            (userPart.narrow(0, begin, len).unsqueeze(1) + itemPart.unsqueeze(0)).clamp_min_(0);
        h = h.reshape({len * items, h0});
        for (size_t l = 1; l < m_layers.size(); ++l) {
            const auto& layer = m_layers[l];
            h = chunkedLinearForward(h, layer->weight, layer->bias).clamp_min_(0);
        }
        scores.narrow(0, begin, len).copy_(h.matmul(mlpOut).reshape({len, items}));
    }
    return scores;
}

torch::Tensor NcfNetImpl::scoreAll(const torch::Tensor& users) const {
    return scoreAllVectors(m_gmfUser ? m_gmfUser->weight.index_select(0, users) : torch::Tensor(),
                           hasMlp() ? m_mlpUser->weight.index_select(0, users) : torch::Tensor());
}

torch::Tensor NcfNetImpl::scoreAllVectors(const torch::Tensor& gmfUser,
                                          const torch::Tensor& mlpUser) const {
    const int64_t n = gmfUser.defined() ? gmfUser.size(0) : mlpUser.size(0);
    const int64_t items = m_shape.items;
    const auto& wOut = m_out->weight;  // 1 x (gmfDim + last)
    auto scores = hasMlp() ? scoreMlp(mlpUser) : torch::zeros({n, items}, wOut.options());
    if (m_shape.gmfDim > 0) {
        auto gmfOut = wOut.narrow(1, 0, m_shape.gmfDim).squeeze(0);
        auto gu = (gmfUser * gmfOut.unsqueeze(0)).contiguous();
        if (scores.is_cpu()) {
            const int64_t g = m_shape.gmfDim;
            const auto itemWeight = m_gmfItem->weight.contiguous();
            blas::gemmNT(n, items, g, 1.0f, gu.data_ptr<float>(), g, itemWeight.data_ptr<float>(),
                         g, 1.0f, scores.data_ptr<float>(), items);
        } else {
            scores.addmm_(gu, m_gmfItem->weight.t());
        }
    }
    return scores.add_(m_out->bias);
}

}  // namespace recscope
