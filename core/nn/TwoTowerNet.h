#pragma once
// The two towers as a LibTorch module (internal to TwoTowerModel; include only from
// core/nn/*.cpp). Shapes: ids are int64 tensors on the module's device; outputs are
// B x dim float, L2-normalised.
//
// The user tower reads the user's history one of two ways: the mean of its items' embeddings
// (an EmbeddingBag; order ignored), or (attention) SASRec's causal self-attention blocks over
// the time-ordered items (SasRecNet.h, its hidden size = the ID embedding size), whose hidden
// state after the newest item takes the mean's place; with a profile, the mean of the whole
// history (its own table) goes in beside it.

#include <torch/torch.h>

#include "core/nn/SasRecNet.h"
#include "core/pipeline/ItemFeatures.h"

namespace recscope {

struct TwoTowerNetConfig {
    int32_t numUsers = 0;
    int32_t numItems = 0;
    int embedding = 64;  // ID embedding size
    int dim = 64;        // output size
    int depth = 1;       // hidden layers (0: a single linear map)
    int width = 128;
    int numGenres = 0;    // 0: no genre input
    bool years = false;   // year-bucket embedding on the item tower
    bool history = true;  // history input on the user tower
    // Attention user tower (needs history): SASRec's blocks instead of the mean.
    bool attention = false;
    int seqLen = 50;  // positions: the most recent items read
    int blocks = 2;
    int heads = 1;  // embedding must divide by it
    double seqDropout = 0.2;
    // Attention tower: also the mean of the embeddings of every history item (order ignored,
    // its own table), beside the attention over the newest seqLen items.
    bool profile = false;
};

class TwoTowerNetImpl : public torch::nn::Module {
public:
    explicit TwoTowerNetImpl(const TwoTowerNetConfig& config);

    // Item metadata as buffers (saved with the module's state).
    void setItemFeatures(const ItemFeatures& features);
    void setFeatureTensors(const torch::Tensor& genreMasks, const torch::Tensor& yearBuckets);
    torch::Tensor genreMasks() const { return m_genreMasks; }    // numItems int64 bit masks
    torch::Tensor yearBuckets() const { return m_yearBuckets; }  // numItems int64

    // userIds: B. keep: B floats multiplying the ID embedding (undefined = 1). bagItems /
    // bagOffsets: EmbeddingBag input (flat history ids, B start offsets); ignored without the
    // history feature. Empty bags contribute zeros.
    torch::Tensor users(const torch::Tensor& userIds, const torch::Tensor& keep,
                        const torch::Tensor& bagItems, const torch::Tensor& bagOffsets);
    // Attention tower. sequences: B x L item ids, oldest first, right-aligned and padded on
    // the left with sequencePadding() (SasRecNet's layout; every row holds an item). Returns
    // B x L x dim: the user vector after each column's item, from that item and the earlier
    // ones only (causal). lastOnly: B x dim, after the last column (the newest item).
    // profile (hasProfile() only, else ignored): each row's history mean from profileSums(),
    // B x e (the same for every column) or B x L x e (one per column).
    torch::Tensor sequenceUsers(const torch::Tensor& userIds, const torch::Tensor& keep,
                                const torch::Tensor& sequences, bool lastOnly,
                                const torch::Tensor& profile = {});
    bool hasProfile() const { return m_config.attention && m_config.profile; }
    // The profile table: per bag, the sum of its items' rows (EmbeddingBag input, as users()
    // takes), B x e; and single rows, ids of any shape -> shape x e.
    torch::Tensor profileSums(const torch::Tensor& bagItems, const torch::Tensor& bagOffsets);
    torch::Tensor profileRows(const torch::Tensor& ids);
    int64_t sequencePadding() const { return m_config.numItems; }
    // The ID tables a batch touches a few rows of (user, item, and the history table of the
    // mean tower or of the profile): trained by RowSparseAdam.
    std::vector<torch::Tensor> embeddingTables() const;
    torch::Tensor items(const torch::Tensor& itemIds);

private:
    TwoTowerNetConfig m_config;
    torch::nn::Embedding m_userEmb{nullptr};
    torch::nn::Embedding m_itemEmb{nullptr};
    torch::nn::EmbeddingBag m_historyEmb{nullptr};
    SasRecNet m_encoder{nullptr};
    torch::nn::Linear m_genreProj{nullptr};
    torch::nn::Embedding m_yearEmb{nullptr};
    torch::nn::Sequential m_userMlp{nullptr};
    torch::nn::Sequential m_itemMlp{nullptr};
    torch::Tensor m_genreMasks;   // int64 numItems
    torch::Tensor m_yearBuckets;  // int64 numItems
    torch::Tensor m_genreBits;    // int64 numGenres: 1 << g
};
TORCH_MODULE(TwoTowerNet);

// Training the profile: a bag's mean with the position's target left out, as the mean tower
// leaves a row's item out of its bag. sums: B x e (profileSums), counts: B bag sizes,
// targetRows: B x L x e (profileRows of the targets), inBag: B x L, 1 where the target is in
// the row's bag. Returns B x L x e: (sum - inBag * target row) / max(1, count - inBag).
torch::Tensor leaveTargetOutMeans(const torch::Tensor& sums, const torch::Tensor& counts,
                                  const torch::Tensor& targetRows, const torch::Tensor& inBag);

// An MLP of `depth` hidden layers (Linear + ReLU) and a final Linear to `out`.
torch::nn::Sequential makeTowerMlp(int64_t in, int depth, int width, int64_t out);
// Such an MLP's forward pass on the last dimension of x, its Linear layers through
// chunkedLinear (ChunkedLinear.h): mlp->forward(x)'s result.
torch::Tensor towerForward(torch::nn::Sequential mlp, torch::Tensor x);

}  // namespace recscope
