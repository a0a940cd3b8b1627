// The Inspect tab (issue 6) offscreen on the demo data with short runs recorded in a temporary
// workspace (itemknn, ease, pop through the core API): both lists appear for the default runs;
// the highlighted hits equal the user's test positives within a brute-force top-K; the movement
// column agrees with the other list; "because you liked" draws from the user's liked items; the
// activity buttons pick users of their bucket; adding, re-rating and removing a movie in the
// what-if editor changes the lists (a model that cannot fold in says so instead); the run cache
// answers unknown runs with a message; MainWindow::showInspector switches to the tab.
// QAbstractItemModelTester watches every model throughout.

#include <QtTest>

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <algorithm>
#include <memory>

#include "core/data/Dataset.h"
#include "core/models/Compute.h"
#include "core/run/Experiment.h"
#include "core/split/Split.h"
#include "core/workspace/Workspace.h"
#include "support/UiTestSupport.h"
#include "ui/inspector/InspectorEvidenceModel.h"
#include "ui/inspector/InspectorView.h"
#include "ui/inspector/RecommendationListModel.h"
#include "ui/inspector/RecommendationListPanel.h"
#include "ui/inspector/UserHistoryModel.h"
#include "ui/inspector/WhatIfEditor.h"
#include "ui/inspector/WhatIfHistoryModel.h"
#include "ui/leaderboard/LeaderboardView.h"
#include "ui/session/DatasetSession.h"
#include "ui/session/LoadedRunCache.h"
#include "ui/session/WorkspaceSession.h"
#include "ui/shell/MainWindow.h"

using namespace recscope;
using namespace recscope::ui;

namespace {

RunConfig config(const std::string& model) {
    RunConfig c;
    c.dataset = "demo";
    c.split = defaultSplitConfig(Protocol::Temporal);
    c.model = model;
    c.ks = {10};
    return c;
}

std::vector<int32_t> shownItems(const RecommendationListModel* m) {
    std::vector<int32_t> items;
    for (int r = 0; r < m->rowCount(); ++r)
        items.push_back(m->index(r, 0).data(RecommendationListModel::ItemRole).toInt());
    return items;
}

}  // namespace

class TestInspector : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void bothListsShown();
    void hitsEqualTestPositivesInBruteForceTopK();
    void movementAgreesWithTheOtherList();
    void becauseYouLikedDrawsFromLikedItems();
    void activityButtonsPickTheirBucket();
    void whatIfEditsChangeTheLists();
    void cacheExplainsUnknownRuns();
    void mainWindowShowsTheInspector();

private:
    void train(const std::string& model);
    void waitForLists() const;
    RecommendationListPanel* panel(int side) const { return m_view->panel(side); }

    QTemporaryDir m_tmp;
    std::unique_ptr<DatasetSession> m_datasets;
    std::unique_ptr<WorkspaceSession> m_workspace;
    std::unique_ptr<LoadedRunCache> m_cache;
    std::unique_ptr<InspectorView> m_view;
    std::vector<std::unique_ptr<QAbstractItemModelTester>> m_testers;
    std::map<std::string, qint64> m_runIds;
    std::map<std::string, std::shared_ptr<Recommender>> m_models;
};

void TestInspector::initTestCase() {
    QVERIFY(recscope::test::isolateApplication(m_tmp, "tst_inspector"));
    setComputeThreads(1);

    m_datasets = std::make_unique<DatasetSession>();
    m_workspace = std::make_unique<WorkspaceSession>();
    QString error;
    QVERIFY2(m_workspace->open(m_tmp.filePath("workspace"), &error), qPrintable(error));
    m_cache = std::make_unique<LoadedRunCache>(m_datasets.get(), m_workspace.get());
    m_view = std::make_unique<InspectorView>(m_datasets.get(), m_workspace.get(), m_cache.get());
    const auto watch = [this](QAbstractItemModel* model) {
        m_testers.push_back(std::make_unique<QAbstractItemModelTester>(
            model, QAbstractItemModelTester::FailureReportingMode::QtTest));
    };
    for (int side = 0; side < 2; ++side) {
        watch(panel(side)->model());
        watch(panel(side)->evidenceModel());
    }
    watch(m_view->historyModel());
    watch(m_view->whatIfEditor()->model());
    m_view->resize(1500, 800);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    QVERIFY(!panel(0)->isShowingList());  // nothing to show yet, and it says why
    QVERIFY(!panel(0)->message().isEmpty());

    m_datasets->openDemo();
    QTRY_VERIFY_WITH_TIMEOUT(m_datasets->dataset() != nullptr, 60000);
    train("pop");
    train("itemknn");
    train("ease");
}

