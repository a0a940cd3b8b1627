// The Map and Bias tabs and the Train tab's watch list, offscreen on the demo data with a
// temporary workspace: a short bpr run (two pinned users) fills the watch list with a row per
// epoch per user whose entries/exits agree with the previous row; the map shows one point per
// item (and per user), a simulated click selects the nearest point and lists neighbours equal to
// a brute-force cosine search, hover and title search find points, export writes files; the bias
// view's numbers equal the core's (and, on test users, the leaderboard's), two runs compare,
// Cancel stops a measurement. Every item model runs under QAbstractItemModelTester.

#include <QtTest>

#include <qcustomplot.h>
#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QSettings>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <numeric>

#include "core/data/Dataset.h"
#include "core/eval/Exclusion.h"
#include "core/inspect/PopularityBias.h"
#include "core/models/TrainData.h"
#include "support/UiTestSupport.h"
#include "ui/explore/EmbeddingMapView.h"
#include "ui/explore/PopularityBiasView.h"
#include "ui/session/DatasetSession.h"
#include "ui/session/LoadedRunCache.h"
#include "ui/session/WorkspaceSession.h"
#include "ui/training/ParamForm.h"
#include "ui/training/TrainingView.h"
#include "ui/training/WatchListModel.h"
#include "ui/training/WatchListPanel.h"

using namespace recscope;
using namespace recscope::ui;

class TestExplorerViews : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void watchListPins();
    void watchListRowPerEpoch();
    void mapHasOnePointPerItem();
    void clickListsBruteForceNeighbours();
    void hoverSearchAndExport();
    void mapOfModelWithoutEmbeddings();
    void biasNumbersEqualCore();
    void biasOnTestUsersEqualsLeaderboard();
    void biasComparesTwoRunsAndCancels();

private:
    qint64 train(const QString& model, const std::map<std::string, std::string>& params);
    std::shared_ptr<const LoadedRun> load(qint64 runId);

    QTemporaryDir m_tmp;
    std::unique_ptr<DatasetSession> m_datasets;
    std::unique_ptr<WorkspaceSession> m_workspace;
    std::unique_ptr<TrainingView> m_training;
    std::unique_ptr<LoadedRunCache> m_cache;
    std::unique_ptr<EmbeddingMapView> m_map;
    std::unique_ptr<PopularityBiasView> m_bias;
    std::vector<std::unique_ptr<QAbstractItemModelTester>> m_testers;
    QVector<int> m_watched;
    qint64 m_bprRun = 0;
    qint64 m_popRun = 0;
};

void TestExplorerViews::initTestCase() {
    QVERIFY(recscope::test::isolateApplication(m_tmp, "tst_explorerviews"));

    m_datasets = std::make_unique<DatasetSession>();
    m_workspace = std::make_unique<WorkspaceSession>();
    QString error;
    QVERIFY2(m_workspace->open(m_tmp.filePath("workspace"), &error), qPrintable(error));
    m_training = std::make_unique<TrainingView>(m_datasets.get(), m_workspace.get());
    m_cache = std::make_unique<LoadedRunCache>(m_datasets.get(), m_workspace.get());
    m_map = std::make_unique<EmbeddingMapView>(m_workspace.get(), m_cache.get());
    m_bias = std::make_unique<PopularityBiasView>(m_workspace.get(), m_cache.get());
    m_testers.push_back(std::make_unique<QAbstractItemModelTester>(
        m_training->watchList()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest));
    m_testers.push_back(std::make_unique<QAbstractItemModelTester>(
        m_map->neighboursModel(), QAbstractItemModelTester::FailureReportingMode::QtTest));
    m_testers.push_back(std::make_unique<QAbstractItemModelTester>(
        m_bias->numbersModel(), QAbstractItemModelTester::FailureReportingMode::QtTest));
    m_training->resize(1200, 800);
    m_map->resize(1000, 700);
    m_bias->resize(1000, 700);
    m_datasets->openDemo();
    QTRY_VERIFY_WITH_TIMEOUT(m_datasets->dataset() != nullptr, 60000);
}

void TestExplorerViews::cleanupTestCase() {
    m_testers.clear();
    m_bias.reset();
    m_map.reset();
    m_cache.reset();
    m_training.reset();
    m_workspace.reset();
    m_datasets.reset();
}

