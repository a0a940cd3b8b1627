#include "ui/shell/ScreenshotRunner.h"

#include <qcustomplot.h>
#include <QApplication>
#include <QDir>
#include <QPixmap>
#include <QTabWidget>
#include <QTableView>
#include <QTextStream>
#include <QToolButton>
#include <algorithm>
#include <cstdio>

#include "core/data/Dataset.h"
#include "core/inspect/UserInspection.h"
#include "core/models/ModelRegistry.h"
#include "core/models/TrainData.h"
#include "core/sweep/SweepSpec.h"
#include "ui/session/DatasetSession.h"
#include "ui/leaderboard/DistributionView.h"
#include "ui/explore/EmbeddingMapView.h"
#include "ui/inspector/InspectorView.h"
#include "ui/leaderboard/LeaderboardModel.h"
#include "ui/leaderboard/LeaderboardView.h"
#include "ui/training/LossChart.h"
#include "ui/shell/MainWindow.h"
#include "ui/training/ParamForm.h"
#include "ui/explore/PopularityBiasView.h"
#include "ui/inspector/RecommendationListModel.h"
#include "ui/inspector/RecommendationListPanel.h"
#include "ui/training/RunChart.h"
#include "ui/sweep/SweepView.h"
#include "ui/training/TrainingSetup.h"
#include "ui/training/TrainingView.h"
#include "ui/training/WatchListPanel.h"
#include "ui/inspector/WhatIfEditor.h"
#include "ui/inspector/WhatIfHistoryModel.h"
#include "ui/session/WorkspaceSession.h"

namespace recscope::ui {

namespace {

// The tour's own script: the factor model it trains twice (map, charts, watch list) and the
// item-item model shown beside it. Runs are picked back by the script's names; what a run can
// show (a staged run's two lists) is asked of the registry.
const char* const kFactorModel = "bpr";
const char* const kItemItemModel = "ease";

bool isStaged(const RunRecord& r) {
    return ModelRegistry::global().capabilities(r.config.model).staged;
}

}  // namespace

ScreenshotRunner::ScreenshotRunner(MainWindow* window, QString directory, QObject* parent)
    : QObject(parent), m_window(window), m_directory(std::move(directory)) {
    // A few quick classic models, so the leaderboard has something to compare; then bpr at two
    // learning rates, so the charts show an overlay with a legend (and the form shows bpr).
    m_runs = {{QStringLiteral("pop"), {}},
              {QStringLiteral("itemknn"), {}},
              {QString(kItemItemModel), {}},
              {QString(kFactorModel), {{"epochs", "12"}, {"patience", "0"}, {"lr", "0.05"}}},
              {QString(kFactorModel), {{"epochs", "12"}, {"patience", "0"}, {"lr", "0.015"}}}};
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this,
            [this] { fail(QStringLiteral("timed out waiting for the demo data")); });
    connect(m_window->session(), &DatasetSession::changed, this,
            [this](DatasetSession::Change change) {
                if (m_done)
                    return;
                if (change == DatasetSession::Change::DatasetReplaced)
                    QTimer::singleShot(0, this, &ScreenshotRunner::trainNext);
                else if (change == DatasetSession::Change::LoadFailed)
                    fail(QString::fromStdString(m_window->session()->lastError()->toString()));
                else if (change == DatasetSession::Change::LoadCancelled)
                    fail(QStringLiteral("the demo load was cancelled"));
            });
}

void ScreenshotRunner::trainNext() {
    if (m_done)
        return;
    TrainingView* view = m_window->trainingView();
    if (m_runs.empty()) {
        runSweep();
        return;
    }
    const PlannedRun run = m_runs.front();
    m_runs.erase(m_runs.begin());
    if (run.model == QLatin1String(kFactorModel) && view->watchList()->watchedUsers().isEmpty())
        pinWatchedUsers();
    m_window->viewTabs()->setCurrentWidget(view);
    view->setup()->setModel(run.model);
    view->paramForm()->setValues(run.params);
    // A failed run still leaves a view worth capturing; the banner shows why.
    QMetaObject::Connection* once = new QMetaObject::Connection;
    *once = connect(view, &TrainingView::runEnded, this, [this, once] {
        disconnect(*once);
        delete once;
        QTimer::singleShot(0, this, &ScreenshotRunner::trainNext);
    });
    view->start();
    if (!view->isTraining()) {
        disconnect(*once);
        delete once;
        fail(QStringLiteral("the training run did not start"));
    }
}