void TestInspector::cleanupTestCase() {
    m_view.reset();
    m_testers.clear();
    m_cache.reset();
    m_workspace.reset();
    m_datasets.reset();
}

void TestInspector::train(const std::string& model) {
    const Dataset& data = *m_datasets->dataset();
    const RunConfig c = config(model);
    Result<RunOutcome> outcome = runExperiment(data, c);
    QVERIFY2(outcome.ok(), outcome.ok() ? "" : outcome.error().message.c_str());
    RunRecord record;
    record.config = c;
    record.dataset = datasetIdentity(data, "demo");
    const qint64 id = m_workspace->startRun(record);
    QVERIFY(id > 0);
    QVERIFY(m_workspace->finishRun(id, outcome.value()));
    m_runIds[model] = id;
    m_models[model] = std::shared_ptr<Recommender>(std::move(outcome.value().model));
}

void TestInspector::waitForLists() const {
    QTRY_VERIFY_WITH_TIMEOUT(panel(0)->isShowingList() && panel(1)->isShowingList(), 30000);
}

void TestInspector::bothListsShown() {
    // Default: the two latest runs, older left.
    QCOMPARE(panel(1)->runId(), m_runIds["ease"]);
    QCOMPARE(panel(0)->runId(), m_runIds["itemknn"]);
    waitForLists();
    QVERIFY(m_view->currentUser() >= 0);  // a median user was picked on the first load
    QCOMPARE(panel(0)->model()->rowCount(), 10);
    QCOMPARE(panel(1)->model()->rowCount(), 10);
    QVERIFY(m_view->historyModel()->rowCount() > 0);
    QVERIFY(panel(1)->metricsText().contains("ease"));
    // The chooser lists every finished run of this dataset.
    QCOMPARE(panel(0)->chooser()->count(), 3);
    m_view->setTopK(20);
    QTRY_COMPARE(panel(0)->model()->rowCount(), 20);
    m_view->setTopK(10);
    QTRY_COMPARE(panel(0)->model()->rowCount(), 10);
}

