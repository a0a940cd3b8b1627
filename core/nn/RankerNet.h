#pragma once
// The ranker's network (internal to RankerModel; include only from core/nn/*.cpp).
// Inputs are int64 id tensors on the module's device; output is B logits.

#include <torch/torch.h>

#include "core/pipeline/ItemFeatures.h"

namespace recscope {

struct RankerNetConfig {
    int32_t numUsers = 0;
    int32_t numItems = 0;
    bool ids = true;  // user and item ID embeddings (with their IsUnknown flags)
    int embedding = 32;
    int depth = 2;
    int width = 128;
    int numGenres = 0;
    bool years = false;
    bool retrieverScore = false;  // one extra scalar input
    bool retrieverRank = false;   // the candidate's rank in the retriever's list / N, in [0, 1]
    int contextFeatures = 0;      // dense per-pair inputs (ContextFeatures::kCount or 0)
    int secondInputs = 0;  // a second model's inputs (RankerCandidates.h): kSecondInputs or 0
};

class RankerNetImpl : public torch::nn::Module {
public:
    explicit RankerNetImpl(const RankerNetConfig& config);

    // popularity: numItems values in [0, 1]; userKnown / itemKnown: 1 for ids seen in training.
    void setTables(const ItemFeatures& features, const std::vector<float>& popularity,
                   const std::vector<float>& userKnown, const std::vector<float>& itemKnown);

    // Replaces the popularity table only (holdout training sees the popularity of the first
    // stage's data, serving that of the whole training part).
    void setPopularity(const std::vector<float>& popularity);

    // keepUser / keepItem: B floats (1 keep, 0 dropped) or undefined (= keep). retrieverScore,
    // retrieverRank: B floats, only read when the config asks for them. context: B x
    // contextFeatures floats (undefined = zeros). second: B x secondInputs floats (undefined =
    // score 0, rank 1).
    torch::Tensor forward(const torch::Tensor& userIds, const torch::Tensor& itemIds,
                          const torch::Tensor& keepUser, const torch::Tensor& keepItem,
                          const torch::Tensor& retrieverScore,
                          const torch::Tensor& retrieverRank = {},
                          const torch::Tensor& context = {}, const torch::Tensor& second = {});

    const RankerNetConfig& config() const { return m_config; }
    // The ID tables a batch touches a few rows of: trained by RowSparseAdam.
    std::vector<torch::Tensor> embeddingTables() const;

private:
    RankerNetConfig m_config;
    torch::nn::Embedding m_userEmb{nullptr};
    torch::nn::Embedding m_itemEmb{nullptr};
    torch::nn::Linear m_genreProj{nullptr};
    torch::nn::Embedding m_yearEmb{nullptr};
    torch::nn::Sequential m_mlp{nullptr};
    torch::Tensor m_genreMasks;   // int64 numItems
    torch::Tensor m_genreBits;    // int64 numGenres
    torch::Tensor m_yearBuckets;  // int64 numItems
    torch::Tensor m_popularity;   // float numItems
    torch::Tensor m_userKnown;    // float numUsers
    torch::Tensor m_itemKnown;    // float numItems
};
TORCH_MODULE(RankerNet);

// Listwise softmax loss (the ranker's loss "list"): the logits of whole candidate lists laid end
// to end, list l spanning [offsets[l], offsets[l + 1]), labels 1 on its positives. Each
// positive p of a list is scored against all the list's negatives,
//   -log(exp(s_p) / (exp(s_p) + sum over negatives n of exp(s_n))),
// averaged over the list's positives, then over the lists that have a positive and a negative
// (every user weighs the same, as in the per-user test metrics). No such list: 0.
torch::Tensor listSoftmaxLoss(const torch::Tensor& logits, const std::vector<int64_t>& offsets,
                              const std::vector<uint8_t>& labels);

}  // namespace recscope