void ScreenshotRunner::start(int timeoutMs) {
    if (!QDir().mkpath(m_directory)) {
        fail(QStringLiteral("cannot create %1").arg(m_directory));
        return;
    }
    m_timeout.start(timeoutMs);
    m_window->openDemo();
}

void ScreenshotRunner::pinWatchedUsers() {
    // Two users with enough history for their lists to move visibly from epoch to epoch.
    const auto data = m_window->session()->dataset();
    QVector<int> users;
    for (int32_t u = 0; data && u < data->numUsers() && users.size() < 2; ++u)
        if (data->userOffsets()[u + 1] - data->userOffsets()[u] >= 60)
            users << int(data->originalUserId(u));
    m_window->trainingView()->setWatchedUsers(users);
}

void ScreenshotRunner::runSweep() {
    SweepView* view = m_window->sweepView();
    if (m_sweepDone) {
        prepareDistributions();
        return;
    }
    SweepSpec spec;
    spec.base = m_window->trainingView()->setup()->config(m_window->session()->recordPath());
    spec.base.model = "itemknn";
    spec.base.params.clear();
    const auto dim = [](SweepDimension::Kind kind, const char* param, const char* text) {
        return parseSweepDimension(kind, param, text).value();
    };
    spec.dimensions = {dim(SweepDimension::Kind::List, "neighbours", "20,80,320"),
                       dim(SweepDimension::Kind::Log, "shrink", "1:1000:4")};
    QMetaObject::Connection* once = new QMetaObject::Connection;
    *once = connect(view, &SweepView::sweepEnded, this, [this, once] {
        disconnect(*once);
        delete once;
        m_sweepDone = true;
        QTimer::singleShot(0, this, &ScreenshotRunner::runSweep);
    });
    m_window->viewTabs()->setCurrentWidget(view);
    if (!view->startSweep(spec, QStringLiteral("itemknn neighbours x shrink"))) {
        disconnect(*once);
        delete once;
        fail(QStringLiteral("the sweep did not start"));
    }
}

void ScreenshotRunner::prepareDistributions() {
    DistributionView* view = m_window->distributionView();
    if (m_distributionPolls == 0) {
        qint64 bpr = 0, ease = 0;
        for (const RunRecord& r : m_window->workspaceSession()->runs()) {
            if (r.status != RunStatus::Finished || r.config.evaluateOn != EvalPart::Test)
                continue;
            if (r.config.model == kFactorModel)
                bpr = r.id;
            else if (r.config.model == kItemItemModel)
                ease = r.id;
        }
        m_window->viewTabs()->setCurrentWidget(view);
        view->showRuns(bpr, ease, QStringLiteral("ndcg@10"));
        // The leaderboard with its bootstrap intervals: computed in the background from here.
        if (auto* intervals =
                m_window->leaderboardView()->findChild<QToolButton*>("leaderboardShowIntervals"))
            intervals->setChecked(true);
        LeaderboardModel* model = m_window->leaderboardView()->model();
        for (int r = 0; r < model->rowCount(); ++r)
            for (int c = 0; c < model->columnCount(); ++c)
                (void)model->index(r, c).data();
    }
    if (view->activityBoxes() == 0 && ++m_distributionPolls <= 600) {
        QTimer::singleShot(100, this, &ScreenshotRunner::prepareDistributions);
        return;
    }
    prepareExplorerViews();
}

