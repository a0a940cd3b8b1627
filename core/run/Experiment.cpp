#include "core/run/Experiment.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <utility>

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

// Typed field access for runConfigFromJson: each failure names the field.
class JsonReader {
public:
    explicit JsonReader(const nlohmann::json& j, std::string prefix = {})
        : m_j(j), m_prefix(std::move(prefix)) {}

    const nlohmann::json* field(const std::string& key) {
        if (!m_error.empty())
            return nullptr;
        if (!m_j.is_object()) {
            m_error =
                (m_prefix.empty() ? std::string("run configuration")
                                  : "field '" + m_prefix.substr(0, m_prefix.size() - 1) + "'") +
                " must be a JSON object";
            return nullptr;
        }
        const auto it = m_j.find(key);
        if (it == m_j.end()) {
            m_error = "missing field '" + m_prefix + key + "'";
            return nullptr;
        }
        return &*it;
    }
    void wrongType(const std::string& key, const char* expected) {
        if (m_error.empty())
            m_error = "field '" + m_prefix + key + "' must be " + expected;
    }
    std::string string(const std::string& key) {
        const nlohmann::json* v = field(key);
        if (v && !v->is_string())
            wrongType(key, "a string");
        return v && v->is_string() ? v->get<std::string>() : std::string();
    }
    double number(const std::string& key) {
        const nlohmann::json* v = field(key);
        if (v && !v->is_number())
            wrongType(key, "a number");
        return v && v->is_number() ? v->get<double>() : 0.0;
    }
    int64_t integer(const std::string& key) {
        const nlohmann::json* v = field(key);
        if (v && !v->is_number_integer())
            wrongType(key, "an integer");
        return v && v->is_number_integer() ? v->get<int64_t>() : 0;
    }
    uint64_t unsignedInteger(const std::string& key) {
        const nlohmann::json* v = field(key);
        if (v && !v->is_number_unsigned())
            wrongType(key, "a non-negative integer");
        return v && v->is_number_unsigned() ? v->get<uint64_t>() : 0;
    }
    bool boolean(const std::string& key) {
        const nlohmann::json* v = field(key);
        if (v && !v->is_boolean())
            wrongType(key, "true or false");
        return v && v->is_boolean() && v->get<bool>();
    }
    // A field added after version 1 of the format: absent means "not recorded".
    bool has(const std::string& key) const { return m_j.is_object() && m_j.contains(key); }
    const std::string& error() const { return m_error; }
    void fail(const std::string& message) {
        if (m_error.empty())
            m_error = message;
    }

private:
    const nlohmann::json& m_j;
    std::string m_prefix;
    std::string m_error;
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

nlohmann::json runConfigToJson(const RunConfig& config) {
    const SplitConfig& s = config.split;
    nlohmann::json params = nlohmann::json::object();
    for (const auto& [k, v] : config.params)
        params[k] = v;
    nlohmann::json j = {{"dataset", config.dataset},
                        {"split",
                         {{"protocol", protocolName(s.protocol)},
                          {"n_test", s.nTest},
                          {"n_val", s.nVal},
                          {"min_train", s.minTrain},
                          {"threshold", s.threshold},
                          {"test_fraction", s.testFraction},
                          {"val_fraction", s.valFraction},
                          {"seed", s.seed},
                          {"exclude", excludeRuleName(s.exclude)},
                          {"min_rating", s.minRating},
                          {"kcore", s.kcore},
                          {"stratify", stratifyName(s.stratify)},
                          {"heldout_users", s.heldoutUsers}}},
                        {"model", config.model},
                        {"params", params},
                        {"fit_on", config.fitOn},
                        {"device", config.device},
                        {"seed", config.seed},
                        {"ks", config.ks},
                        {"negatives", config.negatives},
                        {"sampler", samplerName(config.sampler)},
                        {"keep_per_user", config.keepPerUser},
                        {"evaluate_on", evalPartName(config.evaluateOn)}};
    if (config.worldSize > 1)
        j["distributed"] = {{"world_size", config.worldSize}, {"backend", config.distBackend}};
    return j;
}

Result<RunConfig> runConfigFromJson(const nlohmann::json& json) {
    RunConfig c;
    JsonReader r(json);
    c.dataset = r.string("dataset");
    c.model = r.string("model");
    c.fitOn = r.string("fit_on");
    c.device = r.string("device");
    c.seed = r.unsignedInteger("seed");
    const int64_t negatives = r.integer("negatives");
    if (r.error().empty() && (negatives < -1 || negatives > 1000000))
        r.fail("field 'negatives' must be between -1 and 1000000");
    c.negatives = static_cast<int>(negatives);
    const std::string sampler = r.string("sampler");
    if (r.error().empty() && sampler != "uniform" && sampler != "popularity")
        r.fail("field 'sampler' must be uniform or popularity, got '" + sampler + "'");
    c.sampler = sampler == "popularity" ? NegativeSampler::Popularity : NegativeSampler::Uniform;
    c.keepPerUser = r.boolean("keep_per_user");
    // Optional: runs recorded before sweeps existed were all evaluated on the test part.
    if (json.is_object() && json.contains("evaluate_on")) {
        const std::string part = r.string("evaluate_on");
        if (r.error().empty() && part != "test" && part != "validation")
            r.fail("field 'evaluate_on' must be test or validation, got '" + part + "'");
        c.evaluateOn = part == "validation" ? EvalPart::Validation : EvalPart::Test;
    }
    if (const nlohmann::json* ks = r.field("ks")) {
        if (!ks->is_array()) {
            r.wrongType("ks", "an array of integers");
        } else {
            c.ks.clear();
            for (const auto& k : *ks) {
                if (!k.is_number_integer() || k.get<int64_t>() < 1 || k.get<int64_t>() > 100000) {
                    r.fail("field 'ks' must hold integers between 1 and 100000");
                    break;
                }
                c.ks.push_back(k.get<int>());
            }
        }
    }
    if (const nlohmann::json* params = r.field("params")) {
        if (!params->is_object())
            r.wrongType("params", "an object of strings");
        else
            for (const auto& [k, v] : params->items()) {
                if (!v.is_string()) {
                    r.fail("field 'params." + k + "' must be a string");
                    break;
                }
                c.params[k] = v.get<std::string>();
            }
    }
    if (const nlohmann::json* split = r.field("split")) {
        JsonReader s(*split, "split.");
        const std::string protocol = s.string("protocol");
        const std::optional<Protocol> p = parseProtocol(protocol);
        if (s.error().empty() && !p)
            s.fail("field 'split.protocol' must be temporal, loo, ratio or strong, got '" +
                   protocol + "'");
        c.split.protocol = p.value_or(Protocol::Temporal);
        c.split.nTest = static_cast<int>(s.integer("n_test"));
        c.split.nVal = static_cast<int>(s.integer("n_val"));
        c.split.minTrain = static_cast<int>(s.integer("min_train"));
        c.split.threshold = s.number("threshold");
        c.split.testFraction = s.number("test_fraction");
        c.split.valFraction = s.number("val_fraction");
        c.split.seed = s.unsignedInteger("seed");
        if (s.has("exclude")) {
            const std::string rule = s.string("exclude");
            const std::optional<ExcludeRule> e = parseExcludeRule(rule);
            if (s.error().empty() && !e)
                s.fail("field 'split.exclude' must be positives or rated, got '" + rule + "'");
            c.split.exclude = e.value_or(ExcludeRule::Positives);
        }
        if (s.has("min_rating"))
            c.split.minRating = s.number("min_rating");
        if (s.has("kcore"))
            c.split.kcore = static_cast<int>(s.integer("kcore"));
        if (s.has("stratify")) {
            const std::string name = s.string("stratify");
            const std::optional<Stratify> st = parseStratify(name);
            if (s.error().empty() && !st)
                s.fail("field 'split.stratify' must be user or item, got '" + name + "'");
            c.split.stratify = st.value_or(Stratify::User);
        }
        if (s.has("heldout_users"))
            c.split.heldoutUsers = static_cast<int>(s.integer("heldout_users"));
        if (s.error().empty())
            if (Status v = validateSplitConfig(c.split); !v)
                s.fail("field 'split': " + v.error().message);
        if (!s.error().empty())
            r.fail(s.error());
    }
    // Optional: runs recorded before data-parallel training have none.
    if (json.is_object() && json.contains("distributed")) {
        JsonReader d(json["distributed"], "distributed.");
        const int64_t world = d.integer("world_size");
        c.distBackend = d.string("backend");
        if (d.error().empty() && (world < 1 || world > 65536))
            d.fail("field 'distributed.world_size' must be between 1 and 65536");
        c.worldSize = static_cast<int>(world);
        if (!d.error().empty())
            r.fail(d.error());
    }
    if (!r.error().empty())
        return makeError(r.error());
    return c;
}

Throughput trainingThroughput(const std::vector<EpochReport>& epochs) {
    int64_t samples = 0;
    double batchSeconds = 0.0;
    double epochSeconds = 0.0;
    for (const EpochReport& e : epochs) {
        samples += e.samples;
        batchSeconds += e.trainSeconds;
        epochSeconds += e.seconds;
    }
    Throughput t;
    if (samples > 0 && batchSeconds > 0.0)
        t.samplesPerSecond = double(samples) / batchSeconds;
    if (!epochs.empty())
        t.epochSeconds = epochSeconds / double(epochs.size());
    return t;
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
