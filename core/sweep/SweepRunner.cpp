#include "core/sweep/SweepRunner.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/data/Dataset.h"
#include "core/models/Recommender.h"
#include "core/sweep/SweepResults.h"

namespace recscope {

namespace {

// Appends each epoch to the run's record as it ends (so a killed sweep keeps the curves of the
// trial it was training) and passes every event on.
class EpochRecorder : public TrainObserver {
public:
    EpochRecorder(Workspace& ws, int64_t runId, TrainObserver* next)
        : m_ws(ws), m_runId(runId), m_next(next) {}
    void onBatch(int epoch, int64_t batch, int64_t batchesPerEpoch, double loss) override {
        if (m_next)
            m_next->onBatch(epoch, batch, batchesPerEpoch, loss);
    }
    void onEpoch(const EpochReport& report) override {
        (void)m_ws.appendEpoch(m_runId, report);  // best effort: the final record rewrites them
        if (m_next)
            m_next->onEpoch(report);
    }
    void onMessage(const std::string& text) override {
        if (m_next)
            m_next->onMessage(text);
    }

private:
    Workspace& m_ws;
    int64_t m_runId;
    TrainObserver* m_next;
};

enum class RunEnd { Finished, Failed, Cancelled };

// One run of the workspace: created Running, trained, then Finished / Failed / Cancelled.
Result<RunEnd> recordRun(Workspace& ws, const Dataset& data, const RunConfig& config,
                         const DatasetIdentity& identity, const std::string& name,
                         const SweepHooks& hooks, const std::function<Status(int64_t)>& created,
                         int trial, int trials, const std::string& paramsText) {
    RunRecord record;
    record.name = name;
    record.config = config;
    record.dataset = identity;
    std::unique_ptr<Recommender> model = createModel(config.model);
    if (model && model->configure(config.params))
        record.params = model->params().values();
    Result<int64_t> id = ws.createRun(record);
    if (!id)
        return id.error();
    if (Status s = created(id.value()); !s)
        return s.error();
    if (hooks.runStarted)
        hooks.runStarted(trial, trials, id.value(), paramsText);
    EpochRecorder observer(ws, id.value(), hooks.observer);
    RunHooks runHooks;
    runHooks.observer = &observer;
    runHooks.cancel = hooks.cancel;
    runHooks.progress = hooks.progress;
    const Result<RunOutcome> outcome = runExperiment(data, config, runHooks);
    RunEnd end = RunEnd::Finished;
    Status recorded;
    if (outcome) {
        recorded = ws.finishRun(id.value(), outcome.value());
        if (!recorded)  // best effort; the recording error is what the sweep reports
            (void)ws.failRun(id.value(), RunStatus::Failed,
                             "could not record the results: " + recorded.error().toString());
    } else {
        const bool cancelled = isCancelled(hooks.cancel) || outcome.error().cancelled();
        end = cancelled ? RunEnd::Cancelled : RunEnd::Failed;
        recorded = ws.failRun(id.value(), cancelled ? RunStatus::Cancelled : RunStatus::Failed,
                              cancelled ? "cancelled" : outcome.error().toString());
    }
    if (hooks.runEnded)
        hooks.runEnded(trial, id.value());
    if (!recorded)
        return recorded.error();
    return end;
}

std::string trialName(const SweepSpec& spec, int64_t sweepId, int trial) {
    return spec.base.model + " sweep " + std::to_string(sweepId) + " · trial " +
           std::to_string(trial + 1);
}

Result<SweepSummary> continueSweep(Workspace& ws, const Dataset& data, const SweepSpec& spec,
                                   const SweepRecord& record, const SweepHooks& hooks) {
    Result<std::vector<SweepTrial>> expanded = expandSweep(spec);
    if (!expanded)
        return expanded.error();
    const std::vector<SweepTrial>& trials = expanded.value();
    SweepStore store(ws);
    SweepSummary summary;
    summary.sweepId = record.id;
    summary.trials = static_cast<int>(trials.size());
    std::map<int, int64_t> runOf;
    for (const SweepTrialRecord& t : record.trials)
        runOf[t.trial] = t.runId;
    const int n = summary.trials;
    if (hooks.sweepStarted)
        hooks.sweepStarted(record.id);
    const auto cancelSweep = [&]() -> Result<SweepSummary> {
        if (Status s = store.finishSweep(record.id, RunStatus::Cancelled, "cancelled"); !s)
            return s.error();
        summary.cancelled = true;
        return summary;
    };

    // Trials, in order; each one's run is its latest.
    for (const SweepTrial& trial : trials) {
        if (isCancelled(hooks.cancel))
            return cancelSweep();
        if (const auto it = runOf.find(trial.index); it != runOf.end() && it->second > 0) {
            const Result<RunRecord> run = ws.run(it->second);
            if (run && (run->status == RunStatus::Finished || run->status == RunStatus::Failed)) {
                ++summary.skipped;
                summary.failed += run->status == RunStatus::Failed ? 1 : 0;
                if (hooks.trialSkipped)
                    hooks.trialSkipped(trial.index, it->second);
                continue;
            }
        }
        const RunConfig config = trialRunConfig(spec, trial);
        const auto link = [&](int64_t runId) {
            runOf[trial.index] = runId;
            return store.setTrialRun(record.id, {trial.index, trial.params, runId});
        };
        Result<RunEnd> end =
            recordRun(ws, data, config, record.dataset, trialName(spec, record.id, trial.index),
                      hooks, link, trial.index, n, sweepParamsText(trial.params));
        if (!end)
            return end.error();
        if (end.value() == RunEnd::Cancelled)
            return cancelSweep();
        ++summary.trained;
        summary.failed += end.value() == RunEnd::Failed ? 1 : 0;
    }

    // The best trial by the validation metric: the rule the sweep view shows.
    SweepRecord current = record;
    for (SweepTrialRecord& t : current.trials)
        t.runId = runOf[t.trial];
    Result<std::vector<RunRecord>> runs = ws.runs();
    if (!runs)
        return runs.error();
    std::map<int64_t, const RunRecord*> byId;
    for (const RunRecord& r : runs.value())
        byId[r.id] = &r;
    const Result<SweepResults> results = collectSweepResults(current, [&](int64_t id) {
        const auto it = byId.find(id);
        return it == byId.end() ? nullptr : it->second;
    });
    if (!results)
        return results.error();
    if (results->bestRow < 0) {
        const std::string why = "no trial finished with a validation " + spec.metric;
        if (Status s = store.finishSweep(record.id, RunStatus::Failed, why); !s)
            return s.error();
        return summary;
    }
    const SweepRow& best = results->rows[static_cast<size_t>(results->bestRow)];
    summary.bestRunId = best.runId;
    summary.bestValue = best.value;
    summary.bestParams = best.params;

    // The best configuration once on the test part, under the base fit rule.
    int64_t testRun = record.bestRunId == summary.bestRunId ? record.testRunId : 0;
    if (testRun > 0) {
        const Result<RunRecord> run = ws.run(testRun);
        if (!run || run->status != RunStatus::Finished)
            testRun = 0;
    }
    if (testRun == 0) {
        if (isCancelled(hooks.cancel))
            return cancelSweep();
        RunConfig config = spec.base;
        for (const auto& [k, v] : best.params)
            config.params[k] = v;
        config.evaluateOn = EvalPart::Test;
        const std::string name =
            spec.base.model + " sweep " + std::to_string(record.id) + " · best on test";
        const auto link = [&](int64_t runId) {
            testRun = runId;
            return store.setBest(record.id, summary.bestRunId, runId);
        };
        Result<RunEnd> end = recordRun(ws, data, config, record.dataset, name, hooks, link, -1, n,
                                       sweepParamsText(best.params));
        if (!end)
            return end.error();
        if (end.value() == RunEnd::Cancelled)
            return cancelSweep();
        if (end.value() == RunEnd::Failed) {
            if (Status s = store.finishSweep(record.id, RunStatus::Failed,
                                             "the test run of the best configuration failed");
                !s)
                return s.error();
            return summary;
        }
    }
    summary.testRunId = testRun;
    if (Status s = store.finishSweep(record.id, RunStatus::Finished, ""); !s)
        return s.error();
    return summary;
}

}  // namespace

Result<SweepSpec> sweepSpecOf(const SweepRecord& record) {
    const nlohmann::json j = nlohmann::json::parse(record.spec, nullptr, false);
    if (j.is_discarded())
        return makeError("database: sweep " + std::to_string(record.id) +
                         " has a malformed definition");
    return sweepSpecFromJson(j);
}

Result<SweepSummary> runSweep(Workspace& workspace, const Dataset& data,
                              const std::string& datasetName, const SweepSpec& spec,
                              const std::string& name, const SweepHooks& hooks) {
    Result<std::vector<SweepTrial>> trials = expandSweep(spec);
    if (!trials)
        return trials.error();
    SweepRecord record;
    record.name = name;
    record.spec = sweepSpecToJson(spec).dump();
    record.dataset = datasetIdentity(data, datasetName);
    for (const SweepTrial& t : trials.value())
        record.trials.push_back({t.index, t.params, 0});
    SweepStore store(workspace);
    Result<int64_t> id = store.createSweep(record);
    if (!id)
        return id.error();
    record.id = id.value();
    return continueSweep(workspace, data, spec, record, hooks);
}

Result<SweepSummary> resumeSweep(Workspace& workspace, const Dataset& data, int64_t sweepId,
                                 const SweepHooks& hooks) {
    SweepStore store(workspace);
    Result<SweepRecord> record = store.sweep(sweepId);
    if (!record)
        return record.error();
    Result<SweepSpec> spec = sweepSpecOf(record.value());
    if (!spec)
        return spec.error();
    const DatasetIdentity identity = datasetIdentity(data, record->dataset.name);
    if (identity.fingerprint != record->dataset.fingerprint)
        return makeError("sweep " + std::to_string(sweepId) + " was run on " +
                         record->dataset.name + " (" + std::to_string(record->dataset.users) +
                         " users, " + std::to_string(record->dataset.ratings) +
                         " ratings); the data given are not the same");
    if (Status s = store.claimSweep(sweepId); !s)
        return s.error();
    return continueSweep(workspace, data, spec.value(), record.value(), hooks);
}

Result<int64_t> findResumableSweep(Workspace& workspace, const SweepSpec& spec,
                                   const std::string& datasetFingerprint) {
    Result<std::vector<SweepRecord>> all = SweepStore(workspace).sweeps();
    if (!all)
        return all.error();
    const std::string wanted = sweepSpecToJson(spec).dump();
    for (auto it = all->rbegin(); it != all->rend(); ++it) {
        if (it->status != RunStatus::Cancelled && it->status != RunStatus::Interrupted)
            continue;
        if (it->dataset.fingerprint != datasetFingerprint)
            continue;
        const Result<SweepSpec> other = sweepSpecOf(*it);
        if (other && sweepSpecToJson(other.value()).dump() == wanted)
            return it->id;
    }
    return int64_t{0};
}

}  // namespace recscope