qint64 TestExplorerViews::train(const QString& model,
                                const std::map<std::string, std::string>& params) {
    auto* combo = m_training->findChild<QComboBox*>("modelCombo");
    if (!combo || combo->findData(model) < 0)
        return 0;
    combo->setCurrentIndex(combo->findData(model));
    if (!m_training->paramForm()->setValues(params))
        return 0;
    QSignalSpy ended(m_training.get(), &TrainingView::runEnded);
    m_training->start();
    if (!ended.wait(180000) || ended.count() != 1)
        return 0;
    const qint64 id = ended.first().at(0).toLongLong();
    const RunRecord* record = m_workspace->run(id);
    return record && record->status == RunStatus::Finished ? id : 0;
}

std::shared_ptr<const LoadedRun> TestExplorerViews::load(qint64 runId) {
    if (auto run = m_cache->cached(runId))
        return run;
    QSignalSpy loaded(m_cache.get(), &LoadedRunCache::loaded);
    m_cache->request(runId);
    for (int i = 0; i < 600; ++i) {
        if (auto run = m_cache->cached(runId))
            return run;
        loaded.wait(100);
    }
    return nullptr;
}

void TestExplorerViews::watchListPins() {
    WatchListPanel* panel = m_training->watchList();
    const auto data = m_datasets->dataset();
    // Ids are MovieLens ids; one the data does not have is refused with a note.
    QVERIFY(!panel->addUser(int(data->originalUserId(data->numUsers() - 1)) + 1000));
    for (int u = 0; u < WatchListPanel::kMaxUsers; ++u)
        QVERIFY(panel->addUser(int(data->originalUserId(u))));
    QVERIFY(!panel->addUser(int(data->originalUserId(7))));  // full
    QVERIFY(!panel->addRandomUser());
    QCOMPARE(panel->watchedUsers().size(), WatchListPanel::kMaxUsers);
    panel->removeUser(int(data->originalUserId(0)));
    QVERIFY(panel->addRandomUser());
    QCOMPARE(panel->watchedUsers().size(), WatchListPanel::kMaxUsers);
    // The lessons' API replaces the pins; duplicates are dropped.
    m_watched = {int(data->originalUserId(3)), int(data->originalUserId(10)),
                 int(data->originalUserId(3))};
    m_training->setWatchedUsers(m_watched);
    m_watched.removeLast();
    QCOMPARE(panel->watchedUsers(), m_watched);
    const std::vector<int32_t> dense = panel->internalUsers(*data);
    QCOMPARE(dense, (std::vector<int32_t>{3, 10}));
}

void TestExplorerViews::watchListRowPerEpoch() {
    const int epochs = 3;
    m_bprRun = train("bpr", {{"epochs", std::to_string(epochs)}, {"patience", "0"}});
    QVERIFY(m_bprRun != 0);
    WatchListModel* model = m_training->watchList()->model();
    QCOMPARE(model->rowCount(), epochs * 2);
    const auto run = load(m_bprRun);
    QVERIFY(run);
    // The watch list follows the one list rule (core/eval/Exclusion.h): what a test list of
    // the user may not hold, checked here item by item.
    auto excluded = [&](int32_t user) {
        std::vector<int32_t> items;
        excludedItems(*run->train, EvalPart::Test, user, items);
        return items;
    };
    const std::vector<char> rankable = rankableItems(*run->train);
    std::map<int32_t, std::vector<int32_t>> previous;
    for (int r = 0; r < model->rowCount(); ++r) {
        const WatchListModel::Row& row = model->row(r);
        QCOMPARE(row.epoch, r / 2 + 1);
        QCOMPARE(row.user, r % 2 == 0 ? 3 : 10);  // in user order within an epoch
        QCOMPARE(int(row.items.size()), 10);
        const std::vector<int32_t> banned = excluded(row.user);
        for (int32_t item : row.items) {
            QVERIFY(!std::binary_search(banned.begin(), banned.end(), item));
            QVERIFY(rankable[static_cast<size_t>(item)]);
        }
        // Entered / left against the user's previous row, by brute force.
        std::vector<int32_t> entered, left;
        if (previous.count(row.user)) {
            const auto& p = previous[row.user];
            for (int32_t i : row.items)
                if (std::find(p.begin(), p.end(), i) == p.end())
                    entered.push_back(i);
            for (int32_t i : p)
                if (std::find(row.items.begin(), row.items.end(), i) == row.items.end())
                    left.push_back(i);
        }
        QCOMPARE(row.entered, entered);
        QCOMPARE(row.left, left);
        previous[row.user] = row.items;
        // Display: entries carry a "+", the Left column a minus per exit.
        const QString top = model->index(r, WatchListModel::TopColumn).data().toString();
        QVERIFY(top.count(QLatin1Char('+')) >= int(entered.size()));
        const QString gone = model->index(r, WatchListModel::LeftColumn).data().toString();
        QCOMPARE(int(gone.count(QChar(0x2212))), int(left.size()));
        QCOMPARE(model->index(r, WatchListModel::UserColumn).data().toString(),
                 QString::number(m_datasets->dataset()->originalUserId(row.user)));
    }
    // The final model is the best validation epoch's (restored at the end): that epoch's lists
    // are its top-10, by brute force: the same scores in the same order (which of two equal
    // scores comes first is the seeded tie rule's business, not this test's).
    const RunRecord* record = m_workspace->run(m_bprRun);
    QVERIFY(record && int(record->epochs.size()) == epochs);
    int best = epochs;
    double bestValue = -1.0;
    for (const EpochReport& e : record->epochs) {
        const auto it = e.validation.find("ndcg@10");
        if (it != e.validation.end() && it->second > bestValue) {
            bestValue = it->second;
            best = e.epoch;
        }
    }
    const int32_t numItems = run->model->numItems();
    std::vector<float> scores(static_cast<size_t>(numItems));
    for (int r = (best - 1) * 2; r < best * 2; ++r) {
        const int32_t user = model->row(r).user;
        QCOMPARE(model->row(r).epoch, best);
        run->model->scoreUsers(&user, 1, scores.data());
        for (int32_t i : excluded(user))
            scores[static_cast<size_t>(i)] = -INFINITY;
        for (int32_t i = 0; i < numItems; ++i)
            if (!rankable[static_cast<size_t>(i)])
                scores[static_cast<size_t>(i)] = -INFINITY;
        std::vector<float> best(scores);
        std::sort(best.begin(), best.end(), std::greater<float>());
        best.resize(10);
        std::vector<float> listed;
        for (int32_t i : model->row(r).items)
            listed.push_back(scores[static_cast<size_t>(i)]);
        QCOMPARE(listed, best);
    }
}

