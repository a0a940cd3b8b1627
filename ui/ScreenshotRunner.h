#pragma once
// `recscope --screenshot DIR`: opens the demo data in a MainWindow, waits for the load, trains
// two short BPR runs in the training view (so its charts overlay two runs), renders every view to
// DIR/<view>.png (view objectName without the "View" suffix) and reports the exit code through
// `finished`. Used for the documentation and as a smoke test. The window should be pointed at a
// scratch workspace (main() sets RECSCOPE_WORKSPACE to a temporary folder).

#include <QObject>
#include <QString>
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
    void capture();
    void fail(const QString& why);

    MainWindow* m_window;
    QString m_directory;
    QTimer m_timeout;
    bool m_done = false;
    struct PlannedRun {
        QString model;
        std::map<std::string, std::string> params;
    };
    std::vector<PlannedRun> m_runs;  // trained in order before the capture
};

}  // namespace recscope::ui
