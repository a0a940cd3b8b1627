// The record-level helpers declared in Workspace.h (status names, dataset identity, outcome ->
// record) live here with the JSON forms, so Workspace.cpp holds only the database.

#include "core/workspace/RunRecordJson.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/data/Dataset.h"

namespace recscope {

namespace {

constexpr const char* kStatusNames[] = {"running", "finished", "cancelled", "failed",
                                        "interrupted"};

nlohmann::json number(double v) {
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

// 64-bit words mixed one at a time (a multiply-xorshift in the style of splitmix64): fast enough
// for 20M ratings (~30 ms) and stable across runs and machines (little-endian layout assumed,
// like the binary cache).
class Fingerprint {
public:
    void add(const void* data, size_t bytes) {
        mix(bytes);
        const auto* p = static_cast<const unsigned char*>(data);
        size_t i = 0;
        for (; i + 8 <= bytes; i += 8) {
            uint64_t w;
            std::memcpy(&w, p + i, 8);
            mix(w);
        }
        uint64_t tail = 0;
        std::memcpy(&tail, p + i, bytes - i);
        mix(tail);
    }
    std::string hex() const {
        static const char* digits = "0123456789abcdef";
        std::string s(16, '0');
        for (int i = 0; i < 16; ++i)
            s[static_cast<size_t>(i)] = digits[(m_h >> (60 - 4 * i)) & 0xf];
        return s;
    }

private:
    void mix(uint64_t w) {
        uint64_t z = w + 0x9e3779b97f4a7c15ULL + (m_h << 6) + (m_h >> 2);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        m_h ^= z ^ (z >> 31);
    }
    uint64_t m_h = 0x243f6a8885a308d3ULL;
};

// Field readers that record the first problem; each message names the field.
struct Reader {
    const nlohmann::json& j;
    std::string prefix;
    std::string error;

    const nlohmann::json* get(const std::string& key) {
        if (!error.empty())
            return nullptr;
        if (!j.is_object()) {
            error = (prefix.empty() ? std::string("record") : "'" + prefix + "'") +
                    " must be a JSON object";
            return nullptr;
        }
        const auto it = j.find(key);
        if (it == j.end()) {
            error = "missing field '" + name(key) + "'";
            return nullptr;
        }
        return &*it;
    }
    std::string name(const std::string& key) const {
        return prefix.empty() ? key : prefix + "." + key;
    }
    void bad(const std::string& key, const char* expected) {
        if (error.empty())
            error = "field '" + name(key) + "' must be " + expected;
    }
    std::string str(const std::string& key) {
        const nlohmann::json* v = get(key);
        if (v && v->is_string())
            return v->get<std::string>();
        if (v)
            bad(key, "a string");
        return {};
    }
    double num(const std::string& key) {  // null reads as NaN
        const nlohmann::json* v = get(key);
        if (v && v->is_number())
            return v->get<double>();
        if (v && v->is_null())
            return std::numeric_limits<double>::quiet_NaN();
        if (v)
            bad(key, "a number");
        return 0.0;
    }
    int64_t integer(const std::string& key) {
        const nlohmann::json* v = get(key);
        if (v && v->is_number_integer())
            return v->get<int64_t>();
        if (v)
            bad(key, "an integer");
        return 0;
    }
    bool boolean(const std::string& key) {
        const nlohmann::json* v = get(key);
        if (v && v->is_boolean())
            return v->get<bool>();
        if (v)
            bad(key, "true or false");
        return false;
    }
};

}  // namespace

std::string runStatusName(RunStatus status) {
    return kStatusNames[static_cast<int>(status)];
}

bool parseRunStatus(const std::string& name, RunStatus* status) {
    for (int i = 0; i < 5; ++i)
        if (name == kStatusNames[i]) {
            *status = static_cast<RunStatus>(i);
            return true;
        }
    return false;
}

DatasetIdentity datasetIdentity(const Dataset& data, const std::string& name) {
    DatasetIdentity id;
    id.name = name;
    id.format = formatName(data.format());
    id.users = data.numUsers();
    id.items = data.numItems();
    id.ratings = data.numRatings();
    Fingerprint f;
    const auto add = [&f](const auto& v) { f.add(v.data(), v.size() * sizeof(v[0])); };
    add(data.userOffsets());
    add(data.items());
    add(data.halfStars());
    add(data.timestamps());
    id.fingerprint = f.hex();
    return id;
}

PerUserMetrics perUserMetrics(const EvalResult& result) {
    PerUserMetrics p;
    if (result.perUser.empty())
        return p;
    p.users = result.users;
    p.values = result.perUser;
    return p;
}

EvalResult evalResultOf(PerUserMetrics perUser) {
    EvalResult r;
    r.users = std::move(perUser.users);
    r.perUser = std::move(perUser.values);
    r.usersEvaluated = static_cast<int32_t>(r.users.size());
    return r;
}

void applyOutcome(RunRecord& record, const RunOutcome& outcome) {
    record.status = RunStatus::Finished;
    record.params = outcome.params;
    record.metrics = outcome.test.metrics;
    record.stages.clear();
    record.stagesIndex.clear();
    if (outcome.stages) {
        for (const auto& [k, v] : outcome.stages->retriever)
            record.stages["retriever." + k] = v;
        record.stages["candidates.n"] = outcome.stages->candidates;
        record.stages["candidates.recall"] = outcome.stages->candidateRecall;
        record.stages["candidates.hit"] = outcome.stages->candidateHit;
        record.stagesIndex = outcome.stages->index;
    }
    record.epochs = outcome.epochs;
    record.usersEvaluated = outcome.test.usersEvaluated;
    record.trainSeconds = outcome.trainSeconds;
    record.evalSeconds = outcome.evalSeconds;
    record.fitOnTrainAndValidation = outcome.fitOnTrainAndValidation;
    record.config.device = outcome.device;  // what it ran on, not what was asked
    record.trainRatings = outcome.trainRatings;
    record.evaluatedNegatives = outcome.evaluatedNegatives;
}

nlohmann::json metricsToJson(const std::map<std::string, double>& metrics) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : metrics)
        j[k] = number(v);
    return j;
}

