#pragma once
// Two-stage recommender (seed 000), registry name "pipeline":
//   retrieve  the two-tower retriever's top-N through a VectorIndex (skipping the items the
//             run's list rule removes anyway: TrainData::listExclusion(), core/eval/Exclusion.h),
//             joined by the top-M of a second model (pipeline.second, EASE by default) that the
//             retriever missed,
//   rank      the candidates with RankerModel, from pair inputs that include both models'
//             scores and ranks and the second model's fold-in of the user's latest positives
//             (RankerCandidates.h; trained by default on the candidates of a second retriever
//             and second model fitted without each user's latest training ratings, labelled
//             by those ratings: see RankerModel.h),
//   post      optional MMR re-ranking for genre diversity (lambda = 1 keeps the ranker order).
//
// Parameters are addressed with prefixes so that the CLI's --param passes straight through:
// "retriever.<name>" (TwoTowerModel's specs), "ranker.<name>" (RankerModel's specs),
// "pipeline.candidates", "pipeline.second", "pipeline.second_candidates", "pipeline.recent",
// "pipeline.mmr_lambda", "pipeline.index".
//
// Why a second model: under a temporal split an item-item model such as EASE ranks the next
// items better than the two-tower retriever, and the next items follow the user's latest
// positives more than the whole history. A ranker that sees only the retriever's scores can
// re-order its candidates but not reach what it lacks; with the second model's candidates,
// scores and recency, it learns how to weigh the two.
//
// scoreUsers() encodes the final list: the item at list rank r (0-based) of L gets L - r;
// every other item gets its retriever cosine - 10 (so the order beyond the list is still the
// retriever's, and all list items outrank it). Users unknown to training get the retriever's
// popularity fallback. Thread rules as for every Recommender.

#include <memory>

#include "core/models/Recommender.h"
#include "core/models/StagedRecommender.h"
#include "core/models/TrainData.h"
#include "core/nn/RankerModel.h"
#include "core/nn/TwoTowerModel.h"
#include "core/pipeline/RankerCandidates.h"
#include "core/split/Split.h"

namespace recscope {

class VectorIndex;

class PipelineModel : public Recommender, public StagedRecommender {
public:
    PipelineModel();
    ~PipelineModel() override;

    std::string name() const override { return "pipeline"; }
    std::vector<ParamSpec> paramSpecs() const override;
    Status fit(const TrainData& data, const FitContext& context) override;
    bool usesDevice() const override { return true; }  // LibTorch: cpu or cuda
    const StagedRecommender* staged() const override { return this; }
    int32_t numItems() const override;
    void scoreUsers(const int32_t* users, int64_t n, float* out) const override;
    // A folder: retriever.pt, ranker.pt, pipeline.pt (seen items, genres, settings).
    Status save(const std::string& path) const override;
    Status load(const std::string& path) override;
    // Data-parallel: the retriever and the ranker each train on shards of every batch.
    bool canDistribute() const override { return true; }

    // Fold-in: the retriever's fold-in vector (TwoTowerModel::historyVector of the positives)
    // queries the index for the top-N candidates minus every history item, the ranker scores
    // them with the user unknown (zero user ID embedding, IsUnknown = 1, what ID dropout trains
    // for), then MMR and the same encoding as scoreUsers(). No positive: the popularity
    // fallback's order, as for an unknown user.
    bool canFoldIn() const override { return true; }
    Status scoreHistory(const std::vector<HistoryEntry>& history, float* out) const override;
    // The retriever's vectors and item cosines.
    bool hasEmbeddings() const override { return true; }
    EmbeddingTable itemEmbeddings() const override { return m_retriever.itemEmbeddings(); }
    EmbeddingTable userEmbeddings() const override { return m_retriever.userEmbeddings(); }
    bool itemSimilarities(int32_t item, const int32_t* items, int64_t n,
                          float* out) const override {
        return m_retriever.itemSimilarities(item, items, n, out);
    }

    const TwoTowerModel& retriever() const override { return m_retriever; }
    const RankerModel& ranker() const { return m_ranker; }
    const VectorIndex* index() const { return m_index.get(); }
    // The longest candidate list: N (pipeline.candidates) + M (pipeline.second_candidates, 0
    // without a second model).
    int32_t candidates() const override;
    std::string candidateIndex() const override;

    // The ranker's candidates alone: for a known user, each candidate (the rule's items skipped)
    // gets 10 + its retriever score and every other item -infinity (the list can be shorter than
    // candidates() when the two sources overlap); an unknown user gets the retriever's fallback
    // - 10. Used for the candidates' Recall@N (see core/eval/StageReport.h).
    void scoreCandidates(const int32_t* users, int64_t n, float* out) const override;

    // Final lists: for each user, up to candidates() items in final order (ranked and, when
    // mmr_lambda < 1, re-ranked), written to items (n x candidates(), -1 padded), with the
    // ranker's scores in `scores` (may be null).
    void recommendLists(const int32_t* users, int64_t n, int32_t* items,
                        float* scores) const override;

private:
    // The default ranker training (ranker.train_on = holdout): a first stage trained without
    // each user's latest training ratings proposes candidates, those ratings label them.
    Status fitRankerOnHoldout(const TrainData& data, const FitContext& context,
                              ValidateFn validate);

    // The second model of the given data (null for pipeline.second = none).
    Result<std::unique_ptr<Recommender>> fitSecond(const TrainData& data,
                                                   const FitContext& context) const;
    using LatestItems = std::vector<std::vector<int32_t>>;  // per user, oldest first
    // Its scores, top-M and scores of each user's `latest` positives alone, as
    // rankerCandidates() takes them (no scores for null).
    SecondSource secondSource(const Recommender* model, const LatestItems* latest) const;
    // The ranker's lists for known users: queries are their retriever vectors (n x dim).
    Result<RankerCandidates> servingCandidates(const int32_t* users, int64_t n,
                                               const float* queries) const;

    TwoTowerModel m_retriever;
    RankerModel m_ranker;
    std::unique_ptr<Recommender> m_second;
    LatestItems m_latest;  // each user's latest pipeline.recent training positives
    std::unique_ptr<VectorIndex> m_index;
    // The run's list rule, training part (TrainData::listExclusion(): positives or every
    // rating; values unused): candidates skip these items, which every list excludes anyway.
    CsrMatrix m_seen;
    ExcludeRule m_exclude = ExcludeRule::Positives;  // for fold-in histories, the same rule
    std::vector<uint32_t> m_genreMasks;
    int32_t m_numUsers = 0;
};

}  // namespace recscope
