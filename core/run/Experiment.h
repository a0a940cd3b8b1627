#pragma once
// One experiment end to end: split a loaded dataset, configure and train a model, evaluate it on
// the test part. The CLI's `run` and the GUI's training view both go through here, so a run gives
// the same numbers whichever front end started it. Runs on the caller's (worker) thread.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/common/Progress.h"
#include "core/common/Status.h"
#include "core/eval/Evaluator.h"
#include "core/models/Recommender.h"
#include "core/split/Split.h"

namespace recscope {

class Dataset;
class DataParallel;

struct RunConfig {
    std::string dataset;                        // path or "demo"; informational (identity below)
    SplitConfig split;                          // protocol and its options
    std::string model;                          // registry name
    std::map<std::string, std::string> params;  // overrides; unset ones take the defaults
    // "auto" | "train" | "train+val": the fit rule (docs/protocols.md, "What a model is fitted
    // on"). auto: models that stop early train on train and, if they refit, refit on
    // train + validation for the chosen epoch count; the others train on train + validation.
    // train: train only, never a refit. train+val: train + validation, no early stopping.
    std::string fitOn = "auto";
    std::string device = "cpu";  // "cpu" | "cuda" | "cuda:N" (requested)
    uint64_t seed = 42;
    std::vector<int> ks{10, 20, 50, 100};
    int negatives = -1;  // sampled evaluation; -1 = protocol default
                         // (loo: 99, others: 0 = full ranking)
    NegativeSampler sampler = NegativeSampler::Uniform;
    bool keepPerUser = true;  // fill RunOutcome::test.perUser
    // The part the metrics are computed on. Test for every ordinary run; Validation for the
    // trials of a hyper-parameter sweep (core/sweep), which choose a configuration without
    // looking at the test part. A run evaluated on validation never trains on it ("auto"
    // resolves to "train"; "train+val" is refused).
    EvalPart evaluateOn = EvalPart::Test;
    // Data-parallel training (recorded, not acted on: RunHooks::parallel does that). JSON:
    // "distributed": {"world_size", "backend"}, present only when world_size > 1.
    int worldSize = 1;
    std::string distBackend;  // "gloo" | "nccl" when worldSize > 1
};

// Checks everything that can be checked before any work: model name, parameter values, split
// options, ks, device string, fitOn, negatives against the cut-offs, and that a strong-protocol
// model can fold in new users (Recommender::canFoldIn()). Errors name the offending field.
Status validateRunConfig(const RunConfig& config);
// The registry's models that can train data-parallel with default parameters, "a, b, c".
std::string distributableModelNames();
// Sampled negatives per test item the run evaluates with: config.negatives, or the protocol's
// default when it is -1 (loo: 99, others: 0 = full ranking).
int effectiveNegatives(const RunConfig& config);
// "cpu", "cuda" or "cuda:N" (whether such a device exists is checked when training starts).
bool isValidDeviceName(const std::string& device);

// Lossless JSON form (stored in run.json and the workspace). fromJson rejects missing or
// ill-typed fields with a message naming them; split fields added later (exclude, min_rating,
// kcore, stratify, heldout_users) may be missing and then take their defaults, so older runs
// load as they were made (exclude = positives).
nlohmann::json runConfigToJson(const RunConfig& config);
Result<RunConfig> runConfigFromJson(const nlohmann::json& json);

struct StageMetrics {                         // two-stage models only
    std::map<std::string, double> retriever;  // the retriever alone, same users, same keys
    int32_t candidates = 0;                   // N
    double candidateRecall = 0.0;             // NaN in sampled evaluation (not measured)
    double candidateHit = 0.0;
    std::string index;  // "Flat", "HNSW32", ...
};

struct RunOutcome {
    std::map<std::string, std::string> params;  // resolved parameters (defaults filled in)
    EvalResult test;  // metrics (+ per-user vectors if keepPerUser) on RunConfig::evaluateOn
    std::optional<StageMetrics> stages;
    std::vector<EpochReport> epochs;  // one per epoch for epoch models, else empty
    // What the model's final weights actually saw (FitRecord): train + validation (merged up
    // front, or by the model's refit under "auto") or train only, and how many ratings.
    bool fitOnTrainAndValidation = false;
    int32_t trainRatings = 0;
    std::string device = "cpu";      // the device it ran on (cpu for CPU-only models)
    int32_t evaluatedNegatives = 0;  // 0 = full ranking
    double trainSeconds = 0.0;
    double evalSeconds = 0.0;
    // Throughput over `epochs` (0 when the model reports none): training samples per second of
    // batch time (EpochReport::samples / trainSeconds), and mean wall seconds per epoch.
    double trainSamplesPerSecond = 0.0;
    double epochSeconds = 0.0;
    std::unique_ptr<Recommender> model;  // the trained model (save it, inspect it)
};

// Training throughput of a run's epoch reports: samples per second of batch time (the sum of
// EpochReport::samples over the sum of trainSeconds; 0 when no epoch counts samples) and the
// mean wall seconds of an epoch (0 without epochs).
struct Throughput {
    double samplesPerSecond = 0.0;
    double epochSeconds = 0.0;
};
Throughput trainingThroughput(const std::vector<EpochReport>& epochs);

struct RunHooks {
    TrainObserver* observer = nullptr;  // forwarded; RunOutcome::epochs is collected regardless
    const CancelToken* cancel = nullptr;
    // Stages "Splitting", "Training", then the model's own progress (e.g. "Epoch 3/20"),
    // "Evaluating". The observer also gets two onMessage lines ("Training bpr on N ratings
    // (P positives)", "Evaluating on the test part (full ranking)").
    ProgressFn progress;
    // Watch list, passed on to FitContext (see EpochReport::watchTopK): user ids of the dataset.
    std::vector<int32_t> watchUsers;
    int watchK = 10;
    // This process is one rank of a data-parallel group (passed on to FitContext). Ranks other
    // than 0 only train: their outcome has no test metrics.
    DataParallel* parallel = nullptr;
};

// Errors: validation errors (as validateRunConfig), split errors, "cancelled", training errors
// (NaN loss ...) and evaluation errors, each with a message fit for a user.
Result<RunOutcome> runExperiment(const Dataset& data, const RunConfig& config,
                                 const RunHooks& hooks = {});

}  // namespace recscope
