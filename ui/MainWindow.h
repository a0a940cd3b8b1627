#pragma once
// The explorer's main window: menus, actions, status bar and the tabs that host the views.
// Views are separate classes reading the shared DatasetSession; this class only wires them.

#include <QElapsedTimer>
#include <QMainWindow>

#include "ui/DatasetSession.h"

class QLabel;
class QMenu;
class QProgressBar;
class QTabWidget;
class QToolButton;

namespace recscope::ui {

class DatasetView;
class MessageBanner;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    DatasetSession* session() const { return m_session; }
    QTabWidget* viewTabs() const { return m_tabs; }
    MessageBanner* banner() const { return m_banner; }

    // Starts loading a MovieLens folder or .zip in the background.
    void openDataset(const QString& path);
    void openDemo();

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createActions();
    void createStatusBar();
    // Adds a tab; objectName of `view` names it for tests, settings and screenshots.
    void addView(QWidget* view, const QString& title);
    void rebuildRecentMenu();
    void openFolderDialog();
    void openZipDialog();
    void showAbout();
    void onSessionChanged(DatasetSession::Change change);
    void setLoadingUi(bool loading);
    void restoreSettings();
    void saveSettings() const;

    DatasetSession* m_session;
    MessageBanner* m_banner;
    QTabWidget* m_tabs;
    DatasetView* m_datasetView;

    QMenu* m_viewMenu = nullptr;
    QMenu* m_recentMenu = nullptr;
    QAction* m_cancelAction = nullptr;
    QLabel* m_statusLabel = nullptr;
    QProgressBar* m_progress = nullptr;
    QToolButton* m_cancelButton = nullptr;
    QElapsedTimer m_loadClock;
};

}  // namespace recscope::ui
