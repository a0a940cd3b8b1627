#pragma once
// The generic epoch loop every iterative model uses: batches with per-batch loss events,
// per-epoch validation, early stopping with restore of the best epoch, cancel within one
// batch, and a clear stop on a NaN/Inf loss. No LibTorch here: models plug in through
// EpochModel. Runs on the caller's (training) thread.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/common/Status.h"
#include "core/models/Recommender.h"
#include "core/train/EpochModel.h"

namespace recscope {

struct TrainData;

struct TrainConfig {
    int epochs = 20;                 // maximum number of epochs (>= 1)
    int patience = 3;                // stop after this many epochs without improvement; 0 = never
    double learningRate = 0.001;     // only checked here (finite, > 0); the model applies it
    std::string metric = "ndcg@10";  // validation metric that decides the best epoch
    bool higherIsBetter = true;      // false for "rmse" / "mae"
};

// Validation metrics of the model as it stands after an epoch, e.g. {"ndcg@10": 0.05}.
using ValidateFn = std::function<Result<std::map<std::string, double>>()>;

struct TrainSummary {
    int epochsRun = 0;
    int bestEpoch = 0;  // 1-based; 0 when there was no validation
    double bestMetric = 0.0;
    bool stoppedEarly = false;
    std::vector<EpochReport> history;
};

class EpochTrainer {
public:
    explicit EpochTrainer(TrainConfig config);

    // Without a validator (or when it returns no value for the metric) every epoch runs and
    // the final weights are kept.
    void setValidator(ValidateFn validate) { m_validate = std::move(validate); }
    // Watch list: after every epoch, the top-K (FitContext::watchK) of each of
    // FitContext::watchUsers is scored through `model` (as it stands after the epoch) and put in
    // EpochReport::watchTopK, under the run's list rule for the test part (excludedItems) and
    // tie order (TieOrder with FitContext::seed). Both must
    // outlive run(). Without this call FitContext::watchModel/watchData are used, if set;
    // otherwise the watch list stays empty.
    void setWatchModel(const Recommender* model, const TrainData* data) {
        m_watchModel = model;
        m_watchData = data;
    }

    // Errors: "cancelled"; "loss became NaN at epoch E, batch B — lower the learning rate";
    // a non-positive or non-finite learning rate / epochs < 1 before any batch runs; a
    // validation error is passed through.
    Result<TrainSummary> run(EpochModel& model, const FitContext& context);

    // Validation by the evaluation engine: full ranking of the split's validation part at
    // K = 10 (metrics "ndcg@10", "recall@10", ..., and "rmse"/"mae" for rating models).
    // Returns a null function when the split has no validation part. `model` and `data` must
    // outlive the returned function.
    static ValidateFn evaluatorValidation(const Recommender& model, const TrainData& data,
                                          const CancelToken* cancel);

private:
    TrainConfig m_config;
    ValidateFn m_validate;
    const Recommender* m_watchModel = nullptr;
    const TrainData* m_watchData = nullptr;
};

}  // namespace recscope
