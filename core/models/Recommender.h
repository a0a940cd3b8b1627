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
class Recommender;
class StagedRecommender;
class DataParallel;

struct EpochReport {
    int epoch = 0;                             // 1-based
    double trainLoss = 0.0;                    // mean over the epoch's batches
    std::map<std::string, double> validation;  // e.g. {"ndcg@10": 0.05}
    double seconds = 0.0;                      // the whole epoch: batches, validation, watch list
    // Throughput: training samples of the epoch, counted as the PyTorch peer counts them (a BPR
    // triplet; a scored (user, item) row for NCF and the ranker; a positive row of a two-tower
    // batch), and the seconds its batches took. 0 when the model does not count them.
    int64_t samples = 0;
    double trainSeconds = 0.0;
    // Watch list (FitContext::watchUsers): each watched user's top-K items after this epoch,
    // best first, items the model trains on for that user removed. Empty when nobody is
    // watched. Not stored in the workspace (it is a live teaching aid).
    std::map<int32_t, std::vector<int32_t>> watchTopK;
};

// One rating of a user who exists only in the explorer (the what-if user). `positive` is the
// rating judged against the run's split threshold by the caller: implicit models use the
// positives only, rating models (predictsRatings()) every rating.
struct HistoryEntry {
    int32_t item = 0;
    float rating = 0.0f;
    bool positive = true;
};

// A model's latent vectors, row-major rows x dim. rows == 0: the model has none.
struct EmbeddingTable {
    int32_t rows = 0;
    int32_t dim = 0;
    std::vector<float> values;
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

// What a model's final weights were trained on (docs/protocols.md, "What a model is fitted
// on"): the caller fills it before fit() with the data it passes; a model that refits on
// train + validation (FitContext::refitOnValidation) updates it.
struct FitRecord {
    bool trainAndValidation = false;
    int64_t ratings = 0;  // training rows of the final fit
};

struct FitContext {
    // "cpu" or "cuda[:N]"; models whose usesDevice() is false run on the CPU whatever it says
    // (runExperiment tells the user and records "cpu").
    std::string device = "cpu";
    uint64_t seed = 42;
    TrainObserver* observer = nullptr;    // may be null
    const CancelToken* cancel = nullptr;  // may be null; checked at least once per batch
    ProgressFn progress;                  // coarse progress (0..1) for non-epoch models
    // Watch list: users whose top-K is reported in every EpochReport (epoch models only;
    // ids outside the training range are ignored).
    std::vector<int32_t> watchUsers;
    int watchK = 10;
    // For a stage that is not itself a Recommender (the pipeline's ranker): the model whose
    // scoreUsers() the watch list reads, and its training data (both outlive fit()). An
    // EpochTrainer's own setWatchModel() takes precedence.
    const Recommender* watchModel = nullptr;
    const TrainData* watchData = nullptr;
    // The fit rule (--fit-on). True only under "auto": a model that stops early on the
    // validation part may then retrain on train + validation for the chosen epoch count (and
    // say so in `record`). False: the model trains on exactly the data it is given.
    bool refitOnValidation = false;
    FitRecord* record = nullptr;  // may be null
    // Data-parallel training (core/dist/DataParallel.h): this process is one rank of a group
    // that trains the same model on shards of every batch. Null for a plain run. Only models
    // whose canDistribute() is true are given one.
    DataParallel* parallel = nullptr;
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

    // True when fit() reads the validation part (early stopping). Under --fit-on auto, models
    // that do not are trained on train + validation (see withValidationInTrain).
    virtual bool usesValidation() const { return true; }
    // True when fit() and scoring honour FitContext::device (LibTorch models); false: CPU only.
    virtual bool usesDevice() const { return false; }
    // A staged model (retriever -> candidates -> final lists) shows its stages through this
    // face; the run then reports each stage (core/eval/StageReport.h). Null for one-stage models.
    virtual const StagedRecommender* staged() const { return nullptr; }

    // True when fit() can train as one rank of a data-parallel group (FitContext::parallel),
    // with the parameters as configured. The classic models cannot.
    virtual bool canDistribute() const { return false; }

    virtual int32_t numItems() const = 0;
    // Scores of n users against every item: out is n x numItems(), row-major, caller-owned.
    // Higher is better. Users never seen in training get a defined (e.g. popularity) score.
    virtual void scoreUsers(const int32_t* users, int64_t n, float* out) const = 0;
    // Users per scoreUsers() call that this model scores best, when more than a caller's own
    // batch (0: no preference). EASE reads its item x item weights in tiles, each once per
    // call: a large batch saves memory traffic.
    virtual int64_t preferredScoreBatch() const { return 0; }

    // Rating models (explicit MF) predict ratings for (user, item) pairs.
    virtual bool predictsRatings() const { return false; }
    virtual void predictRatings(const int32_t* users, const int32_t* items, int64_t n,
                                float* out) const {}

    virtual Status save(const std::string& path) const = 0;
    virtual Status load(const std::string& path) = 0;

    // Fold-in (what-if users). True when scoreHistory() works for this model after fit()/load().
    virtual bool canFoldIn() const { return false; }
    // Scores every item for a user known only by `history` (any order; unknown item ids are
    // ignored). out: numItems() floats, caller-owned; history items are scored like any other
    // (the caller removes them). An empty history gives the model's score for unknown users.
    // Must be fast enough to run on every edit (well under a second on ML-100K). Models that
    // cannot fold in return an error "<name> cannot fold in a new user: <why>" (the default).
    virtual Status scoreHistory(const std::vector<HistoryEntry>& history, float* out) const;

    // Embedding map: true when itemEmbeddings() is filled after fit() or load().
    virtual bool hasEmbeddings() const { return false; }
    // The items' / users' latent vectors (empty table: the model has none).
    virtual EmbeddingTable itemEmbeddings() const { return {}; }
    virtual EmbeddingTable userEmbeddings() const { return {}; }

    // "Because you liked": the similarity of `item` to each of items[0..n) as this model sees
    // it (item-item weights, embedding cosine), written to out[0..n). Returns false when the
    // model has no item-item notion; callers then fall back to co-occurrence cosine.
    virtual bool itemSimilarities(int32_t item, const int32_t* items, int64_t n, float* out) const {
        return false;
    }

protected:
    ParamValues m_params;
};

// Registry: the names the CLI and GUI accept.
std::vector<std::string> modelNames();
std::unique_ptr<Recommender> createModel(const std::string& name);  // null for unknown names

}  // namespace recscope
