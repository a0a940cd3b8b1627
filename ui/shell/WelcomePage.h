#pragma once
// What the window shows when no dataset is open: three large actions (the demo data, a folder
// or zip, a MovieLens download) and the recent datasets. It only emits requests; the main window
// decides what they do.

#include <QStringList>
#include <QWidget>

class QLabel;
class QVBoxLayout;

namespace recscope::ui {

class WelcomePage : public QWidget {
    Q_OBJECT
public:
    // Buttons are named "welcomeDemo", "welcomeOpen", "welcomeDownload"; recent entries
    // "welcomeRecent0", "welcomeRecent1", … in the order given.
    explicit WelcomePage(QWidget* parent = nullptr);

    // Most recent first; missing paths are still listed (opening them reports the error).
    void setRecentDatasets(const QStringList& paths);
    QStringList recentDatasets() const { return m_recent; }

signals:
    void demoRequested();
    void openRequested();
    void downloadRequested();
    void recentRequested(const QString& path);

private:
    QStringList m_recent;
    QWidget* m_recentBox;
    QVBoxLayout* m_recentLayout;
    QLabel* m_recentEmpty;
};

}  // namespace recscope::ui