void TestExplorerViews::mapHasOnePointPerItem() {
    QVERIFY(m_bprRun != 0);
    m_map->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_map.get()));
    m_map->showRun(m_bprRun);
    QTRY_VERIFY_WITH_TIMEOUT(m_map->isReady(), 60000);
    const auto run = m_map->loadedRun();
    QVERIFY(run);
    QCOMPARE(m_map->pointCount(), run->dataset->numItems());
    QCOMPARE(m_map->pointCount(), run->model->itemEmbeddings().rows);
    auto plottedPoints = [this] {
        int n = 0;
        for (int g = 0; g < m_map->plot()->graphCount(); ++g)
            if (m_map->plot()->graph(g)->scatterStyle().shape() == QCPScatterStyle::ssDisc)
                n += m_map->plot()->graph(g)->dataCount();
        return n;
    };
    QCOMPARE(plottedPoints(), run->dataset->numItems());
    m_map->setColouring(EmbeddingMapView::Colouring::Popularity);
    QCOMPARE(plottedPoints(), run->dataset->numItems());
    m_map->setColouring(EmbeddingMapView::Colouring::Genre);
    // Every genre in the legend has a colour of its own.
    QVERIFY(m_map->plot()->legend->itemCount() >= 2);
    // Users: one point per user.
    m_map->setKind(EmbeddingMapView::Kind::Users);
    QTRY_VERIFY_WITH_TIMEOUT(m_map->isReady(), 60000);
    QCOMPARE(m_map->pointCount(), run->dataset->numUsers());
    QCOMPARE(plottedPoints(), run->dataset->numUsers());
    m_map->setKind(EmbeddingMapView::Kind::Items);
    QTRY_VERIFY_WITH_TIMEOUT(m_map->isReady(), 60000);
    QCOMPARE(m_map->pointCount(), run->dataset->numItems());
}

