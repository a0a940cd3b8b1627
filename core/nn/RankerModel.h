#pragma once
// Second stage of the pipeline (seed 000's ranker): scores (user, candidate) pairs.
//
// Inputs per pair: the item's normalised log popularity, a genre embedding (multi-hot ->
// linear), a release-year bucket embedding and, optionally, user and item ID embeddings with
// their element-wise product and IsUnknown flags (ids), the retriever's cosine, time context
// (ContextFeatures.h: user activity, item age at the user's last rating, the item's recent
// rating count) and, holdout-trained, the candidate's rank and a second model's scores (the
// pair inputs of RankerCandidates.h). An MLP maps them to one logit. ID embeddings are off by
// default: holdout-trained, they learn what users liked in the held-out period, and that did
// not carry over to the test period (ML-100K and ml-latest-small, temporal split).
//
// Training rows: every training positive (label 1) with `negatives` negatives (label 0); each
// negative is, with probability hard_ratio, drawn from the user's hard list (the retriever's
// top-N minus the user's positives, see CandidateRetriever.h), otherwise uniformly from the
// items that are not the user's positives. ID dropout: with probability id_dropout an
// embedding is replaced by zeros and its IsUnknown flag set, so that items and users absent
// from training get sensible scores. Loss: softmax cross-entropy of each positive against its
// own negatives (the default: it ranks within a list, which is all serving asks), BCE on
// logits, or BPR.
//
// Holdout training (fitHoldout, the default in PipelineModel): the rows are instead the
// candidate lists of a first stage trained without each user's latest training ratings, and
// the positives are the list entries the user went on to like in those held-out ratings. The
// ranker thus learns to re-rank a retriever's candidates for items the retriever did not fit,
// which is what it does at serving time, and the retriever's cosine and rank (position / N)
// become meaningful inputs. Loss "list" (the default): each positive of a list against all the
// list's negatives, averaged per list, so that every user weighs the same and the whole order
// of the candidates is learnt, not only a sampled few. The other losses draw negatives: with
// probability hard_ratio another entry of the same list that is not a positive, otherwise a
// uniform item (scored by the first stage, rank 1; never with a second model, whose inputs a
// uniform item lacks).
// The epoch is chosen on a seeded share of the lists kept aside (list_validation): NDCG@10 of
// each re-ranked list against its held-out positives, several per user where the split's
// validation part has one.
//
// Not a Recommender (it needs candidates); PipelineModel owns one. Header torch-free (pimpl).
// Thread rules as for Recommender: fit() on one thread, const scoring from any thread after it.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/models/Recommender.h"
#include "core/nn/TwoTowerModel.h"
#include "core/pipeline/ContextFeatures.h"
#include "core/train/EpochTrainer.h"

namespace recscope {

struct CandidateLists;
struct RankerCandidates;

// Training rows for RankerModel::fitHoldout(). Pointers are borrowed for the call only.
struct RankerHoldoutSet {
    const RankerCandidates* lists = nullptr;    // first-stage lists with their pair inputs
    std::vector<uint8_t> labels;                // lists->items.size(): 1 = a held-out positive
    const TwoTowerModel* firstStage = nullptr;  // scores the uniform negatives
    std::vector<float> popularity;  // numItems, normalised popularity of the first stage's data
    const ContextFeatures* context = nullptr;  // of the first stage's data (null: zeros)
};

class RankerModel {
public:
    RankerModel();
    ~RankerModel();

    static std::vector<ParamSpec> paramSpecs();
    Status configure(const std::map<std::string, std::string>& overrides);
    const ParamValues& params() const { return m_params; }

    // hard: per-user hard-negative lists (users in any order; users absent get random
    // negatives only). retriever: the trained first stage (its vectors feed the optional
    // retriever-score input); must outlive this model. validate: optional per-epoch
    // validation for early stopping (watching ndcg@10).
    Status fit(const TrainData& data, const CandidateLists& hard, const TwoTowerModel& retriever,
               const FitContext& context, ValidateFn validate = {});

    // Holdout training (see above). `data` is the whole training part: its popularity is what
    // serving uses, its positives are never drawn as uniform negatives. `retriever` is the
    // serving first stage (validation and scoring after fit); must outlive this model.
    Status fitHoldout(const TrainData& data, const RankerHoldoutSet& set,
                      const TwoTowerModel& retriever, const FitContext& context,
                      ValidateFn validate = {});

    // out[k] = score of (users[k], items[k]); n pairs, caller-owned. Higher is better.
    // Users/items outside the trained range are scored as unknown. inputs: the pairs' dense
    // inputs, n x RankerCandidates::kInputs as rankerCandidates() builds them (null: the
    // retriever's score from its vectors, rank 1, no second model: an item beyond every list).
    void scorePairs(const int32_t* users, const int32_t* items, int64_t n, float* out,
                    const float* inputs = nullptr) const;

    // True when the parameters ask for holdout training (train_on = holdout).
    bool holdoutTraining() const;

    // The popularity input: log(1 + training-positive count) / its maximum, numItems values.
    static std::vector<float> popularityFeature(const TrainData& data);

    bool trained() const;
    const FitStats& fitStats() const { return m_stats; }

    // The ranker's own weights (the retriever is saved separately).
    Status save(const std::string& path) const;
    Status load(const std::string& path, const TwoTowerModel& retriever);

    struct Impl;  // LibTorch state; defined in the .cpp only

private:
    std::unique_ptr<Impl> m_impl;
    ParamValues m_params;
    FitStats m_stats;
};

}  // namespace recscope
