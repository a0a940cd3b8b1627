#include "ui/shell/MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMimeData>
#include <QProgressBar>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include "core/common/BuildInfo.h"
#include "ui/shell/AboutDialog.h"
#include "ui/dataset/DatasetView.h"
#include "ui/leaderboard/DistributionView.h"
#include "ui/download/DownloadDialog.h"
#include "ui/explore/EmbeddingMapView.h"
#include "ui/widgets/FileDialog.h"
#include "ui/inspector/InspectorView.h"
#include "ui/leaderboard/LeaderboardView.h"
#include "ui/lessons/Lesson.h"
#include "ui/lessons/LessonPanel.h"
#include "ui/lessons/LessonRunner.h"
#include "ui/lessons/LessonsDialog.h"
#include "ui/session/LoadedRunCache.h"
#include "ui/widgets/MessageBanner.h"
#include "ui/explore/PopularityBiasView.h"
#include "ui/session/RecentDatasets.h"
#include "ui/shell/RecentWorkspaces.h"
#include "ui/sweep/SweepView.h"
#include "ui/explore/TasteRecoveryDialog.h"
#include "ui/training/TrainingSetup.h"
#include "ui/training/TrainingView.h"
#include "ui/shell/WelcomePage.h"
#include "ui/session/WorkspaceSession.h"

// The .qrc lives in the static recscope_ui library, whose resource initialiser the linker
// would otherwise drop; Q_INIT_RESOURCE must be called outside any namespace.
static void initRecscopeResources() {
    Q_INIT_RESOURCE(recscope);
}

