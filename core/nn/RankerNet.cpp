#include "core/nn/RankerNet.h"

#include "core/nn/RowSparseAdam.h"
#include "core/nn/TwoTowerNet.h"

namespace recscope {

RankerNetImpl::RankerNetImpl(const RankerNetConfig& config) : m_config(config) {
    const int e = config.embedding;
    int64_t in = 1;  // popularity
    if (config.ids) {
        // A batch touches a few rows of these tables: RowSparseAdam trains them.
        m_userEmb = register_module("user_emb", sparseTable(config.numUsers, e));
        m_itemEmb = register_module("item_emb", sparseTable(config.numItems, e));
        in += 3 * e + 2;  // user, item, product; two IsUnknown flags
    }
    if (config.numGenres > 0) {
        m_genreProj = register_module("genre_proj", torch::nn::Linear(config.numGenres, 16));
        in += 16;
    }
    if (config.years) {
        m_yearEmb = register_module("year_emb", torch::nn::Embedding(kYearBuckets, 8));
        torch::nn::init::normal_(m_yearEmb->weight, 0.0, 0.1);
        in += 8;
    }
    if (config.retrieverScore)
        in += 1;
    if (config.retrieverRank)
        in += 1;
    in += config.contextFeatures;
    in += config.secondInputs;
    m_mlp = register_module("mlp", makeTowerMlp(in, config.depth, config.width, 1));
    m_genreMasks = register_buffer("genre_masks", torch::zeros({config.numItems}, torch::kLong));
    m_yearBuckets = register_buffer("year_buckets", torch::zeros({config.numItems}, torch::kLong));
    m_popularity = register_buffer("popularity", torch::zeros({config.numItems}));
    m_userKnown = register_buffer("user_known", torch::zeros({config.numUsers}));
    m_itemKnown = register_buffer("item_known", torch::zeros({config.numItems}));
    std::vector<int64_t> bits;
    for (int g = 0; g < config.numGenres; ++g)
        bits.push_back(int64_t{1} << g);
    m_genreBits = register_buffer("genre_bits", torch::tensor(bits, torch::kLong));
}

void RankerNetImpl::setTables(const ItemFeatures& features, const std::vector<float>& popularity,
                              const std::vector<float>& userKnown,
                              const std::vector<float>& itemKnown) {
    torch::NoGradGuard g;
    std::vector<int64_t> masks(features.genreMasks.begin(), features.genreMasks.end());
    m_genreMasks.copy_(torch::tensor(masks, torch::kLong));
    m_yearBuckets.copy_(torch::tensor(features.yearBuckets, torch::kLong));
    m_popularity.copy_(torch::tensor(popularity));
    m_userKnown.copy_(torch::tensor(userKnown));
    m_itemKnown.copy_(torch::tensor(itemKnown));
}

void RankerNetImpl::setPopularity(const std::vector<float>& popularity) {
    torch::NoGradGuard g;
    m_popularity.copy_(torch::tensor(popularity).to(m_popularity.device()));
}

torch::Tensor RankerNetImpl::forward(const torch::Tensor& userIds, const torch::Tensor& itemIds,
                                     const torch::Tensor& keepUser, const torch::Tensor& keepItem,
                                     const torch::Tensor& retrieverScore,
                                     const torch::Tensor& retrieverRank,
                                     const torch::Tensor& context, const torch::Tensor& second) {
    auto popularity = m_popularity.index_select(0, itemIds).unsqueeze(1);
    std::vector<torch::Tensor> parts{popularity};
    if (m_config.ids) {
        auto ku = m_userKnown.index_select(0, userIds);
        auto ki = m_itemKnown.index_select(0, itemIds);
        if (keepUser.defined())
            ku = ku * keepUser;
        if (keepItem.defined())
            ki = ki * keepItem;
        auto u = m_userEmb->forward(userIds) * ku.unsqueeze(1);
        auto v = m_itemEmb->forward(itemIds) * ki.unsqueeze(1);
        parts.insert(parts.begin(), {u, v, u * v});
        parts.push_back((1 - ki).unsqueeze(1));
        parts.push_back((1 - ku).unsqueeze(1));
    }
    if (m_config.numGenres > 0) {
        auto masks = m_genreMasks.index_select(0, itemIds).unsqueeze(1);
        auto multiHot = (masks.bitwise_and(m_genreBits.unsqueeze(0)) != 0).to(torch::kFloat);
        parts.push_back(m_genreProj->forward(multiHot));
    }
    if (m_config.years)
        parts.push_back(m_yearEmb->forward(m_yearBuckets.index_select(0, itemIds)));
    if (m_config.retrieverScore)
        parts.push_back(retrieverScore.unsqueeze(1));
    if (m_config.retrieverRank)
        parts.push_back(retrieverRank.unsqueeze(1));
    if (m_config.contextFeatures > 0)
        parts.push_back(
            context.defined()
                ? context
                : torch::zeros({userIds.size(0), m_config.contextFeatures}, popularity.options()));
    if (m_config.secondInputs > 0) {
        if (second.defined()) {
            parts.push_back(second);
        } else {
            auto none =
                torch::zeros({userIds.size(0), m_config.secondInputs}, popularity.options());
            none.select(1, 1).fill_(1.0);  // rank: beyond the top-M
            parts.push_back(none);
        }
    }
    return towerForward(m_mlp, torch::cat(parts, 1)).squeeze(1);
}

torch::Tensor listSoftmaxLoss(const torch::Tensor& logits, const std::vector<int64_t>& offsets,
                              const std::vector<uint8_t>& labels) {
    std::vector<torch::Tensor> perList;
    const auto dev = logits.device();
    for (size_t l = 0; l + 1 < offsets.size(); ++l) {
        std::vector<int64_t> pos, neg;
        for (int64_t j = offsets[l]; j < offsets[l + 1]; ++j)
            (labels[static_cast<size_t>(j)] ? pos : neg).push_back(j);
        if (pos.empty() || neg.empty())
            continue;
        auto p = logits.index_select(0, torch::tensor(pos, torch::kLong).to(dev));
        auto negLse =
            torch::logsumexp(logits.index_select(0, torch::tensor(neg, torch::kLong).to(dev)), 0);
        perList.push_back((torch::logaddexp(p, negLse) - p).mean());
    }
    if (perList.empty())
        return (logits * 0.0).sum();
    return torch::stack(perList).mean();
}

std::vector<torch::Tensor> RankerNetImpl::embeddingTables() const {
    std::vector<torch::Tensor> tables;
    if (m_userEmb)
        tables.push_back(m_userEmb->weight);
    if (m_itemEmb)
        tables.push_back(m_itemEmb->weight);
    return tables;
}

}  // namespace recscope
