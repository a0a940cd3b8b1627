#pragma once
// Two-stage recommender (seed 000), registry name "pipeline":
//   retrieve  the two-tower retriever's top-N through a VectorIndex (the user's training
//             positives removed, TEMP: what the evaluator removes),
//   rank      the candidates with RankerModel (trained by default on the candidates of a
//             second retriever fitted without each user's latest training ratings, labelled
//             by those ratings: see RankerModel.h),
//   post      optional MMR re-ranking for genre diversity (lambda = 1 keeps the ranker order).
//
// Parameters are addressed with prefixes so that the CLI's --param passes straight through:
// "retriever.<name>" (TwoTowerModel's specs), "ranker.<name>" (RankerModel's specs),
// "pipeline.candidates", "pipeline.mmr_lambda", "pipeline.index".
//
// scoreUsers() encodes the final list: the item at list rank r (0-based) of L gets L - r;
// every other item gets its retriever cosine - 10 (so the order beyond the list is still the
// retriever's, and all list items outrank it). Users unknown to training get the retriever's
// popularity fallback. Thread rules as for every Recommender.

#include <memory>

#include "core/models/Recommender.h"
#include "core/models/TrainData.h"
#include "core/nn/RankerModel.h"
#include "core/nn/TwoTowerModel.h"

namespace recscope {

class VectorIndex;

class PipelineModel : public Recommender {
public:
    PipelineModel();
    ~PipelineModel() override;

    std::string name() const override { return "pipeline"; }
    std::vector<ParamSpec> paramSpecs() const override;
    Status fit(const TrainData& data, const FitContext& context) override;
    int32_t numItems() const override;
    void scoreUsers(const int32_t* users, int64_t n, float* out) const override;
    // A folder: retriever.pt, ranker.pt, pipeline.pt (seen items, genres, settings).
    Status save(const std::string& path) const override;
    Status load(const std::string& path) override;

    // Fold-in: the retriever's fold-in vector (TwoTowerModel::historyVector of the positives)
    // queries the index for the top-N candidates minus every history item, the ranker scores
    // them with the user unknown (zero user ID embedding, IsUnknown = 1, what ID dropout trains
    // for), then MMR and the same encoding as scoreUsers(). No positive: the popularity
    // fallback's order, as for an unknown user.
    bool canFoldIn() const override { return true; }
    Status scoreHistory(const std::vector<HistoryEntry>& history, float* out) const override;
    // The retriever's vectors and item cosines.
    EmbeddingTable itemEmbeddings() const override { return m_retriever.itemEmbeddings(); }
    EmbeddingTable userEmbeddings() const override { return m_retriever.userEmbeddings(); }
    bool itemSimilarities(int32_t item, const int32_t* items, int64_t n,
                          float* out) const override {
        return m_retriever.itemSimilarities(item, items, n, out);
    }

    const TwoTowerModel& retriever() const { return m_retriever; }
    const RankerModel& ranker() const { return m_ranker; }
    const VectorIndex* index() const { return m_index.get(); }
    int32_t candidates() const;

    // The first stage alone, in the same encoding as scoreUsers(): the candidates (rated items
    // removed) get 10 + their retriever cosine, every other item its cosine - 10. Used for the
    // candidates' Recall@N (see PipelineReport.h).
    void scoreCandidates(const int32_t* users, int64_t n, float* out) const;

    // Final lists: for each user, up to candidates() items in final order (ranked and, when
    // mmr_lambda < 1, re-ranked), written to items (n x candidates(), -1 padded), with the
    // ranker's scores in `scores` (may be null).
    void recommendLists(const int32_t* users, int64_t n, int32_t* items, float* scores) const;

private:
    // The default ranker training (ranker.train_on = holdout): a first stage trained without
    // each user's latest training ratings proposes candidates, those ratings label them.
    Status fitRankerOnHoldout(const TrainData& data, const FitContext& context,
                              ValidateFn validate);

    TwoTowerModel m_retriever;
    RankerModel m_ranker;
    std::unique_ptr<VectorIndex> m_index;
    CsrMatrix m_seen;  // TEMP: the training positives per user (values unused): never recommended
    std::vector<uint32_t> m_genreMasks;
    int32_t m_numUsers = 0;
};

}  // namespace recscope
