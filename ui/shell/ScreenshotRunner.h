#pragma once
// `recscope --screenshot DIR`: opens the demo data in a MainWindow, waits for the load, trains
// two short BPR runs in the training view (so its charts overlay two runs), renders every view to
// DIR/<view>.png (view objectName without the "View" suffix; the Inspect tab with a user whose
// lists hit, DIR/whatif.png with a what-if user, the Sweeps tab after a small itemknn sweep and
// DIR/sweep-scatter.png with its metric-vs-parameter chart, the Distributions tab for bpr
// against ease) and reports the exit code through
// `finished`. Used for the documentation and as a smoke test. The window should be pointed at a
// scratch workspace (main() sets RECSCOPE_WORKSPACE to a temporary folder).

#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <map>
#include <string>
#include <vector>

namespace recscope::ui {

class MainWindow;

class ScreenshotRunner : public QObject {
    Q_OBJECT
public:
    ScreenshotRunner(MainWindow* window, QString directory, QObject* parent = nullptr);

    // Starts the demo load; `finished` follows (0 on success). Gives up after timeoutMs.
    void start(int timeoutMs = 300000);

signals:
    void finished(int exitCode);

private:
    void trainNext();
    // Inspect tab: waits for both lists, picks a user whose lists hit, selects a hit (so
    // "because you liked" shows), then captures; the what-if picture follows the others.
    void prepareInspector();
    // Pins two users in the Train tab's watch list (before the bpr runs), and shows the last
    // bpr run in the Map tab (most popular item selected) and in the Bias tab beside ease.
    void pinWatchedUsers();
    // A small itemknn sweep (neighbours x shrink on a log scale) for the Sweeps tab.
    void runSweep();
    // The Distributions tab: the last bpr run against ease, per-user NDCG@10.
    void prepareDistributions();
    void prepareExplorerViews();
    bool captureSweepScatter(QStringList* written);
    bool captureWhatIf(QStringList* written);
    void capture();
    void fail(const QString& why);

    MainWindow* m_window;
    QString m_directory;
    QTimer m_timeout;
    int m_inspectorPolls = 0;
    int m_explorerPolls = 0;
    int m_distributionPolls = 0;
    bool m_sweepDone = false;
    bool m_done = false;
    struct PlannedRun {
        QString model;
        std::map<std::string, std::string> params;
    };
    std::vector<PlannedRun> m_runs;  // trained in order before the capture
};

}  // namespace recscope::ui