Result<std::map<std::string, double>> metricsFromJson(const nlohmann::json& json,
                                                      const std::string& field) {
    if (!json.is_object())
        return makeError("field '" + field + "' must be an object of numbers");
    std::map<std::string, double> out;
    for (const auto& [k, v] : json.items()) {
        if (v.is_number())
            out[k] = v.get<double>();
        else if (v.is_null())
            out[k] = std::numeric_limits<double>::quiet_NaN();
        else
            return makeError("field '" + field + "." + k + "' must be a number");
    }
    return out;
}

nlohmann::json datasetIdentityToJson(const DatasetIdentity& d) {
    return {{"name", d.name},   {"format", d.format},   {"users", d.users},
            {"items", d.items}, {"ratings", d.ratings}, {"fingerprint", d.fingerprint}};
}

Result<DatasetIdentity> datasetIdentityFromJson(const nlohmann::json& json) {
    Reader r{json, "dataset", {}};
    DatasetIdentity d;
    d.name = r.str("name");
    d.format = r.str("format");
    d.users = static_cast<int32_t>(r.integer("users"));
    d.items = static_cast<int32_t>(r.integer("items"));
    d.ratings = r.integer("ratings");
    d.fingerprint = r.str("fingerprint");
    if (!r.error.empty())
        return makeError(r.error);
    return d;
}

nlohmann::json epochToJson(const EpochReport& e) {
    nlohmann::json j = {{"epoch", e.epoch},
                        {"train_loss", number(e.trainLoss)},
                        {"validation", metricsToJson(e.validation)},
                        {"seconds", number(e.seconds)}};
    if (e.samples > 0) {  // throughput (optional: older files and non-counting models lack it)
        j["samples"] = e.samples;
        j["train_seconds"] = number(e.trainSeconds);
    }
    return j;
}

Result<EpochReport> epochFromJson(const nlohmann::json& json) {
    Reader r{json, "epochs[]", {}};
    EpochReport e;
    e.epoch = static_cast<int>(r.integer("epoch"));
    e.trainLoss = r.num("train_loss");
    e.seconds = r.num("seconds");
    if (json.is_object() && json.contains("samples")) {
        e.samples = r.integer("samples");
        e.trainSeconds = r.num("train_seconds");
    }
    const nlohmann::json* v = r.get("validation");
    if (!r.error.empty())
        return makeError(r.error);
    Result<std::map<std::string, double>> validation = metricsFromJson(*v, "epochs[].validation");
    if (!validation)
        return validation.error();
    e.validation = std::move(validation).value();
    return e;
}