bool ScreenshotRunner::captureSweepScatter(QStringList* written) {
    SweepView* view = m_window->sweepView();
    m_window->viewTabs()->setCurrentWidget(view);
    view->chartTabs()->setCurrentIndex(1);
    view->selectRow(0);
    QApplication::processEvents();
    for (QCustomPlot* plot : view->findChildren<QCustomPlot*>())
        plot->replot(QCustomPlot::rpImmediateRefresh);
    const QString path = QDir(m_directory).filePath(QStringLiteral("sweep-scatter.png"));
    if (!m_window->grab().save(path)) {
        fail(QStringLiteral("cannot write %1").arg(path));
        return false;
    }
    *written << path;
    view->chartTabs()->setCurrentIndex(0);
    return true;
}

void ScreenshotRunner::prepareExplorerViews() {
    EmbeddingMapView* map = m_window->mapView();
    PopularityBiasView* bias = m_window->biasView();
    if (m_explorerPolls == 0) {
        // The map of the last bpr run; its bias beside ease's.
        qint64 bpr = 0;
        qint64 ease = 0;
        for (const RunRecord& r : m_window->workspaceSession()->runs()) {
            if (r.status != RunStatus::Finished)
                continue;
            if (r.config.model == kFactorModel)
                bpr = r.id;
            else if (r.config.model == kItemItemModel)
                ease = r.id;
        }
        if (bpr == 0) {
            prepareInspector();
            return;
        }
        map->showRun(bpr);
        bias->showRuns(bpr, ease);
    }
    const bool ready = map->isReady() && !bias->isComputing() && !bias->results().isEmpty();
    if (!ready && ++m_explorerPolls <= 600) {  // 60 s, then capture what there is
        QTimer::singleShot(100, this, &ScreenshotRunner::prepareExplorerViews);
        return;
    }
    if (map->isReady() && map->loadedRun() && map->loadedRun()->train) {
        // Select the most popular item so that the neighbour list is filled.
        const auto& popularity = map->loadedRun()->train->itemPopularity;
        const auto top = std::max_element(popularity.begin(), popularity.end());
        if (top != popularity.end())
            map->selectPoint(int(top - popularity.begin()));
    }
    prepareInspector();
}

void ScreenshotRunner::prepareInspector() {
    InspectorView* view = m_window->inspectorView();
    if (m_inspectorPolls == 0) {
        // A two-stage run shows its retriever against its ranker; without one (a pipeline
        // trains too long for a screenshot), ease against the latest run.
        const QVector<RunRecord>& runs = m_window->workspaceSession()->runs();
        qint64 pipeline = 0;
        qint64 ease = 0;
        qint64 bpr = 0;
        for (const RunRecord& r : runs) {
            if (r.status != RunStatus::Finished)
                continue;
            if (isStaged(r))
                pipeline = r.id;
            if (r.config.model == kItemItemModel)
                ease = r.id;
            if (r.config.model == kFactorModel)
                bpr = r.id;
        }
        // The latest bpr run (the sweep's itemknn runs came after it), else the latest run.
        const qint64 right = bpr != 0 ? bpr : (runs.isEmpty() ? 0 : runs.back().id);
        if (pipeline != 0) {
            m_window->showInspector(pipeline);
        } else if (right != 0) {
            m_window->showInspector(right);
            if (ease != 0 && ease != right)
                view->panel(0)->choose(ease, RunStage::Final);
        }
        m_window->viewTabs()->setCurrentWidget(view);
    }
    const bool ready = view->loadedRun(0) && view->loadedRun(1) &&
                       view->panel(0)->isShowingList() && view->panel(1)->isShowingList();
    if (!ready) {
        if (++m_inspectorPolls > 600) {  // 60 s: capture what there is
            capture();
            return;
        }
        QTimer::singleShot(100, this, &ScreenshotRunner::prepareInspector);
        return;
    }
    // A user with hits in both lists tells the story best; the first such median user.
    const UserInspection left(view->loadedRun(0));
    const UserInspection right(view->loadedRun(1));
    const RunStage leftStage = view->panel(0)->stage();
    const RunStage rightStage = view->panel(1)->stage();
    int32_t chosen = -1;
    for (uint64_t seed = 1; seed < 200 && chosen < 0; ++seed) {
        const int32_t user = right.pickUser(ActivityBucket::Median, seed);
        const auto a = left.topK(leftStage, user, view->topK());
        const auto b = right.topK(rightStage, user, view->topK());
        if (!a || !b)
            break;
        const auto hits = [](const std::vector<RecommendedItem>& list) {
            int n = 0;
            for (const RecommendedItem& r : list)
                n += r.hit ? 1 : 0;
            return n;
        };
        if (hits(a.value()) > 0 && hits(b.value()) > 0)
            chosen = user;
    }
    const Dataset& data = *view->loadedRun(1)->dataset;
    if (chosen >= 0)
        view->showUser(int(data.originalUserId(chosen)));
    QTableView* table = view->panel(1)->table();
    for (int row = 0; row < table->model()->rowCount(); ++row)
        if (table->model()->index(row, 0).data(RecommendationListModel::HitRole).toBool()) {
            table->selectRow(row);
            break;
        }
    capture();
}

