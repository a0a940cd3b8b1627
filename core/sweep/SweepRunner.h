#pragma once
// Runs a sweep (SweepSpec.h) into a workspace: each trial is an ordinary run of the workspace
// (trained on the training part, evaluated on the validation part, named "<model> sweep N ·
// trial i"), the trials are recorded as one group (SweepStore.h), and once every trial has
// ended the best by the validation metric is trained again with the base configuration and
// evaluated once on the test part ("<model> sweep N · best on test"). Selection never looks at
// the test part.
//
// Resumable: trials whose run finished (or failed: a configuration that diverges fails again)
// are not redone; cancelled or interrupted ones are. A sweep killed with its process shows as
// interrupted and resumes from where it stopped.
//
// Thread rules: runs on the caller's (worker) thread with a Workspace that thread owns; the
// hooks are called on that thread.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/common/Progress.h"
#include "core/common/Status.h"
#include "core/sweep/SweepSpec.h"
#include "core/workspace/SweepStore.h"
#include "core/workspace/Workspace.h"

namespace recscope {

class Dataset;

struct SweepHooks {
    TrainObserver* observer = nullptr;  // every trial's events
    const CancelToken* cancel = nullptr;
    // Each run's coarse progress (runExperiment's stages) as it happens.
    ProgressFn progress;
    // The sweep's id, once it is recorded (new) or claimed (resumed), before any trial.
    std::function<void(int64_t sweepId)> sweepStarted;
    // A run was created (trial >= 0) or the test re-evaluation began (trial = -1).
    std::function<void(int trial, int trials, int64_t runId, const std::string& params)> runStarted;
    // That run ended (its status is in the workspace).
    std::function<void(int trial, int64_t runId)> runEnded;
    // A trial that is already done and is not trained again.
    std::function<void(int trial, int64_t runId)> trialSkipped;
};

struct SweepSummary {
    int64_t sweepId = 0;
    int trials = 0;   // in the expansion
    int trained = 0;  // trials trained by this call
    int skipped = 0;  // trials found done
    int failed = 0;   // trials whose run failed (all calls)
    bool cancelled = false;
    int64_t bestRunId = 0;  // best trial (validation)
    std::map<std::string, std::string> bestParams;
    double bestValue = 0.0;  // its validation metric
    int64_t testRunId = 0;   // the best configuration on the test part (0 when not reached)
};

// A new sweep. `datasetName` names the data in the records ("ml-100k"). Errors: the spec's
// (expandSweep), the workspace's; a trial's training error fails that trial only. Cancel: the
// running trial is recorded Cancelled, the sweep Cancelled, and the summary says so (not an
// error).
Result<SweepSummary> runSweep(Workspace& workspace, const Dataset& data,
                              const std::string& datasetName, const SweepSpec& spec,
                              const std::string& name = {}, const SweepHooks& hooks = {});

// Continues a sweep of the workspace. Errors when the open data are not the sweep's (the
// dataset fingerprint differs) or another live process is running it.
Result<SweepSummary> resumeSweep(Workspace& workspace, const Dataset& data, int64_t sweepId,
                                 const SweepHooks& hooks = {});

// The latest unfinished sweep (cancelled, interrupted or failed) with the same definition on
// the same data, or 0: running the same command again continues it.
Result<int64_t> findResumableSweep(Workspace& workspace, const SweepSpec& spec,
                                   const std::string& datasetFingerprint);

// The sweep's definition, parsed back from its record.
Result<SweepSpec> sweepSpecOf(const SweepRecord& record);

}  // namespace recscope
