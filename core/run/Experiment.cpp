#include "core/run/Experiment.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "core/common/Allocator.h"
#include "core/data/Dataset.h"
#include "core/dist/DataParallel.h"
#include "core/eval/StageReport.h"
#include "core/models/ModelRegistry.h"
#include "core/models/StagedRecommender.h"
#include "core/models/TrainData.h"

namespace recscope {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string samplerName(NegativeSampler s) {
    return s == NegativeSampler::Popularity ? "popularity" : "uniform";
}

std::string evalPartName(EvalPart part) {
    return part == EvalPart::Validation ? "validation" : "test";
}

// Records every epoch for RunOutcome and passes all events on to the caller's observer.
class ForwardingObserver : public TrainObserver {
public:
    explicit ForwardingObserver(TrainObserver* next) : m_next(next) {}
    void onBatch(int epoch, int64_t batch, int64_t batchesPerEpoch, double loss) override {
        if (m_next)
            m_next->onBatch(epoch, batch, batchesPerEpoch, loss);
    }
    void onEpoch(const EpochReport& report) override {
        m_epochs.push_back(report);
        if (m_next)
            m_next->onEpoch(report);
    }
    void onMessage(const std::string& text) override {
        if (m_next)
            m_next->onMessage(text);
    }
    std::vector<EpochReport> take() { return std::move(m_epochs); }

private:
    TrainObserver* m_next;
    std::vector<EpochReport> m_epochs;
};

}  // namespace

std::string distributableModelNames() {
    std::string names;
    for (const ModelRegistry::Entry& e : ModelRegistry::global().entries())
        if (e.capabilities.distributed)
            names += (names.empty() ? "" : ", ") + e.name;
    return names;
}

bool isValidDeviceName(const std::string& d) {
    if (d == "cpu" || d == "cuda")
        return true;
    if (d.rfind("cuda:", 0) != 0 || d.size() == 5 || d.size() > 9)
        return false;
    return d.find_first_not_of("0123456789", 5) == std::string::npos;
}

Status validateRunConfig(const RunConfig& config) {
    std::unique_ptr<Recommender> model = createModel(config.model);
    if (!model) {
        std::string names;
        for (const std::string& n : modelNames())
            names += (names.empty() ? "" : ", ") + n;
        return makeError("model: unknown model '" + config.model + "' (valid: " + names + ")");
    }
    if (Status s = model->configure(config.params); !s)
        return makeError("params: " + s.error().message);
    if (config.worldSize > 1 && !model->canDistribute())
        return makeError("model: '" + config.model +
                         "' cannot be trained data-parallel with these parameters (models that "
                         "can: " +
                         distributableModelNames() + ")");
    if (Status s = validateSplitConfig(config.split); !s)
        return makeError("split: " + s.error().message);
    if (config.ks.empty())
        return makeError("ks: at least one cut-off is needed");
    for (int k : config.ks)
        if (k < 1 || k > 100000)
            return makeError("ks: cut-offs must be between 1 and 100000, got " + std::to_string(k));
    if (!isValidDeviceName(config.device))
        return makeError("device: must be cpu, cuda or cuda:N, got '" + config.device + "'");
    if (config.fitOn != "auto" && config.fitOn != "train" && config.fitOn != "train+val")
        return makeError("fitOn: must be auto, train or train+val, got '" + config.fitOn + "'");
    if (config.evaluateOn == EvalPart::Validation && config.fitOn == "train+val")
        return makeError("fitOn: a run evaluated on the validation part cannot train on it");
    if (config.negatives < -1 || config.negatives > 1000000)
        return makeError("negatives: must be -1 (protocol default) or between 0 and 1000000, got " +
                         std::to_string(config.negatives));
    const int negatives = effectiveNegatives(config);
    const bool strong = config.split.protocol == Protocol::Strong;
    if (strong && negatives > 0)
        return makeError("negatives: the strong protocol ranks the full catalogue (use 0)");
    if (negatives > 0 &&
        std::none_of(config.ks.begin(), config.ks.end(), [&](int k) { return k < negatives + 1; }))
        return makeError("ks: sampled evaluation ranks " + std::to_string(negatives + 1) +
                         " items per test item; at least one cut-off must be below that");
    if (strong && !model->canFoldIn())
        return makeError("model: " + config.model +
                         " cannot fold in a new user, so it cannot be evaluated under the strong "
                         "protocol (held-out users)");
    return {};
}

int effectiveNegatives(const RunConfig& config) {
    return config.negatives >= 0 ? config.negatives
                                 : (config.split.protocol == Protocol::Loo ? 99 : 0);
}

