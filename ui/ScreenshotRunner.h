#pragma once
// `recscope --screenshot DIR`: opens the demo data in a MainWindow, waits for the load, renders
// every view to DIR/<view>.png (view objectName without the "View" suffix) and reports the
// exit code through `finished`. Used for the documentation and as a smoke test.

#include <QObject>
#include <QString>
#include <QTimer>

namespace recscope::ui {

class MainWindow;

class ScreenshotRunner : public QObject {
    Q_OBJECT
public:
    ScreenshotRunner(MainWindow* window, QString directory, QObject* parent = nullptr);

    // Starts the demo load; `finished` follows (0 on success). Gives up after timeoutMs.
    void start(int timeoutMs = 120000);

signals:
    void finished(int exitCode);

private:
    void capture();
    void fail(const QString& why);

    MainWindow* m_window;
    QString m_directory;
    QTimer m_timeout;
    bool m_done = false;
};

}  // namespace recscope::ui
