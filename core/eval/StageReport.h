#pragma once
// Stage-by-stage evaluation of a trained staged model (core/models/StagedRecommender.h) on the
// same users: the retriever alone, the final lists, and the candidates' Recall@N, the ceiling
// of what the later stages can reach.

#include <string>

#include "core/eval/Evaluator.h"

namespace recscope {

class Recommender;
class StagedRecommender;

struct StageReport {
    EvalResult retriever;    // the retriever alone (full ranking)
    EvalResult final;        // the model's final lists (its `metrics` for the CLI)
    int32_t candidates = 0;  // N
    // Mean over evaluated users of Recall@N / HitRate@N of the candidates. NaN (not measured)
    // in sampled evaluation, where a list holds fewer than N items.
    double candidateRecall = 0.0;
    double candidateHit = 0.0;
    std::string index;  // how candidates were found ("Flat", "HNSW32", ...)
};

// Runs evaluate() three times with `config` (the candidates' pass uses K = N only; skipped in
// sampled mode), so every stage's list follows the run's one list rule (core/eval/Exclusion.h).
// `model` and `stages` are the same object's two faces (model.staged() == &stages). Errors
// from the evaluator (including a cancel) are passed through.
Result<StageReport> evaluateStages(const Recommender& model, const StagedRecommender& stages,
                                   const TrainData& train, EvalPart part, const EvalConfig& config,
                                   const CancelToken* cancel = nullptr);

// The same for any model: an error when it is not staged.
Result<StageReport> evaluateStages(const Recommender& model, const TrainData& train, EvalPart part,
                                   const EvalConfig& config, const CancelToken* cancel = nullptr);

}  // namespace recscope