Result<RunOutcome> runExperiment(const Dataset& data, const RunConfig& config,
                                 const RunHooks& hooks) {
    if (Status s = validateRunConfig(config); !s)
        return s.error();
    if (isCancelled(hooks.cancel))
        return cancelledError();

    std::unique_ptr<Recommender> model = createModel(config.model);
    if (Status s = model->configure(config.params); !s)
        return s.error();
    if (hooks.parallel && !model->canDistribute())
        return makeError("model '" + config.model + "' cannot be trained data-parallel");

    report(hooks.progress, "Splitting", 0.0);
    const Result<Split> split = makeSplit(data, config.split);
    if (!split)
        return split.error();
    if (isCancelled(hooks.cancel))
        return cancelledError();

    RunOutcome outcome;
    outcome.params = model->params().values();
    // The fit rule (docs/protocols.md, "What a model is fitted on"). A run scored on the
    // validation part (a sweep trial) never trains on it, neither merged nor by a refit.
    const bool onValidation = config.evaluateOn == EvalPart::Validation;
    const bool merge = !onValidation && (config.fitOn == "train+val" ||
                                         (config.fitOn == "auto" && !model->usesValidation()));
    // Both parts live until the end: TrainData points into the split it was built from.
    const Split fitSplit = merge ? withValidationInTrain(split.value()) : split.value();
    const TrainData train = TrainData::build(fitSplit, &data);
    FitRecord record{merge, static_cast<int64_t>(fitSplit.train.size())};

    ForwardingObserver observer(hooks.observer);
    // A model without device code runs on the CPU whatever was asked, and the run says so.
    outcome.device = model->usesDevice() ? config.device : "cpu";
    if (outcome.device != config.device)
        observer.onMessage(config.model + " has no GPU code: it runs on the CPU (device '" +
                           config.device + "' ignored, the run records cpu)");
    FitContext context;
    context.device = outcome.device;
    context.seed = config.seed;
    context.refitOnValidation = !onValidation && config.fitOn == "auto" && !merge;
    context.record = &record;
    context.observer = &observer;
    context.cancel = hooks.cancel;
    context.progress = hooks.progress;
    context.watchUsers = hooks.watchUsers;
    context.watchK = hooks.watchK;
    context.parallel = hooks.parallel;
    report(hooks.progress, "Training", 0.0);
    observer.onMessage("Training " + config.model + " on " + std::to_string(record.ratings) +
                       " ratings (" + std::to_string(train.positives.nnz()) + " positives, " +
                       (merge ? "train + validation" : "train") + ")");
    // The heap kept for reuse (Allocator.h) goes back to the kernel when the run returns, after
    // the evaluation too: trimmed between the two, the evaluation would fault it in again.
    struct ReleaseHeapOnReturn {
        ~ReleaseHeapOnReturn() { releaseFreeHeap(); }
    } releaseHeap;
    const auto trainStart = Clock::now();
    const Status fitted = model->fit(train, context);
    outcome.epochs = observer.take();
    if (!fitted)
        return fitted.error();
    outcome.trainSeconds = secondsSince(trainStart);
    const Throughput throughput = trainingThroughput(outcome.epochs);
    outcome.trainSamplesPerSecond = throughput.samplesPerSecond;
    outcome.epochSeconds = throughput.epochSeconds;
    outcome.fitOnTrainAndValidation = record.trainAndValidation;
    outcome.trainRatings = static_cast<int32_t>(record.ratings);
    if (hooks.parallel && !hooks.parallel->leader()) {
        outcome.model = std::move(model);  // rank 0 alone evaluates
        return outcome;
    }
    if (isCancelled(hooks.cancel))
        return cancelledError();

    const int negatives = effectiveNegatives(config);
    EvalConfig eval;
    eval.ks = config.ks;
    eval.mode = negatives > 0 ? EvalMode::Sampled : EvalMode::Full;
    eval.negatives = negatives;
    eval.sampler = config.sampler;
    eval.seed = config.seed;
    eval.keepPerUser = config.keepPerUser;
    outcome.evaluatedNegatives = negatives;

    report(hooks.progress, "Evaluating", 0.0);
    const EvalPart part = config.evaluateOn;
    observer.onMessage("Evaluating on the " + evalPartName(part) + " part (" +
                       (negatives > 0 ? std::to_string(negatives) + " " +
                                            samplerName(config.sampler) + " negatives"
                                      : std::string("full ranking")) +
                       ")");
    const auto evalStart = Clock::now();
    // A pipeline is evaluated stage by stage on the same users; its metrics are the final list's.
    if (const StagedRecommender* staged = model->staged()) {
        Result<StageReport> stages =
            evaluateStages(*model, *staged, train, part, eval, hooks.cancel);
        if (!stages)
            return stages.error();
        StageReport& r = stages.value();
        StageMetrics m;
        m.retriever = std::move(r.retriever.metrics);
        m.candidates = r.candidates;
        m.candidateRecall = r.candidateRecall;
        m.candidateHit = r.candidateHit;
        m.index = r.index;
        outcome.stages = std::move(m);
        outcome.test = std::move(r.final);
    } else {
        Result<EvalResult> result = evaluate(*model, train, part, eval, hooks.cancel);
        if (!result)
            return result.error();
        outcome.test = std::move(result).value();
    }
    outcome.evalSeconds = secondsSince(evalStart);
    report(hooks.progress, "Evaluating", 1.0);
    outcome.model = std::move(model);
    return outcome;
}

}  // namespace recscope
