#pragma once
// What `recscope-cli run` keeps of a run besides its printout: the run in a workspace
// (--workspace: running -> epochs -> finished / failed / cancelled) and a run folder (--out).
// Also the SIGINT/SIGTERM handling that turns Ctrl+C into a cancelled run.

#include <memory>
#include <string>

#include "core/common/Progress.h"
#include "core/common/Status.h"
#include "core/models/Recommender.h"
#include "core/run/Experiment.h"
#include "core/workspace/Workspace.h"

namespace recscope::cli {

class RunRecorder : public TrainObserver {
public:
    // next: the printing observer (may be null); events are passed on to it.
    explicit RunRecorder(TrainObserver* next) : m_next(next) {}

    // Opens the workspace now, so a bad one fails before any training. Errors name the folder.
    Status openWorkspace(const std::string& folder);
    void setOutDirectory(const std::string& dir) { m_outDir = dir; }

    // Creates the Running run (no-op without a workspace).
    Status begin(const RunConfig& config, const DatasetIdentity& dataset,
                 const std::map<std::string, std::string>& resolvedParams);
    // Records the end; warnings about the workspace go to stderr, the returned error is the
    // one to report (a failed write of --out or of the workspace).
    Status finish(const Result<RunOutcome>& outcome);

    void onBatch(int epoch, int64_t batch, int64_t batchesPerEpoch, double loss) override;
    void onEpoch(const EpochReport& report) override;
    void onMessage(const std::string& text) override;

    int64_t runId() const { return m_runId; }

    // SIGINT / SIGTERM cancel the token (once; a second signal kills as usual).
    static const CancelToken* installSignalCancel();

private:
    TrainObserver* m_next;
    std::unique_ptr<Workspace> m_workspace;
    std::string m_outDir;
    RunRecord m_record;
    int64_t m_runId = 0;
};

// The dataset's name for the record: "demo", or the folder / zip name without ".zip".
std::string datasetDisplayName(const std::string& path);

}  // namespace recscope::cli