namespace recscope::ui {

namespace {

// A dropped URL we can open: a local folder or .zip.
QString droppablePath(const QMimeData* mime) {
    if (!mime || !mime->hasUrls() || mime->urls().size() != 1)
        return {};
    const QString path = mime->urls().first().toLocalFile();
    const QFileInfo info(path);
    if (path.isEmpty() || !(info.isDir() || info.suffix().compare("zip", Qt::CaseInsensitive) == 0))
        return {};
    return path;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      m_session(new DatasetSession(this)),
      m_banner(new MessageBanner),
      m_tabs(new QTabWidget),
      m_datasetView(nullptr),
      m_workspace(new WorkspaceSession(this)) {
    initRecscopeResources();
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("RecScope"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/recscope.svg")));
    setAcceptDrops(true);

    m_banner->setObjectName(QStringLiteral("errorBanner"));
    m_tabs->setObjectName(QStringLiteral("viewTabs"));
    m_tabs->setDocumentMode(true);
    auto* central = new QWidget;
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(4, 4, 4, 0);
    layout->addWidget(m_banner);
    layout->addWidget(m_tabs, 1);
    setCentralWidget(central);

    createActions();
    createStatusBar();
    // A slow BLAS is a set-up problem the user can fix; say so before anything trains.
    if (const std::string warning = referenceBlasWarning(); !warning.empty())
        m_banner->showMessage(QString::fromStdString(warning), MessageBanner::Type::Warning);

    m_datasetView = new DatasetView(m_session);
    addView(m_datasetView, tr("&Dataset"));
    connect(m_datasetView, &DatasetView::demoRequested, this, &MainWindow::openDemo);
    WelcomePage* welcome = m_datasetView->welcomePage();
    connect(welcome, &WelcomePage::openRequested, this, [this, welcome] {
        // One button for both kinds of source: ask which.
        QMenu menu(this);
        menu.addAction(tr("Folder…"), this, &MainWindow::openFolderDialog);
        menu.addAction(tr("Zip Archive…"), this, &MainWindow::openZipDialog);
        const QWidget* button = welcome->findChild<QWidget*>(QStringLiteral("welcomeOpen"));
        menu.exec(button ? button->mapToGlobal(QPoint(0, button->height())) : QCursor::pos());
    });
    connect(welcome, &WelcomePage::downloadRequested, this, &MainWindow::showDownloadDialog);
    connect(welcome, &WelcomePage::recentRequested, this, &MainWindow::openDataset);
    welcome->setRecentDatasets(RecentDatasets::paths());

    m_trainingView = new TrainingView(m_session, m_workspace);
    addView(m_trainingView, tr("&Train"));
    m_leaderboardView = new LeaderboardView(m_workspace);
    addView(m_leaderboardView, tr("&Leaderboard"));
    m_runCache = new LoadedRunCache(m_session, m_workspace, this);
    m_inspectorView = new InspectorView(m_session, m_workspace, m_runCache);
    addView(m_inspectorView, tr("&Inspect"));
    m_mapView = new EmbeddingMapView(m_workspace, m_runCache);
    addView(m_mapView, tr("&Map"));
    m_biasView = new PopularityBiasView(m_workspace, m_runCache);
    addView(m_biasView, tr("&Bias"));
    m_distributionView = new DistributionView(m_workspace, m_runCache);
    addView(m_distributionView, tr("Dis&tributions"));
    m_sweepView = new SweepView(m_session, m_workspace, [this] {
        return m_trainingView->setup()->config(m_session->recordPath());
    });
    addView(m_sweepView, tr("S&weeps"));
    connect(m_sweepView, &SweepView::showInLeaderboard, this, &MainWindow::showInLeaderboard);
    connect(m_sweepView, &SweepView::inspectRun, this, &MainWindow::showInspector);
    connect(m_sweepView, &SweepView::statusMessage, m_statusLabel, &QLabel::setText);
    const auto showError = [this](const QString& message) {
        m_banner->showMessage(message, MessageBanner::Type::Error);
    };
    connect(m_mapView, &EmbeddingMapView::errorOccurred, this, showError);
    connect(m_biasView, &PopularityBiasView::errorOccurred, this, showError);
    connect(m_sweepView, &SweepView::errorOccurred, this, showError);
    connect(m_distributionView, &DistributionView::errorOccurred, this, showError);
    connect(m_datasetView, &DatasetView::errorOccurred, this, showError);
    for (QAction* action : {m_trainingView->startAction(), m_trainingView->pauseAction(),
                            m_trainingView->stopAction()})
        m_trainingMenu->addAction(action);
    connect(m_trainingView, &TrainingView::errorOccurred, this, [this](const QString& message) {
        m_banner->showMessage(message, MessageBanner::Type::Error);
    });
    connect(m_trainingView, &TrainingView::statusMessage, m_statusLabel, &QLabel::setText);
    connect(m_workspace, &WorkspaceSession::errorOccurred, this, [this](const QString& message) {
        m_banner->showMessage(message, MessageBanner::Type::Error);
    });
    connect(m_workspace, &WorkspaceSession::workspaceOpened, this, &MainWindow::onWorkspaceOpened);
    openInitialWorkspace();

    connect(m_session, &DatasetSession::changed, this, &MainWindow::onSessionChanged);
    restoreSettings();
}

MainWindow::~MainWindow() {
    // Record a run still in flight while the workspace is alive.
    m_trainingView->shutdown();
    m_sweepView->shutdown();
}

void MainWindow::createActions() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->setObjectName(QStringLiteral("menuFile"));

    QAction* openFolder =
        file->addAction(style()->standardIcon(QStyle::SP_DirOpenIcon), tr("&Open Dataset Folder…"));
    openFolder->setObjectName(QStringLiteral("actionOpenFolder"));
    openFolder->setShortcut(QKeySequence::Open);
    openFolder->setStatusTip(
        tr("Open an unpacked MovieLens release (100K, 1M, 10M, 20M, 25M, "
           "32M, latest)"));
    connect(openFolder, &QAction::triggered, this, &MainWindow::openFolderDialog);

    QAction* openZip = file->addAction(tr("Open Dataset &Zip…"));
    openZip->setObjectName(QStringLiteral("actionOpenZip"));
    openZip->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_O));
    openZip->setStatusTip(tr("Open an official MovieLens .zip without unpacking it"));
    connect(openZip, &QAction::triggered, this, &MainWindow::openZipDialog);

    QAction* demo = file->addAction(tr("Open &Demo Data"));
    demo->setObjectName(QStringLiteral("actionOpenDemo"));
    demo->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    demo->setStatusTip(tr("Open the built-in synthetic dataset (ML-100K sized, no download)"));
    connect(demo, &QAction::triggered, this, &MainWindow::openDemo);