void TestInspector::hitsEqualTestPositivesInBruteForceTopK() {
    waitForLists();
    const Dataset& data = *m_datasets->dataset();
    const Result<Split> split = makeSplit(data, config("ease").split);
    QVERIFY(split.ok());
    // A user with test positives that the lists hit, searched for among many users so that the
    // comparison sees true flags.
    int checkedHits = 0;
    for (int32_t user = 0; user < data.numUsers() && checkedHits < 3; user += 11) {
        std::vector<int32_t> positives;
        for (size_t i = 0; i < split->test.size(); ++i)
            if (split->test.users[i] == user && split->isPositive(split->test.ratings[i]))
                positives.push_back(split->test.items[i]);
        if (positives.empty())
            continue;
        QVERIFY(m_view->showUser(int(data.originalUserId(user))));
        QCOMPARE(m_view->currentUser(), user);
        for (int side = 0; side < 2; ++side) {
            const RecommendationListModel* model = panel(side)->model();
            QCOMPARE(model->rowCount(), 10);
            // Brute force: the run's model over every item, the evaluator's masks.
            const std::shared_ptr<const LoadedRun> run = m_view->loadedRun(side);
            QVERIFY(run);
            const TrainData& train = *run->train;
            std::vector<float> s(size_t(train.numItems));
            m_models[run->config.model]->scoreUsers(&user, 1, s.data());
            std::vector<char> allowed(size_t(train.numItems), 0);
            for (int32_t item : train.allRatings.indices)
                allowed[size_t(item)] = 1;
            for (int64_t p = train.positives.offsets[user]; p < train.positives.offsets[user + 1];
                 ++p)
                allowed[size_t(train.positives.indices[size_t(p)])] = 0;
            for (size_t i = 0; i < train.split->validation.size(); ++i)
                if (train.split->validation.users[i] == user)
                    allowed[size_t(train.split->validation.items[i])] = 0;
            std::vector<int32_t> items;
            for (int32_t i = 0; i < train.numItems; ++i)
                if (allowed[size_t(i)])
                    items.push_back(i);
            std::sort(items.begin(), items.end(), [&](int32_t a, int32_t b) {
                return s[size_t(a)] > s[size_t(b)] || (s[size_t(a)] == s[size_t(b)] && a < b);
            });
            items.resize(10);
            QCOMPARE(shownItems(model), items);
            for (int r = 0; r < model->rowCount(); ++r) {
                const bool expected = std::find(positives.begin(), positives.end(),
                                                items[size_t(r)]) != positives.end();
                QCOMPARE(model->index(r, RecommendationListModel::TitleColumn)
                             .data(RecommendationListModel::HitRole)
                             .toBool(),
                         expected);
                QCOMPARE(model->index(r, RecommendationListModel::TitleColumn)
                             .data(Qt::BackgroundRole)
                             .isValid(),
                         expected);
                checkedHits += expected ? 1 : 0;
            }
        }
        // The history shows the same test part.
        int testRows = 0;
        for (const HistoryRow& r : m_view->historyModel()->rows())
            testRows += r.part == HistoryPart::Test ? 1 : 0;
        int splitTestRows = 0;
        for (size_t i = 0; i < split->test.size(); ++i)
            splitTestRows += split->test.users[i] == user ? 1 : 0;
        QCOMPARE(testRows, splitTestRows);
    }
    QVERIFY2(checkedHits > 0, "no user's list hit a test positive: the check compared nothing");
}

void TestInspector::movementAgreesWithTheOtherList() {
    waitForLists();
    const std::vector<int32_t> left = shownItems(panel(0)->model());
    const std::vector<int32_t> right = shownItems(panel(1)->model());
    const RecommendationListModel* model = panel(0)->model();
    for (int r = 0; r < model->rowCount(); ++r) {
        const auto it = std::find(right.begin(), right.end(), left[size_t(r)]);
        const int other = it == right.end() ? 0 : int(it - right.begin()) + 1;
        const QModelIndex move = model->index(r, RecommendationListModel::MoveColumn);
        QCOMPARE(move.data(RecommendationListModel::OtherRankRole).toInt(), other);
        QCOMPARE(move.data().toString(), RecommendationListModel::movementText(r + 1, other));
    }
    QCOMPARE(RecommendationListModel::movementText(5, 2), QStringLiteral("▼3"));
    QCOMPARE(RecommendationListModel::movementText(2, 5), QStringLiteral("▲3"));
    QCOMPARE(RecommendationListModel::movementText(4, 4), QStringLiteral("="));
    QCOMPARE(RecommendationListModel::movementText(4, 0), QStringLiteral("new"));
}