nlohmann::json runRecordToJson(const RunRecord& record) {
    nlohmann::json params = nlohmann::json::object();
    for (const auto& [k, v] : record.params)
        params[k] = v;
    nlohmann::json epochs = nlohmann::json::array();
    for (const EpochReport& e : record.epochs)
        epochs.push_back(epochToJson(e));
    const Throughput throughput = trainingThroughput(record.epochs);
    return {{"format", "recscope-run"},
            {"version", 1},
            {"name", record.name},
            {"created_at", record.createdAt},
            {"status", runStatusName(record.status)},
            {"message", record.message},
            {"config", runConfigToJson(record.config)},
            {"dataset", datasetIdentityToJson(record.dataset)},
            {"params", params},
            {"metrics", metricsToJson(record.metrics)},
            {"stages", metricsToJson(record.stages)},
            {"stages_index", record.stagesIndex},
            {"epochs", epochs},
            {"users_evaluated", record.usersEvaluated},
            {"train_seconds", number(record.trainSeconds)},
            {"eval_seconds", number(record.evalSeconds)},
            {"train_samples_per_second", number(throughput.samplesPerSecond)},
            {"epoch_seconds", number(throughput.epochSeconds)},
            {"fit_on", record.fitOnTrainAndValidation ? "train+val" : "train"},
            {"train_ratings", record.trainRatings},
            {"negatives", record.evaluatedNegatives}};
}

Result<RunRecord> runRecordFromJson(const nlohmann::json& json) {
    Reader r{json, "", {}};
    RunRecord rec;
    if (r.str("format") != "recscope-run" && r.error.empty())
        r.error = "field 'format' must be \"recscope-run\"";
    const int64_t version = r.integer("version");
    if (r.error.empty() && version != 1)
        r.error = "field 'version' is " + std::to_string(version) +
                  "; this build reads version 1 (written by a newer RecScope?)";
    rec.name = r.str("name");
    rec.createdAt = r.str("created_at");
    const std::string status = r.str("status");
    if (r.error.empty() && !parseRunStatus(status, &rec.status))
        r.error = "field 'status' has an unknown value '" + status + "'";
    rec.message = r.str("message");
    rec.stagesIndex = r.str("stages_index");
    rec.usersEvaluated = static_cast<int32_t>(r.integer("users_evaluated"));
    rec.trainSeconds = r.num("train_seconds");
    rec.evalSeconds = r.num("eval_seconds");
    const std::string fitOn = r.str("fit_on");
    if (r.error.empty() && fitOn != "train" && fitOn != "train+val")
        r.error = "field 'fit_on' must be train or train+val";
    rec.fitOnTrainAndValidation = fitOn == "train+val";
    rec.trainRatings = static_cast<int32_t>(r.integer("train_ratings"));
    rec.evaluatedNegatives = static_cast<int32_t>(r.integer("negatives"));
    const nlohmann::json* config = r.get("config");
    const nlohmann::json* dataset = r.get("dataset");
    const nlohmann::json* params = r.get("params");
    const nlohmann::json* metrics = r.get("metrics");
    const nlohmann::json* stages = r.get("stages");
    const nlohmann::json* epochs = r.get("epochs");
    if (!r.error.empty())
        return makeError(r.error);

    Result<RunConfig> c = runConfigFromJson(*config);
    if (!c)
        return makeError("config: " + c.error().message);
    rec.config = std::move(c).value();
    Result<DatasetIdentity> d = datasetIdentityFromJson(*dataset);
    if (!d)
        return d.error();
    rec.dataset = std::move(d).value();
    if (!params->is_object())
        return makeError("field 'params' must be an object of strings");
    for (const auto& [k, v] : params->items()) {
        if (!v.is_string())
            return makeError("field 'params." + k + "' must be a string");
        rec.params[k] = v.get<std::string>();
    }
    Result<std::map<std::string, double>> m = metricsFromJson(*metrics, "metrics");
    if (!m)
        return m.error();
    rec.metrics = std::move(m).value();
    Result<std::map<std::string, double>> s = metricsFromJson(*stages, "stages");
    if (!s)
        return s.error();
    rec.stages = std::move(s).value();
    if (!epochs->is_array())
        return makeError("field 'epochs' must be an array");
    for (const auto& e : *epochs) {
        Result<EpochReport> epoch = epochFromJson(e);
        if (!epoch)
            return epoch.error();
        rec.epochs.push_back(epoch.value());
    }
    return rec;
}

}  // namespace recscope