void TestExplorerViews::clickListsBruteForceNeighbours() {
    QVERIFY(m_map->isReady());
    QCustomPlot* plot = m_map->plot();
    plot->replot(QCustomPlot::rpImmediateRefresh);
    const EmbeddingTable table = m_map->loadedRun()->model->itemEmbeddings();
    const int d = table.dim;
    auto cosine = [&](int a, int b) {
        double dot = 0, na = 0, nb = 0;
        for (int c = 0; c < d; ++c) {
            const double x = table.values[size_t(a) * d + c];
            const double y = table.values[size_t(b) * d + c];
            dot += x * y;
            na += x * x;
            nb += y * y;
        }
        return na > 0 && nb > 0 ? dot / std::sqrt(na * nb) : 0.0;
    };
    for (int target : {0, 57, m_map->pointCount() / 2}) {
        const QPointF at(plot->xAxis->coordToPixel(m_map->pointPosition(target).x()),
                         plot->yAxis->coordToPixel(m_map->pointPosition(target).y()));
        const QPoint pixel = at.toPoint();
        // Points overlap: the click selects whichever is nearest to the pixel clicked.
        const int expected = m_map->pointAt(QPointF(pixel));
        QVERIFY(expected >= 0);
        QTest::mouseClick(plot, Qt::LeftButton, Qt::NoModifier, pixel);
        QCOMPARE(m_map->selectedPoint(), expected);
        std::vector<std::pair<double, int>> all;
        for (int r = 0; r < table.rows; ++r)
            if (r != expected)
                all.push_back({cosine(expected, r), r});
        std::stable_sort(all.begin(), all.end(),
                         [](const auto& x, const auto& y) { return x.first > y.first; });
        const QVector<int> got = m_map->neighbourRows();
        QCOMPARE(got.size(), EmbeddingMapView::kNeighbours);
        QCOMPARE(m_map->neighboursModel()->rowCount(), EmbeddingMapView::kNeighbours);
        for (int i = 0; i < got.size(); ++i) {
            QCOMPARE(got[i], all[size_t(i)].second);
            const double shown =
                m_map->neighboursModel()->index(i, 2).data(Qt::UserRole).toDouble();
            QVERIFY(std::abs(shown - all[size_t(i)].first) < 1e-4);
            QCOMPARE(m_map->neighboursModel()->index(i, 1).data().toString(),
                     m_map->pointLabel(got[i]));
        }
    }
    // A click far from every point clears the selection.
    const QRect area = plot->axisRect()->rect();
    plot->xAxis->setRange(1e6, 1e6 + 1);
    plot->replot(QCustomPlot::rpImmediateRefresh);
    QTest::mouseClick(plot, Qt::LeftButton, Qt::NoModifier, area.center());
    QCOMPARE(m_map->selectedPoint(), -1);
    QCOMPARE(m_map->neighboursModel()->rowCount(), 0);
}