bool ScreenshotRunner::captureWhatIf(QStringList* written) {
    InspectorView* view = m_window->inspectorView();
    if (!view->loadedRun(1) || view->currentUser() < 0)
        return true;  // nothing to show; the inspector picture says why
    m_window->viewTabs()->setCurrentWidget(view);
    // A class-built user: four movies the picked user liked, rated one by one.
    const UserInspection inspection(view->loadedRun(1));
    const std::vector<int32_t> liked = inspection.likedItems(view->currentUser());
    view->setWhatIf(true);
    WhatIfHistoryModel* model = view->whatIfEditor()->model();
    model->clearRatings();
    const float ratings[] = {5.0f, 4.5f, 5.0f, 4.0f};
    for (size_t i = 0; i < liked.size() && i < 4; ++i)
        model->addRating(liked[i * liked.size() / 4], ratings[i]);
    view->panel(0)->table()->selectRow(0);  // "because you liked" for the what-if user
    QApplication::processEvents();
    const QString path = QDir(m_directory).filePath(QStringLiteral("whatif.png"));
    if (!m_window->grab().save(path)) {
        fail(QStringLiteral("cannot write %1").arg(path));
        return false;
    }
    *written << path;
    view->setWhatIf(false);
    return true;
}

void ScreenshotRunner::capture() {
    QTabWidget* tabs = m_window->viewTabs();
    QStringList written;
    for (int i = 0; i < tabs->count(); ++i) {
        tabs->setCurrentIndex(i);
        QWidget* view = tabs->widget(i);
        // Let layouts settle and charts render their queued replots before grabbing.
        QApplication::processEvents();
        for (RunChart* chart : view->findChildren<RunChart*>())
            chart->flush();
        for (QCustomPlot* plot : view->findChildren<QCustomPlot*>())
            plot->replot(QCustomPlot::rpImmediateRefresh);
        QString name = view->objectName();
        if (name.endsWith(QLatin1String("View")))
            name.chop(4);
        const QString path = QDir(m_directory).filePath(name + QStringLiteral(".png"));
        if (!m_window->grab().save(path)) {
            fail(QStringLiteral("cannot write %1").arg(path));
            return;
        }
        written << path;
    }
    if (!captureWhatIf(&written) || !captureSweepScatter(&written))
        return;
    m_done = true;
    m_timeout.stop();
    QTextStream(stdout) << "wrote " << written.join(QStringLiteral(", ")) << Qt::endl;
    emit finished(0);
}

void ScreenshotRunner::fail(const QString& why) {
    if (m_done)
        return;
    m_done = true;
    m_timeout.stop();
    QTextStream(stderr) << "recscope --screenshot: " << why << Qt::endl;
    emit finished(1);
}

}  // namespace recscope::ui