void TestInspector::becauseYouLikedDrawsFromLikedItems() {
    waitForLists();
    QTableView* table = panel(1)->table();
    table->selectRow(0);
    const InspectorEvidenceModel* evidence = panel(1)->evidenceModel();
    QTRY_VERIFY(evidence->rowCount() > 0);
    QVERIFY(evidence->rowCount() <= 5);
    const std::shared_ptr<const LoadedRun> run = m_view->loadedRun(1);
    const int32_t user = m_view->currentUser();
    const CsrMatrix& pos = run->train->positives;
    const std::vector<int32_t> liked(pos.indices.begin() + pos.offsets[user],
                                     pos.indices.begin() + pos.offsets[user + 1]);
    double previous = 1e30;
    for (int r = 0; r < evidence->rowCount(); ++r) {
        const int32_t item = evidence->index(r, 0).data(InspectorEvidenceModel::ItemRole).toInt();
        QVERIFY(std::binary_search(liked.begin(), liked.end(), item));
        const double sim =
            evidence->index(r, 1).data(InspectorEvidenceModel::SimilarityRole).toDouble();
        QVERIFY(sim <= previous);
        previous = sim;
    }
}

void TestInspector::activityButtonsPickTheirBucket() {
    waitForLists();
    const std::shared_ptr<const LoadedRun> run = m_view->loadedRun(0);
    UserInspection inspection(run);
    const std::pair<const char*, ActivityBucket> buttons[] = {
        {"fewRatingsUser", ActivityBucket::Few},
        {"medianRatingsUser", ActivityBucket::Median},
        {"manyRatingsUser", ActivityBucket::Many}};
    for (const auto& [name, bucket] : buttons) {
        auto* button = m_view->findChild<QPushButton*>(name);
        QVERIFY(button);
        const std::vector<int32_t> users = inspection.bucketUsers(bucket);
        for (int i = 0; i < 3; ++i) {
            button->click();
            QVERIFY(std::binary_search(users.begin(), users.end(), m_view->currentUser()));
        }
    }
    auto* random = m_view->findChild<QPushButton*>("randomUser");
    QVERIFY(random);
    random->click();
    QVERIFY(!inspection.testPositives(m_view->currentUser()).empty());
    waitForLists();
}