void TestExplorerViews::hoverSearchAndExport() {
    QCustomPlot* plot = m_map->plot();
    QTest::mouseDClick(plot, Qt::LeftButton, Qt::NoModifier, plot->axisRect()->rect().center());
    plot->replot(QCustomPlot::rpImmediateRefresh);
    const int target = 11;
    const QPoint pixel(int(plot->xAxis->coordToPixel(m_map->pointPosition(target).x())),
                       int(plot->yAxis->coordToPixel(m_map->pointPosition(target).y())));
    const int expected = m_map->pointAt(QPointF(pixel));
    // A move without buttons, as the window system delivers it with mouse tracking on.
    QMouseEvent move(QEvent::MouseMove, QPointF(pixel), plot->mapToGlobal(QPointF(pixel)),
                     Qt::NoButton, Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(plot, &move);
    QCOMPARE(m_map->hoveredPoint(), expected);

    const QString title = m_map->pointLabel(42);
    int first = -1;
    for (int r = 0; r < m_map->pointCount() && first < 0; ++r)
        if (m_map->pointLabel(r).compare(title, Qt::CaseInsensitive) == 0)
            first = r;
    QVERIFY(m_map->searchTitle(title.toUpper()));
    QCOMPARE(m_map->selectedPoint(), first);
    QVERIFY(!m_map->searchTitle(QStringLiteral("no such title anywhere 12345")));

    for (const char* suffix : {"png", "svg", "pdf"}) {
        const QString path = m_tmp.filePath(QStringLiteral("map.") + QLatin1String(suffix));
        QString error;
        QVERIFY2(m_map->exportTo(path, &error), qPrintable(error));
        QVERIFY(QFileInfo(path).size() > 1000);
    }
}

void TestExplorerViews::mapOfModelWithoutEmbeddings() {
    m_popRun = train("pop", {});
    QVERIFY(m_popRun != 0);
    m_map->showRun(m_popRun);
    QTRY_VERIFY_WITH_TIMEOUT(m_map->statusText().contains("no item embeddings"), 60000);
    QVERIFY(!m_map->isReady());
    QCOMPARE(m_map->pointCount(), 0);
    // The chooser says so before loading, too.
    auto* combo = m_map->findChild<QComboBox*>("mapRunCombo");
    QVERIFY(combo->itemText(combo->findData(m_popRun)).contains("no embeddings"));
    QVERIFY(!combo->itemText(combo->findData(m_bprRun)).contains("no embeddings"));
}

void TestExplorerViews::biasNumbersEqualCore() {
    const auto run = load(m_bprRun);
    QVERIFY(run);
    QSignalSpy computed(m_bias.get(), &PopularityBiasView::computed);
    m_bias->setUsers(PopularityBiasUsers::All);
    m_bias->setLoadedRuns(run);
    QVERIFY(computed.wait(60000));
    QCOMPARE(m_bias->results().size(), 1);
    PopularityBiasConfig config;
    config.k = m_bias->k();
    const auto core = measurePopularityBias(*run->model, *run->train, config);
    QVERIFY(core.ok());
    const PopularityBias& shown = m_bias->results().front();
    QCOMPARE(shown.recommendationCounts, core->recommendationCounts);
    QCOMPARE(shown.usersScored, core->usersScored);
    QStandardItemModel* numbers = m_bias->numbersModel();
    QCOMPARE(numbers->rowCount(), 1);
    auto cell = [&](int row, int column) {
        return numbers->index(row, column).data(Qt::UserRole).toDouble();
    };
    QCOMPARE(cell(0, PopularityBiasView::CoverageColumn), core->coverage);
    QCOMPARE(cell(0, PopularityBiasView::GiniColumn), core->gini);
    QCOMPARE(cell(0, PopularityBiasView::TailColumn), core->tailShare);
    QCOMPARE(cell(0, PopularityBiasView::AvgPopColumn), core->avgPopularity);
    QCOMPARE(int(cell(0, PopularityBiasView::UsersColumn)), core->usersScored);
    // One point per catalogue item on the log-log chart.
    QCOMPARE(m_bias->plot()->graphCount(), 1);
    QCOMPARE(m_bias->plot()->graph(0)->dataCount(), core->catalogueSize);
    // K changes the lists: measured again.
    m_bias->setK(5);
    QVERIFY(computed.wait(60000));
    QCOMPARE(m_bias->results().front().k, 5);
    QVERIFY(m_bias->results().front().entries <= int64_t(5) * core->usersScored);
    m_bias->setK(10);
    QVERIFY(computed.wait(60000));
}

void TestExplorerViews::biasOnTestUsersEqualsLeaderboard() {
    QSignalSpy computed(m_bias.get(), &PopularityBiasView::computed);
    m_bias->setUsers(PopularityBiasUsers::Evaluated);
    QVERIFY(computed.wait(60000));
    const RunRecord* record = m_workspace->run(m_bprRun);
    QVERIFY(record);
    const PopularityBias& b = m_bias->results().front();
    QCOMPARE(b.usersScored, record->usersEvaluated);
    QVERIFY(std::abs(b.coverage - record->metrics.at("coverage@10")) < 1e-9);
    QVERIFY(std::abs(b.gini - record->metrics.at("gini@10")) < 1e-9);
    QVERIFY(std::abs(b.avgPopularity - record->metrics.at("avgpop@10")) < 1e-9);
    m_bias->setUsers(PopularityBiasUsers::All);
    QVERIFY(computed.wait(60000));
}

void TestExplorerViews::biasComparesTwoRunsAndCancels() {
    QSignalSpy computed(m_bias.get(), &PopularityBiasView::computed);
    m_bias->showRuns(m_bprRun, m_popRun);
    QVERIFY(computed.wait(60000));
    QCOMPARE(m_bias->results().size(), 2);
    QCOMPARE(m_bias->numbersModel()->rowCount(), 2);
    QCOMPARE(m_bias->plot()->graphCount(), 2);
    // Popularity recommends the same few items to everyone: far less coverage than bpr.
    QVERIFY(m_bias->results()[1].coverage < m_bias->results()[0].coverage);
    QVERIFY(m_bias->results()[1].tailShare <= m_bias->results()[0].tailShare);

    // Cancel: the measurement stops, the last numbers stay.
    const QVector<PopularityBias> before = m_bias->results();
    m_bias->setK(20);
    QVERIFY(m_bias->isComputing());
    m_bias->cancel();
    QVERIFY(!m_bias->isComputing());
    QVERIFY(m_bias->statusText().contains("Cancelled"));
    QTest::qWait(200);
    QCOMPARE(computed.count(), 1);
    QCOMPARE(m_bias->results().size(), before.size());
    QCOMPARE(m_bias->results()[0].k, 10);
}

QTEST_MAIN(TestExplorerViews)
#include "tst_explorerviews.moc"
