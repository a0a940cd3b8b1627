#pragma once
// The explorer's main window: menus, actions, status bar and the tabs that host the views.
// Views are separate classes reading the shared DatasetSession and WorkspaceSession; this class
// only wires them. The workspace opened at start is $RECSCOPE_WORKSPACE when set (tests,
// screenshots), else the last one used, else WorkspaceSession::defaultFolder().

#include <QElapsedTimer>
#include <QMainWindow>

#include "ui/session/DatasetSession.h"

class QLabel;
class QMenu;
class QProgressBar;
class QTabWidget;
class QToolButton;

namespace recscope::ui {

class DatasetView;
class DistributionView;
class DownloadDialog;
class EmbeddingMapView;
class InspectorView;
class LeaderboardView;
class LoadedRunCache;
class LessonPanel;
class LessonRunner;
struct Lesson;
class MessageBanner;
class PopularityBiasView;
class SweepView;
class TasteRecoveryDialog;
class TrainingView;
class WorkspaceSession;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    DatasetSession* session() const { return m_session; }
    WorkspaceSession* workspaceSession() const { return m_workspace; }
    TrainingView* trainingView() const { return m_trainingView; }
    LeaderboardView* leaderboardView() const { return m_leaderboardView; }
    InspectorView* inspectorView() const { return m_inspectorView; }
    EmbeddingMapView* mapView() const { return m_mapView; }
    PopularityBiasView* biasView() const { return m_biasView; }
    SweepView* sweepView() const { return m_sweepView; }
    DistributionView* distributionView() const { return m_distributionView; }
    // Finished runs loaded for the explorer's views (inspector, map, popularity bias).
    LoadedRunCache* runCache() const { return m_runCache; }
    // Switches to the Inspect tab showing `runId` (see InspectorView::showRun).
    void showInspector(qint64 runId);
    // "What did the model learn?" for a run on the synthetic data (the known-taste lesson).
    TasteRecoveryDialog* showTasteRecovery(qint64 runId);
    // Switches to the Leaderboard with `runId` selected (sweep trials shown if it is one).
    void showInLeaderboard(qint64 runId);
    // File ▸ Download MovieLens… (also the welcome page's button); created on first use.
    void showDownloadDialog();
    DownloadDialog* downloadDialog() const { return m_downloadDialog; }
    // Help ▸ Lessons…: the built-in class sessions; the chosen one plays with lessonRunner().
    void showLessonsDialog();
    void startLesson(const Lesson& lesson);
    LessonRunner* lessonRunner() const { return m_lessonRunner; }
    LessonPanel* lessonPanel() const { return m_lessonPanel; }
    QTabWidget* viewTabs() const { return m_tabs; }
    MessageBanner* banner() const { return m_banner; }

    // Starts loading a MovieLens folder or .zip in the background.
    void openDataset(const QString& path);
    void openDemo();
    // Opens (or creates) a workspace folder; refused while a run trains. Errors go to the banner.
    bool openWorkspace(const QString& folder);

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
    void rebuildRecentWorkspaceMenu();
    void openInitialWorkspace();
    void openWorkspaceDialog();
    void importRunDialog();
    void onWorkspaceOpened(const QString& folder);
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
    WorkspaceSession* m_workspace;
    TrainingView* m_trainingView = nullptr;
    LeaderboardView* m_leaderboardView = nullptr;
    LoadedRunCache* m_runCache = nullptr;
    InspectorView* m_inspectorView = nullptr;
    EmbeddingMapView* m_mapView = nullptr;
    PopularityBiasView* m_biasView = nullptr;
    SweepView* m_sweepView = nullptr;
    DistributionView* m_distributionView = nullptr;
    DownloadDialog* m_downloadDialog = nullptr;
    LessonRunner* m_lessonRunner = nullptr;
    LessonPanel* m_lessonPanel = nullptr;

    QMenu* m_viewMenu = nullptr;
    QMenu* m_recentMenu = nullptr;
    QMenu* m_recentWorkspaceMenu = nullptr;
    QMenu* m_trainingMenu = nullptr;
    QLabel* m_workspaceLabel = nullptr;
    QAction* m_cancelAction = nullptr;
    QLabel* m_statusLabel = nullptr;
    QProgressBar* m_progress = nullptr;
    QToolButton* m_cancelButton = nullptr;
    QElapsedTimer m_loadClock;
};

}  // namespace recscope::ui