void TestInspector::whatIfEditsChangeTheLists() {
    waitForLists();
    m_view->setWhatIf(true);
    QVERIFY(m_view->isWhatIf());
    WhatIfEditor* editor = m_view->whatIfEditor();
    QVERIFY(editor->isVisible());
    QCOMPARE(editor->model()->rowCount(), 0);
    const bool foldsIn = m_models["ease"]->canFoldIn() && m_models["itemknn"]->canFoldIn();
    QVERIFY2(foldsIn, "ease and itemknn must fold in new users (Recommender::scoreHistory)");
    waitForLists();  // the empty user: the models' answer for unknown users
    const std::vector<int32_t> empty[2] = {shownItems(panel(0)->model()),
                                           shownItems(panel(1)->model())};

    // Add a movie through the search box, as a person would.
    const Dataset& data = *m_datasets->dataset();
    const std::vector<int32_t> liked = shownItems(panel(1)->model());
    const int32_t first = liked[3];
    editor->searchBox()->setText(QString::fromStdString(data.itemMetadata().titles[first]));
    editor->ratingSpin()->setValue(5.0);
    auto* add = editor->findChild<QPushButton*>("whatIfAdd");
    QVERIFY(add);
    add->click();
    QCOMPARE(editor->model()->rowCount(), 1);
    QVERIFY(editor->searchBox()->text().isEmpty());
    waitForLists();
    const std::vector<int32_t> one[2] = {shownItems(panel(0)->model()),
                                         shownItems(panel(1)->model())};
    QVERIFY(one[0] != empty[0]);
    QVERIFY(one[1] != empty[1]);
    for (const auto& list : one)
        QVERIFY(std::find(list.begin(), list.end(), first) == list.end());

    // A second movie changes them again; removing it brings the first lists back.
    const int32_t second = one[0][0];
    QVERIFY(editor->model()->addRating(second, 4.5f));
    waitForLists();
    const std::vector<int32_t> two = shownItems(panel(0)->model());
    QVERIFY(two != one[0]);
    QVERIFY(std::find(two.begin(), two.end(), second) == two.end());
    QVERIFY(editor->model()->removeItem(second));
    QTRY_VERIFY(shownItems(panel(0)->model()) == one[0]);
    // The lessons' shortcut adds by title too (and re-rating keeps one row).
    QVERIFY(m_view->addWhatIfRating(QString::fromStdString(data.itemMetadata().titles[first]), 3));
    QCOMPARE(editor->model()->rowCount(), 1);
    QCOMPARE(editor->model()->ratings()[0].rating, 3.0f);
    QVERIFY(!m_view->addWhatIfRating(QStringLiteral("No Such Movie (1899)"), 4));
    QVERIFY(editor->model()->addRating(first, 5.0f));
    waitForLists();
    QTRY_VERIFY(shownItems(panel(0)->model()) == one[0]);
    // An unknown title adds nothing.
    editor->searchBox()->setText(QStringLiteral("No Such Movie (1899)"));
    QVERIFY(!editor->addFromSearch());
    QCOMPARE(editor->model()->rowCount(), 1);

    // Copy this user: the history becomes the picked user's training ratings, hits return.
    auto* copy = editor->findChild<QPushButton*>("whatIfCopyUser");
    QVERIFY(copy);
    m_view->setWhatIf(false);
    waitForLists();
    const int32_t user = m_view->currentUser();
    m_view->setWhatIf(true);
    copy->click();
    QCOMPARE(editor->model()->rowCount(),
             int(m_view->loadedRun(0)->train->allRatings.rowSize(user)));
    waitForLists();
    QVERIFY(panel(0)->metricsText().contains("Recall@10"));

    // A model that cannot fold in says so in its panel instead of a list.
    QVERIFY(panel(0)->choose(m_runIds["pop"], RunStage::Final));
    QTRY_VERIFY(m_view->loadedRun(0) && m_view->loadedRun(0)->runId == m_runIds["pop"]);
    if (m_models["pop"]->canFoldIn()) {
        QTRY_VERIFY(panel(0)->isShowingList());
    } else {
        QTRY_VERIFY(!panel(0)->isShowingList());
        QVERIFY2(panel(0)->message().contains("cannot fold in"), qPrintable(panel(0)->message()));
        QVERIFY(panel(1)->isShowingList());
    }
    QVERIFY(panel(0)->choose(m_runIds["itemknn"], RunStage::Final));
    m_view->setWhatIf(false);
    waitForLists();
}

void TestInspector::cacheExplainsUnknownRuns() {
    QSignalSpy failed(m_cache.get(), &LoadedRunCache::failed);
    m_cache->request(9999);
    QTRY_COMPARE(failed.count(), 1);
    QCOMPARE(failed.at(0).at(0).toLongLong(), 9999);
    QVERIFY(failed.at(0).at(1).toString().contains("9999"));
    // A loaded run is answered from memory.
    QSignalSpy loaded(m_cache.get(), &LoadedRunCache::loaded);
    QVERIFY(m_cache->cached(m_runIds["ease"]));
    m_cache->request(m_runIds["ease"]);
    QTRY_COMPARE(loaded.count(), 1);
    QVERIFY(!m_cache->isLoading(m_runIds["ease"]));
}

void TestInspector::mainWindowShowsTheInspector() {
    qputenv("RECSCOPE_WORKSPACE", m_tmp.filePath("workspace").toUtf8());
    MainWindow window;
    QTabWidget* tabs = window.viewTabs();
    const int inspect = tabs->indexOf(window.inspectorView());
    QVERIFY(inspect > 0);
    QCOMPARE(inspect, tabs->indexOf(window.leaderboardView()) + 1);
    QCOMPARE(tabs->tabText(inspect), QStringLiteral("&Inspect"));
    QVERIFY(window.runCache());
    window.showInspector(m_runIds["ease"]);
    QCOMPARE(tabs->currentWidget(), static_cast<QWidget*>(window.inspectorView()));
}

QTEST_MAIN(TestInspector)
#include "tst_inspector.moc"
