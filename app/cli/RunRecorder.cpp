#include "app/cli/RunRecorder.h"

#include <csignal>
#include <filesystem>
#include <iostream>

#include "core/workspace/RunDirectory.h"

namespace recscope::cli {

namespace {

CancelToken g_cancel;

extern "C" void onSignal(int signal) {
    g_cancel.cancel();  // a lock-free atomic store: safe in a handler
    std::signal(signal, SIG_DFL);
}

}  // namespace

const CancelToken* RunRecorder::installSignalCancel() {
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    return &g_cancel;
}

std::string datasetDisplayName(const std::string& path) {
    if (path == "demo")
        return "demo";
    std::filesystem::path p(path);
    if (!p.has_filename())
        p = p.parent_path();
    std::string name = p.filename().string();
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".zip") == 0)
        name.resize(name.size() - 4);
    return name.empty() ? path : name;
}

Status RunRecorder::openWorkspace(const std::string& folder) {
    Result<std::unique_ptr<Workspace>> ws = Workspace::open(folder);
    if (!ws)
        return ws.status();
    m_workspace = std::move(ws).value();
    return {};
}

Status RunRecorder::begin(const RunConfig& config, const DatasetIdentity& dataset,
                          const std::map<std::string, std::string>& resolvedParams) {
    m_record = RunRecord();
    m_record.config = config;
    m_record.dataset = dataset;
    m_record.params = resolvedParams;
    if (!m_workspace)
        return {};
    Result<int64_t> id = m_workspace->createRun(m_record);
    if (!id)
        return id.status();
    m_runId = id.value();
    if (Result<RunRecord> r = m_workspace->run(m_runId); r)
        m_record = std::move(r).value();
    return {};
}

void RunRecorder::onBatch(int epoch, int64_t batch, int64_t batchesPerEpoch, double loss) {
    if (m_next)
        m_next->onBatch(epoch, batch, batchesPerEpoch, loss);
}

void RunRecorder::onEpoch(const EpochReport& report) {
    if (m_workspace && m_runId)
        if (Status s = m_workspace->appendEpoch(m_runId, report); !s)
            std::cerr << "recscope-cli run: warning: epoch not recorded: " << s.error().toString()
                      << "\n";
    if (m_next)
        m_next->onEpoch(report);
}

void RunRecorder::onMessage(const std::string& text) {
    if (m_next)
        m_next->onMessage(text);
}

Status RunRecorder::finish(const Result<RunOutcome>& outcome) {
    if (!outcome) {
        if (m_workspace && m_runId) {
            const bool cancelled = outcome.error().cancelled();
            if (Status s = m_workspace->failRun(
                    m_runId, cancelled ? RunStatus::Cancelled : RunStatus::Failed,
                    outcome.error().toString());
                !s)
                return s;
        }
        return {};
    }
    if (m_workspace && m_runId) {
        if (Status s = m_workspace->finishRun(m_runId, outcome.value()); !s) {
            // Not left "running": the run did finish, only its recording failed.
            (void)m_workspace->failRun(m_runId, RunStatus::Failed,  // best effort: s is reported
                                       "could not record the results: " + s.error().toString());
            return s;
        }
        if (Result<RunRecord> r = m_workspace->run(m_runId); r)
            m_record = std::move(r).value();
    } else {
        applyOutcome(m_record, outcome.value());
    }
    if (!m_outDir.empty())
        return writeRunDirectory(m_outDir, m_record, perUserMetrics(outcome->test),
                                 outcome->model.get());
    return {};
}

}  // namespace recscope::cli
