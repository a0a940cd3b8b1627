#include "core/nn/TwoTowerNet.h"

#include "core/nn/BagSum.h"
#include "core/nn/ChunkedLinear.h"
#include "core/nn/RowSparseAdam.h"

namespace recscope {

torch::nn::Sequential makeTowerMlp(int64_t in, int depth, int width, int64_t out) {
    torch::nn::Sequential mlp;
    int64_t prev = in;
    for (int l = 0; l < depth; ++l) {
        mlp->push_back(torch::nn::Linear(prev, width));
        mlp->push_back(torch::nn::ReLU());
        prev = width;
    }
    mlp->push_back(torch::nn::Linear(prev, out));
    return mlp;
}

torch::Tensor towerForward(torch::nn::Sequential mlp, torch::Tensor x) {
    for (const auto& module : mlp->children()) {
        if (auto linear = std::dynamic_pointer_cast<torch::nn::LinearImpl>(module))
            x = chunkedLinear(torch::nn::Linear(linear), x);
        else if (module->as<torch::nn::ReLU>())
            x = torch::relu(x);
        else
            TORCH_CHECK(false, "towerForward: the MLP holds only Linear and ReLU layers");
    }
    return x;
}

namespace {

// A history table, read through bagSum() (the sum or the mean of a bag's rows, as the caller
// asks). A dense gradient: a batch's bags hold about 64 items per user, so a sparse one (a row
// per item occurrence) would be larger than the table; RowSparseAdam still updates only its
// non-zero rows.
torch::nn::EmbeddingBag historyTable(int64_t items, int64_t dim) {
    torch::nn::EmbeddingBag table(torch::nn::EmbeddingBagOptions(items, dim));
    torch::nn::init::normal_(table->weight, 0.0, 0.1);
    return table;
}

}  // namespace

TwoTowerNetImpl::TwoTowerNetImpl(const TwoTowerNetConfig& config) : m_config(config) {
    const int e = config.embedding;
    // Small initial embeddings: N(0, 1) (the LibTorch default) saturates the MLP's first layer.
    // A batch touches a few rows of these tables: RowSparseAdam trains them.
    m_userEmb = register_module("user_emb", sparseTable(config.numUsers, e));
    m_itemEmb = register_module("item_emb", sparseTable(config.numItems, e));
    int64_t userIn = e;
    if (config.history && config.attention) {
        SasRecNetConfig encoder;
        encoder.numItems = config.numItems;
        encoder.maxLen = config.seqLen;
        encoder.dim = e;
        encoder.blocks = config.blocks;
        encoder.heads = config.heads;
        encoder.dropout = config.seqDropout;
        m_encoder = register_module("history_encoder", SasRecNet(encoder));
        userIn += e;
        // Summed here, divided by the bag's size by the caller (training leaves each
        // position's target out of its bag).
        if (config.profile) {
            m_historyEmb = register_module("history_emb", historyTable(config.numItems, e));
            userIn += e;
        }
    } else if (config.history) {
        m_historyEmb = register_module("history_emb", historyTable(config.numItems, e));
        userIn += e;
    }
    int64_t itemIn = e;
    if (config.numGenres > 0) {
        m_genreProj = register_module("genre_proj", torch::nn::Linear(config.numGenres, e / 2));
        itemIn += e / 2;
    }
    if (config.years) {
        m_yearEmb = register_module("year_emb", torch::nn::Embedding(kYearBuckets, e / 4));
        torch::nn::init::normal_(m_yearEmb->weight, 0.0, 0.1);
        itemIn += e / 4;
    }
    m_userMlp =
        register_module("user_mlp", makeTowerMlp(userIn, config.depth, config.width, config.dim));
    m_itemMlp =
        register_module("item_mlp", makeTowerMlp(itemIn, config.depth, config.width, config.dim));
    m_genreMasks = register_buffer("genre_masks", torch::zeros({config.numItems}, torch::kLong));
    m_yearBuckets = register_buffer("year_buckets", torch::zeros({config.numItems}, torch::kLong));
    std::vector<int64_t> bits;
    for (int g = 0; g < config.numGenres; ++g)
        bits.push_back(int64_t{1} << g);
    m_genreBits = register_buffer("genre_bits", torch::tensor(bits, torch::kLong));
}

void TwoTowerNetImpl::setItemFeatures(const ItemFeatures& features) {
    std::vector<int64_t> masks(features.genreMasks.begin(), features.genreMasks.end());
    setFeatureTensors(torch::tensor(masks, torch::kLong),
                      torch::tensor(features.yearBuckets, torch::kLong));
}

void TwoTowerNetImpl::setFeatureTensors(const torch::Tensor& genreMasks,
                                        const torch::Tensor& yearBuckets) {
    torch::NoGradGuard g;
    m_genreMasks.copy_(genreMasks.to(torch::kLong));
    m_yearBuckets.copy_(yearBuckets.to(torch::kLong));
}

torch::Tensor TwoTowerNetImpl::users(const torch::Tensor& userIds, const torch::Tensor& keep,
                                     const torch::Tensor& bagItems,
                                     const torch::Tensor& bagOffsets) {
    auto x = m_userEmb->forward(userIds);
    if (keep.defined())
        x = x * keep.unsqueeze(1);
    if (m_config.history && m_config.attention) {
        TORCH_CHECK(false, "TwoTowerNet: the attention tower reads sequences (sequenceUsers)");
    } else if (m_config.history) {
        auto h = bagSum(m_historyEmb->weight, bagItems, bagOffsets, true);
        x = torch::cat({x, h}, 1);
    }
    return torch::nn::functional::normalize(towerForward(m_userMlp, x),
                                            torch::nn::functional::NormalizeFuncOptions().dim(1));
}

torch::Tensor TwoTowerNetImpl::profileSums(const torch::Tensor& bagItems,
                                           const torch::Tensor& bagOffsets) {
    TORCH_CHECK(hasProfile(), "TwoTowerNet: no profile table");
    return bagSum(m_historyEmb->weight, bagItems, bagOffsets, false);
}

torch::Tensor TwoTowerNetImpl::profileRows(const torch::Tensor& ids) {
    TORCH_CHECK(hasProfile(), "TwoTowerNet: no profile table");
    return torch::nn::functional::embedding(ids, m_historyEmb->weight);
}

torch::Tensor leaveTargetOutMeans(const torch::Tensor& sums, const torch::Tensor& counts,
                                  const torch::Tensor& targetRows, const torch::Tensor& inBag) {
    const auto n = (counts.unsqueeze(1) - inBag).clamp_min(1.0);
    return (sums.unsqueeze(1) - targetRows * inBag.unsqueeze(2)) / n.unsqueeze(2);
}

torch::Tensor TwoTowerNetImpl::sequenceUsers(const torch::Tensor& userIds,
                                             const torch::Tensor& keep,
                                             const torch::Tensor& sequences, bool lastOnly,
                                             const torch::Tensor& profile) {
    TORCH_CHECK(m_encoder, "TwoTowerNet: the user tower has no attention encoder");
    auto h = m_encoder->forward(sequences);  // B x L x e
    if (lastOnly)
        h = h.select(1, h.size(1) - 1).unsqueeze(1);
    auto x = m_userEmb->forward(userIds);  // B x e
    if (keep.defined())
        x = x * keep.unsqueeze(1);
    x = x.unsqueeze(1).expand({h.size(0), h.size(1), x.size(1)});
    std::vector<torch::Tensor> parts{x, h};
    if (hasProfile()) {
        TORCH_CHECK(profile.defined(), "TwoTowerNet: the profile tower needs the history means");
        parts.push_back(profile.dim() == 2
                            ? profile.unsqueeze(1).expand({h.size(0), h.size(1), profile.size(1)})
                            : profile);
    }
    const auto out =
        torch::nn::functional::normalize(towerForward(m_userMlp, torch::cat(parts, 2)),
                                         torch::nn::functional::NormalizeFuncOptions().dim(2));
    return lastOnly ? out.squeeze(1) : out;
}

torch::Tensor TwoTowerNetImpl::items(const torch::Tensor& itemIds) {
    std::vector<torch::Tensor> parts{m_itemEmb->forward(itemIds)};
    if (m_config.numGenres > 0) {
        auto masks = m_genreMasks.index_select(0, itemIds).unsqueeze(1);
        auto multiHot = (masks.bitwise_and(m_genreBits.unsqueeze(0)) != 0).to(torch::kFloat);
        parts.push_back(m_genreProj->forward(multiHot));
    }
    if (m_config.years)
        parts.push_back(m_yearEmb->forward(m_yearBuckets.index_select(0, itemIds)));
    return torch::nn::functional::normalize(towerForward(m_itemMlp, torch::cat(parts, 1)),
                                            torch::nn::functional::NormalizeFuncOptions().dim(1));
}

std::vector<torch::Tensor> TwoTowerNetImpl::embeddingTables() const {
    std::vector<torch::Tensor> tables{m_userEmb->weight, m_itemEmb->weight};
    if (m_historyEmb)
        tables.push_back(m_historyEmb->weight);
    return tables;
}

}  // namespace recscope