    QAction* download = file->addAction(tr("Do&wnload MovieLens…"));
    download->setObjectName(QStringLiteral("actionDownload"));
    download->setStatusTip(
        tr("Download an official MovieLens release from GroupLens, verify it and open it"));
    connect(download, &QAction::triggered, this, &MainWindow::showDownloadDialog);

    m_recentMenu = file->addMenu(tr("Open &Recent"));
    m_recentMenu->setObjectName(QStringLiteral("menuRecent"));
    rebuildRecentMenu();

    file->addSeparator();
    QAction* openWorkspace = file->addAction(tr("Open &Workspace…"));
    openWorkspace->setObjectName(QStringLiteral("actionOpenWorkspace"));
    openWorkspace->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    openWorkspace->setStatusTip(
        tr("Open or create a folder that keeps runs, metrics and checkpoints"));
    connect(openWorkspace, &QAction::triggered, this, &MainWindow::openWorkspaceDialog);
    m_recentWorkspaceMenu = file->addMenu(tr("Recent Wor&kspaces"));
    m_recentWorkspaceMenu->setObjectName(QStringLiteral("menuRecentWorkspaces"));
    rebuildRecentWorkspaceMenu();
    QAction* importRun = file->addAction(tr("&Import Run Folder…"));
    importRun->setObjectName(QStringLiteral("actionImportRun"));
    importRun->setStatusTip(
        tr("Add a run written by recscope-cli run --out DIR (e.g. on a GPU server) to this "
           "workspace"));
    connect(importRun, &QAction::triggered, this, &MainWindow::importRunDialog);

    file->addSeparator();
    m_cancelAction =
        file->addAction(style()->standardIcon(QStyle::SP_BrowserStop), tr("&Cancel Loading"));
    m_cancelAction->setObjectName(QStringLiteral("actionCancelLoad"));
    m_cancelAction->setShortcut(QKeySequence(Qt::Key_Escape));
    m_cancelAction->setEnabled(false);
    connect(m_cancelAction, &QAction::triggered, m_session, &DatasetSession::cancel);

    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"));
    quit->setObjectName(QStringLiteral("actionQuit"));
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_viewMenu->setObjectName(QStringLiteral("menuView"));

    m_trainingMenu = menuBar()->addMenu(tr("&Training"));
    m_trainingMenu->setObjectName(QStringLiteral("menuTraining"));

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->setObjectName(QStringLiteral("menuHelp"));
    QAction* lessons = help->addAction(tr("&Lessons…"));
    lessons->setObjectName(QStringLiteral("actionLessons"));
    connect(lessons, &QAction::triggered, this, &MainWindow::showLessonsDialog);
    help->addSeparator();
    QAction* about = help->addAction(tr("&About RecScope"));
    about->setObjectName(QStringLiteral("actionAbout"));
    about->setMenuRole(QAction::AboutRole);
    connect(about, &QAction::triggered, this, &MainWindow::showAbout);
    QAction* aboutQt = help->addAction(tr("About &Qt"));
    aboutQt->setObjectName(QStringLiteral("actionAboutQt"));
    aboutQt->setMenuRole(QAction::AboutQtRole);
    connect(aboutQt, &QAction::triggered, qApp, &QApplication::aboutQt);
}

void MainWindow::createStatusBar() {
    m_statusLabel = new QLabel(tr("Ready"));
    m_statusLabel->setObjectName(QStringLiteral("statusLabel"));
    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("loadProgress"));
    m_progress->setMaximumWidth(220);
    m_progress->setTextVisible(true);
    m_cancelButton = new QToolButton;
    m_cancelButton->setObjectName(QStringLiteral("cancelLoadButton"));
    m_cancelButton->setText(tr("Cancel"));
    m_cancelButton->setToolTip(tr("Cancel loading (Esc)"));
    m_cancelButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    connect(m_cancelButton, &QToolButton::clicked, m_session, &DatasetSession::cancel);
    m_workspaceLabel = new QLabel;
    m_workspaceLabel->setObjectName(QStringLiteral("workspaceLabel"));
    statusBar()->addWidget(m_statusLabel, 1);
    statusBar()->addPermanentWidget(m_workspaceLabel);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancelButton);
    setLoadingUi(false);
}

