// RunConfig as JSON (the workspace's config column, run.json, lessons' runs) and the
// throughput summary of a run's epochs: the part of core/run/Experiment.h that reads and writes
// records, apart from running experiments, so that readers of other people's files (run
// folders, their fuzzer) need no training code.
#include <nlohmann/json.hpp>

#include "core/run/Experiment.h"

namespace recscope {

namespace {

std::string samplerName(NegativeSampler s) {
    return s == NegativeSampler::Popularity ? "popularity" : "uniform";
}

std::string evalPartName(EvalPart part) {
    return part == EvalPart::Validation ? "validation" : "test";
}

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

}  // namespace recscope
