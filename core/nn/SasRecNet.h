#pragma once
// SASRec's network (Kang & McAuley 2018; internal to SasRecModel, include only from
// core/nn/*.cpp): item + learned position embeddings, `blocks` pre-LayerNorm transformer blocks
// of causal multi-head self-attention and a point-wise feed-forward net, a final LayerNorm.
// Scores are the hidden state times the item embedding table (shared input/output embeddings).
//
// Input: B x L int64 item ids on the module's device, right-aligned (the most recent item in
// the last column, L <= maxLen) and padded on the left with padding() (= numItems). Column j
// gets position maxLen - L + j, so a sequence gets the same positions whatever the batch's
// width, and padding never changes a real position's output: the attention of a real position
// skips padded keys. The attention is written out (q/k/v linears, masked softmax) so that the
// causal mask is explicit and the code builds on LibTorch 1.13 and 2.x alike.

#include <torch/torch.h>

#include "core/nn/FastDropout.h"

namespace recscope {

struct SasRecNetConfig {
    int32_t numItems = 0;
    int maxLen = 50;  // positions
    int dim = 64;     // embedding and hidden size; a multiple of heads
    int blocks = 2;
    int heads = 1;
    double dropout = 0.2;  // embeddings, attention weights, residual branches (training only)
};

// One block: x + drop(attention(LN1(x))), then x + drop(ffn(LN2(x))).
class SasRecBlockImpl : public torch::nn::Module {
public:
    SasRecBlockImpl(int dim, int heads, double dropout);

    // x: B x L x dim. allowed: B x 1 x L x L bool (query row, key column), true where the query
    // may attend to the key; every row has at least one true entry.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& allowed);

private:
    int m_heads;
    torch::nn::LayerNorm m_ln1{nullptr};
    torch::nn::Linear m_query{nullptr};
    torch::nn::Linear m_key{nullptr};
    torch::nn::Linear m_value{nullptr};
    torch::nn::Linear m_out{nullptr};
    torch::nn::LayerNorm m_ln2{nullptr};
    torch::nn::Linear m_ffn1{nullptr};
    torch::nn::Linear m_ffn2{nullptr};
    FastDropout m_dropout{nullptr};
};
TORCH_MODULE(SasRecBlock);

class SasRecNetImpl : public torch::nn::Module {
public:
    explicit SasRecNetImpl(const SasRecNetConfig& config);

    // items: B x L (see above). Returns B x L x dim hidden states; the state at column t
    // depends on columns <= t only.
    torch::Tensor forward(const torch::Tensor& items);
    // The hidden state at the last column: B x dim (the user's state after the newest item).
    torch::Tensor last(const torch::Tensor& items);

    // Item embeddings without the padding row: numItems x dim (a view of the weights).
    torch::Tensor itemTable() const;
    int64_t padding() const { return m_config.numItems; }
    const SasRecNetConfig& config() const { return m_config; }

    // The attention pattern forward() uses: B x 1 x L x L bool from the B x L padding mask
    // `valid` (true for real items). Query t may attend to key s when s <= t and s holds an
    // item; a padded query attends to itself only (its output is never read).
    static torch::Tensor attentionMask(const torch::Tensor& valid);

private:
    SasRecNetConfig m_config;
    torch::nn::Embedding m_itemEmb{nullptr};
    torch::nn::Embedding m_posEmb{nullptr};
    torch::nn::ModuleList m_blocks{nullptr};
    torch::nn::LayerNorm m_finalLn{nullptr};
    FastDropout m_dropout{nullptr};
};
TORCH_MODULE(SasRecNet);

}  // namespace recscope