void MainWindow::addView(QWidget* view, const QString& title) {
    const int index = m_tabs->addTab(view, title);
    QAction* show = m_viewMenu->addAction(title);
    show->setObjectName(QStringLiteral("actionShow_") + view->objectName());
    if (index < 9)
        show->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + index)));
    connect(show, &QAction::triggered, this, [this, view] { m_tabs->setCurrentWidget(view); });
}

void MainWindow::showInspector(qint64 runId) {
    m_inspectorView->showRun(runId);
    m_tabs->setCurrentWidget(m_inspectorView);
}

TasteRecoveryDialog* MainWindow::showTasteRecovery(qint64 runId) {
    auto* dialog = new TasteRecoveryDialog(m_runCache, runId, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
    return dialog;
}

void MainWindow::showInLeaderboard(qint64 runId) {
    m_leaderboardView->showRun(runId);
    m_tabs->setCurrentWidget(m_leaderboardView);
}

void MainWindow::showDownloadDialog() {
    if (!m_downloadDialog) {
        m_downloadDialog = new DownloadDialog(this);
        m_downloadDialog->setObjectName(QStringLiteral("downloadDialog"));
        connect(m_downloadDialog, &DownloadDialog::datasetReady, this, [this](const QString& path) {
            m_downloadDialog->accept();
            openDataset(path);
        });
    }
    m_downloadDialog->show();
    m_downloadDialog->raise();
    m_downloadDialog->activateWindow();
}

void MainWindow::rebuildRecentMenu() {
    m_recentMenu->clear();
    const QStringList paths = RecentDatasets::paths();
    if (m_datasetView)
        m_datasetView->welcomePage()->setRecentDatasets(paths);
    for (int i = 0; i < paths.size(); ++i) {
        const QString path = paths[i];
        QAction* action = m_recentMenu->addAction(
            QStringLiteral("&%1 %2").arg(i + 1).arg(QDir::toNativeSeparators(path)));
        action->setObjectName(QStringLiteral("actionRecent%1").arg(i));
        action->setData(path);
        connect(action, &QAction::triggered, this, [this, path] { openDataset(path); });
    }
    if (!paths.isEmpty())
        m_recentMenu->addSeparator();
    QAction* clear = m_recentMenu->addAction(tr("&Clear List"));
    clear->setObjectName(QStringLiteral("actionClearRecent"));
    clear->setEnabled(!paths.isEmpty());
    connect(clear, &QAction::triggered, this, [this] {
        RecentDatasets::clear();
        rebuildRecentMenu();
    });
}

void MainWindow::rebuildRecentWorkspaceMenu() {
    m_recentWorkspaceMenu->clear();
    const QStringList folders = RecentWorkspaces::paths();
    for (int i = 0; i < folders.size(); ++i) {
        const QString folder = folders[i];
        QAction* action = m_recentWorkspaceMenu->addAction(
            QStringLiteral("&%1 %2").arg(i + 1).arg(QDir::toNativeSeparators(folder)));
        action->setObjectName(QStringLiteral("actionRecentWorkspace%1").arg(i));
        action->setData(folder);
        connect(action, &QAction::triggered, this, [this, folder] { openWorkspace(folder); });
    }
    if (!folders.isEmpty())
        m_recentWorkspaceMenu->addSeparator();
    QAction* clear = m_recentWorkspaceMenu->addAction(tr("&Clear List"));
    clear->setObjectName(QStringLiteral("actionClearRecentWorkspaces"));
    clear->setEnabled(!folders.isEmpty());
    connect(clear, &QAction::triggered, this, [this] {
        RecentWorkspaces::clear();
        rebuildRecentWorkspaceMenu();
    });
}

void MainWindow::openInitialWorkspace() {
    const QString fromEnvironment = qEnvironmentVariable("RECSCOPE_WORKSPACE");
    QString folder = fromEnvironment;
    if (folder.isEmpty()) {
        const QStringList recent = RecentWorkspaces::paths();
        folder = recent.isEmpty() ? WorkspaceSession::defaultFolder() : recent.first();
    }
    QString error;
    if (m_workspace->open(folder, &error))
        return;
    // The last workspace may have gone (an unplugged disk): fall back to the default one.
    const QString fallback = WorkspaceSession::defaultFolder();
    if (fromEnvironment.isEmpty() && folder != fallback && m_workspace->open(fallback, &error))
        m_banner->showMessage(
            tr("Could not reopen the last workspace; opened the default one.\n%1").arg(error),
            MessageBanner::Type::Warning);
}

bool MainWindow::openWorkspace(const QString& folder) {
    if (folder.isEmpty())
        return false;
    if (m_trainingView->isTraining() || m_sweepView->isRunning()) {
        m_banner->showMessage(tr("Stop the run in progress before opening another workspace."),
                              MessageBanner::Type::Warning);
        return false;
    }
    return m_workspace->open(folder);  // errors reach the banner through errorOccurred
}

void MainWindow::onWorkspaceOpened(const QString& folder) {
    RecentWorkspaces::add(folder);
    rebuildRecentWorkspaceMenu();
    m_workspaceLabel->setText(tr("Workspace: %1").arg(QFileInfo(folder).fileName()));
    m_workspaceLabel->setToolTip(QDir::toNativeSeparators(folder));
}

void MainWindow::openWorkspaceDialog() {
    const QString folder = FileDialog::instance().getExistingDirectory(
        this, tr("Open Workspace Folder"), m_workspace->folder());
    if (openWorkspace(folder))
        m_tabs->setCurrentWidget(m_trainingView);
}

void MainWindow::importRunDialog() {
    const QString dir = FileDialog::instance().getExistingDirectory(
        this, tr("Import Run Folder"), QSettings().value("lastImportDir").toString());
    if (dir.isEmpty())
        return;
    QSettings().setValue("lastImportDir", QFileInfo(dir).absolutePath());
    const qint64 id = m_workspace->importRunDirectory(dir);
    if (id == 0)
        return;  // the banner shows why
    const RunRecord* run = m_workspace->run(id);
    m_statusLabel->setText(tr("Imported %1 from %2")
                               .arg(run ? QString::fromStdString(run->name) : QString::number(id),
                                    QDir::toNativeSeparators(dir)));
    m_tabs->setCurrentWidget(m_trainingView);
}

void MainWindow::openDataset(const QString& path) {
    if (path.isEmpty())
        return;
    QSettings().setValue("lastOpenDir", QFileInfo(path).absolutePath());
    m_session->openPath(path);
}

void MainWindow::openDemo() {
    m_session->openDemo();
}

void MainWindow::openFolderDialog() {
    const QString dir = FileDialog::instance().getExistingDirectory(
        this, tr("Open MovieLens Folder"), QSettings().value("lastOpenDir").toString());
    openDataset(dir);
}

void MainWindow::openZipDialog() {
    const QString file = FileDialog::instance().getOpenFileName(
        this, tr("Open MovieLens Zip"), QSettings().value("lastOpenDir").toString(),
        tr("MovieLens archives (*.zip);;All files (*)"));
    openDataset(file);
}

void MainWindow::showLessonsDialog() {
    auto* dialog = new LessonsDialog(builtInLessons(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &LessonsDialog::startRequested, this, &MainWindow::startLesson);
    dialog->open();
}

void MainWindow::startLesson(const Lesson& lesson) {
    if (!m_lessonRunner) {
        m_lessonRunner = new LessonRunner(this, this);
        m_lessonPanel = new LessonPanel(this);
        addDockWidget(Qt::RightDockWidgetArea, m_lessonPanel);
        connect(m_lessonPanel, &LessonPanel::stopRequested, m_lessonRunner, &LessonRunner::stop);
        connect(m_lessonRunner, &LessonRunner::stepChanged, m_lessonPanel,
                [this](int, int, const QString& text) { m_lessonPanel->setStep(text); });
        connect(m_lessonRunner, &LessonRunner::finished, this,
                [this](bool ok, const QString& message) {
                    m_lessonPanel->setRunning(false);
                    if (!ok && message != tr("stopped"))
                        m_banner->showMessage(tr("Lesson: %1").arg(message),
                                              MessageBanner::Type::Error);
                });
    }
    if (m_lessonRunner->isRunning()) {
        m_banner->showMessage(tr("A lesson is already running; stop it first."),
                              MessageBanner::Type::Warning);
        return;
    }
    m_lessonPanel->showLesson(lesson);
    m_lessonPanel->setRunning(true);
    m_lessonPanel->show();
    m_lessonRunner->start(lesson);
}

void MainWindow::showAbout() {
    auto* dialog = new AboutDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::onSessionChanged(DatasetSession::Change change) {
    const QLocale locale;
    switch (change) {
        case DatasetSession::Change::LoadStarted:
            m_loadClock.start();
            m_banner->hideMessage();
            m_statusLabel->setText(tr("Loading %1…").arg(m_session->loadingLabel()));
            setLoadingUi(true);
            break;
        case DatasetSession::Change::LoadProgressed: {
            const double fraction = m_session->loadFraction();
            if (fraction < 0) {
                m_progress->setRange(0, 0);
            } else {
                m_progress->setRange(0, 1000);
                m_progress->setValue(static_cast<int>(1000 * std::min(1.0, fraction)));
            }
            m_statusLabel->setText(
                tr("Loading %1: %2").arg(m_session->loadingLabel(), m_session->loadStage()));
            break;
        }
        case DatasetSession::Change::DatasetReplaced: {
            setLoadingUi(false);
            const auto dataset = m_session->dataset();
            m_statusLabel->setText(
                tr("Opened %1: %2 ratings in %3 s")
                    .arg(m_session->sourceLabel(),
                         locale.toString(qlonglong(dataset->numRatings())),
                         locale.toString(m_loadClock.elapsed() / 1000.0, 'f', 2)));
            setWindowTitle(tr("%1 — RecScope").arg(QFileInfo(m_session->sourceLabel()).fileName()));
            if (!m_session->sourcePath().isEmpty()) {
                RecentDatasets::add(m_session->sourcePath());
                rebuildRecentMenu();
            }
            m_tabs->setCurrentWidget(m_datasetView);
            break;
        }
        case DatasetSession::Change::LoadFailed: {
            setLoadingUi(false);
            const QString why = m_session->lastError()
                                    ? QString::fromStdString(m_session->lastError()->toString())
                                    : tr("unknown error");
            // The core's message already names the path (and the line, for bad input).
            m_banner->showMessage(tr("Could not open %1\n%2")
                                      .arg(QFileInfo(m_session->failedLabel()).fileName(), why),
                                  MessageBanner::Type::Error);
            m_statusLabel->setText(tr("Loading failed"));
            break;
        }
        case DatasetSession::Change::LoadCancelled:
            setLoadingUi(false);
            m_statusLabel->setText(tr("Loading %1 cancelled").arg(m_session->failedLabel()));
            break;
    }
}

void MainWindow::setLoadingUi(bool loading) {
    if (loading)
        m_progress->setRange(0, 0);  // busy until the first progress report
    m_progress->setVisible(loading);
    m_cancelButton->setVisible(loading);
    m_cancelAction->setEnabled(loading);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    m_trainingView->shutdown();
    m_sweepView->shutdown();
    m_trainingView->saveSettings();
    saveSettings();
    QMainWindow::closeEvent(event);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (!droppablePath(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QString path = droppablePath(event->mimeData());
    if (path.isEmpty())
        return;
    event->acceptProposedAction();
    openDataset(path);
}

void MainWindow::restoreSettings() {
    QSettings settings;
    if (!restoreGeometry(settings.value("mainWindow/geometry").toByteArray()))
        resize(1200, 780);
    restoreState(settings.value("mainWindow/state").toByteArray());
    const QString current = settings.value("mainWindow/currentView").toString();
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (m_tabs->widget(i)->objectName() == current)
            m_tabs->setCurrentIndex(i);
    }
}

void MainWindow::saveSettings() const {
    QSettings settings;
    settings.setValue("mainWindow/geometry", saveGeometry());
    settings.setValue("mainWindow/state", saveState());
    if (QWidget* current = m_tabs->currentWidget())
        settings.setValue("mainWindow/currentView", current->objectName());
}

}  // namespace recscope::ui
