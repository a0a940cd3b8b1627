#pragma once
// A model that recommends in stages: a retriever proposes candidates, a later stage orders
// them into the final lists. Recommender::staged() returns this face of such a model (the
// two-stage pipeline); the evaluator's stage report, the inspector's retriever-versus-ranker
// view and the CLI's `inspect` read the stages through it, never through a concrete class.

#include <cstdint>
#include <string>

namespace recscope {

class Recommender;

class StagedRecommender {
public:
    virtual ~StagedRecommender() = default;

    // The first stage, a full model of its own (scoreUsers() over every item).
    virtual const Recommender& retriever() const = 0;
    // The longest candidate list the later stages see.
    virtual int32_t candidates() const = 0;
    // How candidates are found ("Flat", "HNSW32", ...); empty before fit() or load().
    virtual std::string candidateIndex() const = 0;
    // Candidates alone as scores over every item: each candidate scores above every
    // non-candidate, in retriever order (n x numItems, row-major, caller-owned).
    virtual void scoreCandidates(const int32_t* users, int64_t n, float* out) const = 0;
    // Final lists: up to candidates() items per user, best first, -1 padded (n x
    // candidates()), with the last stage's own scores in `scores` (may be null).
    virtual void recommendLists(const int32_t* users, int64_t n, int32_t* items,
                                float* scores) const = 0;
};

}  // namespace recscope
