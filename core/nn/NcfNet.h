#pragma once
// The neural collaborative-filtering network shared by NeuralMF and NeuMF (He et al. 2017):
// an optional GMF tower (element-wise product of user and item embeddings) and an MLP tower
// over the concatenated user and item embeddings, fused by one output layer into a logit.
//   NeuralMF (seed 003): gmfDim 0, mlp [2d -> h] -> 1.
//   NeuMF (seed 002 / NCF): gmfDim F, mlp [4F -> 2F -> F], output over [GMF, MLP].
//   GMF alone (mlpDim 0) and the MLP alone (gmfDim 0) are NeuMF's pre-training towers.
// core/nn only (LibTorch).

#include <torch/torch.h>

#include <vector>

namespace recscope {

struct NcfShape {
    int64_t users = 0;
    int64_t items = 0;
    int64_t gmfDim = 0;               // 0: no GMF tower
    int64_t mlpDim = 32;              // embedding size per side of the MLP tower; 0: no MLP tower
    std::vector<int64_t> hidden{32};  // MLP layer widths after the concatenation (>= 1 layer
                                      // with an MLP tower); at least one tower must exist
    double dropout = 0.0;             // after every hidden ReLU
};

class NcfNetImpl : public torch::nn::Module {
public:
    explicit NcfNetImpl(const NcfShape& shape);

    // Logits for pairs: users, items are int64 index tensors of length B on the net's device.
    torch::Tensor forward(const torch::Tensor& users, const torch::Tensor& items);

    // Logits of users (int64, length n) against every item: n x items. The first MLP layer is
    // split into its user and item halves, so the work is O(n * items * hidden[0]) and the
    // n x items x hidden temporaries are chunked to bound memory. Call under NoGradGuard.
    torch::Tensor scoreAll(const torch::Tensor& users) const;
    // The same for users given by their embeddings: gmfUser n x gmfDim (undefined without a
    // GMF tower), mlpUser n x mlpDim (undefined without an MLP tower). Call under NoGradGuard.
    torch::Tensor scoreAllVectors(const torch::Tensor& gmfUser, const torch::Tensor& mlpUser) const;

    // Embedding tables (undefined when the tower is absent).
    torch::Tensor gmfUserWeight() const { return m_gmfUser ? m_gmfUser->weight : torch::Tensor(); }
    torch::Tensor gmfItemWeight() const { return m_gmfItem ? m_gmfItem->weight : torch::Tensor(); }
    torch::Tensor mlpUserWeight() const { return m_mlpUser ? m_mlpUser->weight : torch::Tensor(); }
    torch::Tensor mlpItemWeight() const { return m_mlpItem ? m_mlpItem->weight : torch::Tensor(); }

    // NeuMF pre-training (He et al. 2017, sec. 3.4.1): copies the embeddings and layers of a
    // trained GMF-only net and a trained MLP-only net of matching sizes into this fused net; the
    // output layer becomes [alpha * GMF's, (1 - alpha) * MLP's], its bias likewise.
    void fuseTowers(const NcfNetImpl& gmf, const NcfNetImpl& mlp, double alpha);

    // The MLP layers (input first) and the output layer, for the fold-in's own arithmetic.
    const std::vector<torch::nn::Linear>& layers() const { return m_layers; }
    const torch::nn::Linear& outLayer() const { return m_out; }

    const NcfShape& shape() const { return m_shape; }
    bool hasMlp() const { return m_shape.mlpDim > 0; }

private:
    // n x items, no output bias; userRows: the users' MLP embeddings (n x mlpDim).
    torch::Tensor scoreMlp(const torch::Tensor& userRows) const;

    NcfShape m_shape;
    torch::nn::Embedding m_gmfUser{nullptr}, m_gmfItem{nullptr};
    torch::nn::Embedding m_mlpUser{nullptr}, m_mlpItem{nullptr};
    std::vector<torch::nn::Linear> m_layers;
    torch::nn::Linear m_out{nullptr};
};
TORCH_MODULE(NcfNet);

}  // namespace recscope
