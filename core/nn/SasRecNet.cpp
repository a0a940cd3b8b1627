#include "core/nn/SasRecNet.h"

#include <cmath>
#include <limits>

#include "core/nn/ChunkedLinear.h"

namespace recscope {

namespace {

// BERT's initialisation (RecBole's SASRec too): N(0, 0.02) keeps the first logits small, so the
// first epoch's softmax is near uniform instead of saturated.
constexpr double kInitStd = 0.02;

torch::nn::LayerNorm layerNorm(int dim) {
    return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}));
}

}  // namespace

SasRecBlockImpl::SasRecBlockImpl(int dim, int heads, double dropout) : m_heads(heads) {
    m_ln1 = register_module("ln1", layerNorm(dim));
    m_query = register_module("query", torch::nn::Linear(dim, dim));
    m_key = register_module("key", torch::nn::Linear(dim, dim));
    m_value = register_module("value", torch::nn::Linear(dim, dim));
    m_out = register_module("out", torch::nn::Linear(dim, dim));
    m_ln2 = register_module("ln2", layerNorm(dim));
    m_ffn1 = register_module("ffn1", torch::nn::Linear(dim, dim));
    m_ffn2 = register_module("ffn2", torch::nn::Linear(dim, dim));
    m_dropout = register_module("dropout", FastDropout(dropout));
}

torch::Tensor SasRecBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& allowed) {
    const int64_t b = x.size(0);
    const int64_t l = x.size(1);
    const int64_t d = x.size(2);
    const int64_t dh = d / m_heads;
    // B x L x dim -> B x heads x L x dh
    auto split = [&](const torch::Tensor& t) {
        return t.view({b, l, m_heads, dh}).transpose(1, 2);
    };
    const auto a = m_ln1(x);
    const auto q = split(chunkedLinear(m_query, a));
    const auto k = split(chunkedLinear(m_key, a));
    const auto v = split(chunkedLinear(m_value, a));
    auto logits = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(static_cast<double>(dh));
    // -inf, not a large negative number: a disallowed key then gets exactly zero weight, so
    // padding cannot leak into a real position even by rounding.
    logits = logits.masked_fill(allowed.logical_not(), -std::numeric_limits<float>::infinity());
    const auto weights = m_dropout(torch::softmax(logits, -1));
    const auto context = torch::matmul(weights, v).transpose(1, 2).contiguous().view({b, l, d});
    auto h = x + m_dropout(chunkedLinear(m_out, context));
    const auto f = chunkedLinear(m_ffn2, m_dropout(torch::relu(chunkedLinear(m_ffn1, m_ln2(h)))));
    return h + m_dropout(f);
}

SasRecNetImpl::SasRecNetImpl(const SasRecNetConfig& config) : m_config(config) {
    TORCH_CHECK(config.numItems > 0 && config.maxLen > 0 && config.blocks >= 0 &&
                    config.heads > 0 && config.dim % config.heads == 0,
                "SasRecNet: bad shape");
    m_itemEmb = register_module(
        "item_emb",
        torch::nn::Embedding(torch::nn::EmbeddingOptions(config.numItems + 1, config.dim)
                                 .padding_idx(config.numItems)));
    m_posEmb = register_module("pos_emb", torch::nn::Embedding(config.maxLen, config.dim));
    {
        torch::NoGradGuard noGrad;
        torch::nn::init::normal_(m_itemEmb->weight, 0.0, kInitStd);
        torch::nn::init::normal_(m_posEmb->weight, 0.0, kInitStd);
        m_itemEmb->weight[config.numItems].zero_();
    }
    m_blocks = register_module("blocks", torch::nn::ModuleList());
    for (int i = 0; i < config.blocks; ++i)
        m_blocks->push_back(SasRecBlock(config.dim, config.heads, config.dropout));
    m_finalLn = register_module("final_ln", layerNorm(config.dim));
    m_dropout = register_module("dropout", FastDropout(config.dropout));
}

torch::Tensor SasRecNetImpl::attentionMask(const torch::Tensor& valid) {
    const int64_t l = valid.size(1);
    const auto options = torch::TensorOptions().dtype(torch::kBool).device(valid.device());
    const auto causal = torch::ones({l, l}, options).tril();
    const auto self = torch::eye(l, options);
    // B x L x L: key s is real, or is the query itself.
    const auto keys = valid.unsqueeze(1).logical_or(self.unsqueeze(0));
    return causal.unsqueeze(0).logical_and(keys).unsqueeze(1);
}

torch::Tensor SasRecNetImpl::forward(const torch::Tensor& items) {
    TORCH_CHECK(items.dim() == 2 && items.size(1) >= 1 && items.size(1) <= m_config.maxLen,
                "SasRecNet: input must be B x L with 1 <= L <= max_len");
    const int64_t l = items.size(1);
    const auto valid = items.ne(padding());
    const auto positions =
        torch::arange(m_config.maxLen - l, m_config.maxLen,
                      torch::TensorOptions().dtype(torch::kLong).device(items.device()));
    // sqrt(dim) scaling of the item embedding, as the paper's implementation does.
    auto x = m_itemEmb(items) * std::sqrt(static_cast<double>(m_config.dim)) +
             m_posEmb(positions).unsqueeze(0);
    x = m_dropout(x);
    const auto allowed = attentionMask(valid);
    for (const auto& block : *m_blocks)
        x = block->as<SasRecBlock>()->forward(x, allowed);
    return m_finalLn(x);
}

torch::Tensor SasRecNetImpl::last(const torch::Tensor& items) {
    return forward(items).select(1, items.size(1) - 1);
}

torch::Tensor SasRecNetImpl::itemTable() const {
    return m_itemEmb->weight.narrow(0, 0, m_config.numItems);
}

}  // namespace recscope
