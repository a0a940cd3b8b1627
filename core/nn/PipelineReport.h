#pragma once
// Stage-by-stage evaluation of a trained PipelineModel on the same users (issue 4): the
// retriever alone, the final lists, and the candidates' Recall@N, the ceiling of what the
// ranker can reach.

#include <string>

#include "core/eval/Evaluator.h"

namespace recscope {

class PipelineModel;
class Recommender;

struct PipelineReport {
    EvalResult retriever;    // the two-tower model alone (full ranking, cosine)
    EvalResult final;        // the pipeline's final lists (its `metrics` for the CLI)
    int32_t candidates = 0;  // N
    // Mean over evaluated users of Recall@N / HitRate@N of the candidates. NaN (not measured)
    // in sampled evaluation, where a list holds fewer than N items.
    double candidateRecall = 0.0;
    double candidateHit = 0.0;
    std::string index;  // the index actually used ("Flat", "HNSW32", ...)
};

// Runs evaluate() three times with `config` (the candidates' pass uses K = N only; skipped in
// sampled mode), so every stage's list follows the run's one list rule (core/eval/Exclusion.h).
// Errors from the evaluator (including "cancelled") are passed through.
Result<PipelineReport> evaluatePipelineStages(const PipelineModel& model, const TrainData& train,
                                              EvalPart part, const EvalConfig& config,
                                              const CancelToken* cancel = nullptr);

// The same for a model known only through the Recommender interface (the CLI and the GUI do
// not include torch-heavy headers); an error when `model` is not a trained pipeline.
Result<PipelineReport> evaluatePipelineStages(const Recommender& model, const TrainData& train,
                                              EvalPart part, const EvalConfig& config,
                                              const CancelToken* cancel = nullptr);

}  // namespace recscope
