#pragma once
// The one interface every model implements. Thread rules: fit() runs on one worker thread;
// after fit() (or load()) the const scoring calls may run from several threads at once.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/common/Progress.h"
#include "core/common/Status.h"
#include "core/models/Params.h"

namespace recscope {

struct TrainData;

struct EpochReport {
    int epoch = 0;                               // 1-based
    double trainLoss = 0.0;                      // mean over the epoch's batches
    std::map<std::string, double> validation;    // e.g. {"ndcg@10": 0.05}
    double seconds = 0.0;
};

// Receives training events on the training thread. Implementations must be cheap (the UI
// forwards them as queued signals).
class TrainObserver {
public:
    virtual ~TrainObserver() = default;
    virtual void onBatch(int epoch, int64_t batch, int64_t batchesPerEpoch, double loss) {}
    virtual void onEpoch(const EpochReport& report) {}
    virtual void onMessage(const std::string& text) {}
};

struct FitContext {
    std::string device = "cpu";           // "cpu" or "cuda[:N]"; non-torch models ignore it
    uint64_t seed = 42;
    TrainObserver* observer = nullptr;    // may be null
    const CancelToken* cancel = nullptr;  // may be null; checked at least once per batch
    ProgressFn progress;                  // coarse progress (0..1) for non-epoch models
};

class Recommender {
public:
    virtual ~Recommender() = default;

    virtual std::string name() const = 0;  // registry name: "bpr", "ease", ...
    virtual std::vector<ParamSpec> paramSpecs() const = 0;

    // Resolves and stores parameters (defaults for everything not overridden).
    Status configure(const std::map<std::string, std::string>& overrides);
    const ParamValues& params() const { return m_params; }

    // Trains on data.positives (and allRatings for rating models). A cancelled fit returns an
    // error whose message is "cancelled"; a NaN/Inf loss returns an error saying so.
    virtual Status fit(const TrainData& data, const FitContext& context) = 0;

    // True when fit() reads the validation part (early stopping). Models that do not are trained
    // on train + validation before the test evaluation (see withValidationInTrain).
    virtual bool usesValidation() const { return true; }

    virtual int32_t numItems() const = 0;
    // Scores of n users against every item: out is n x numItems(), row-major, caller-owned.
    // Higher is better. Users never seen in training get a defined (e.g. popularity) score.
    virtual void scoreUsers(const int32_t* users, int64_t n, float* out) const = 0;

    // Rating models (explicit MF) predict ratings for (user, item) pairs.
    virtual bool predictsRatings() const { return false; }
    virtual void predictRatings(const int32_t* users, const int32_t* items, int64_t n,
                                float* out) const {}

    virtual Status save(const std::string& path) const = 0;
    virtual Status load(const std::string& path) = 0;

protected:
    ParamValues m_params;
};

// Registry: the names the CLI and GUI accept.
std::vector<std::string> modelNames();
std::unique_ptr<Recommender> createModel(const std::string& name);  // null for unknown names

}  // namespace recscope
