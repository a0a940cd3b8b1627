// The inspector on a two-stage run (issue 6's default view): a small pipeline trained on
// generated data and recorded in a workspace opens with its retriever on the left and its final
// (ranked) list on the right, each equal to a brute-force top-10 of that stage's scores under
// the evaluator's masks; the what-if user gets both stages' lists through fold-in.
#include <QtTest>

#include <QAbstractItemModelTester>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <algorithm>
#include <memory>

#include "core/data/Dataset.h"
#include "core/data/SyntheticGenerator.h"
#include "core/models/Compute.h"
#include "core/nn/PipelineModel.h"
#include "core/run/Experiment.h"
#include "core/workspace/Workspace.h"
#include "support/UiTestSupport.h"
#include "ui/inspector/InspectorView.h"
#include "ui/inspector/RecommendationListModel.h"
#include "ui/inspector/RecommendationListPanel.h"
#include "ui/inspector/WhatIfEditor.h"
#include "ui/inspector/WhatIfHistoryModel.h"
#include "ui/session/DatasetSession.h"
#include "ui/session/LoadedRunCache.h"
#include "ui/session/WorkspaceSession.h"

using namespace recscope;
using namespace recscope::ui;

namespace {

std::vector<int32_t> shownItems(const RecommendationListModel* m) {
    std::vector<int32_t> items;
    for (int r = 0; r < m->rowCount(); ++r)
        items.push_back(m->index(r, 0).data(RecommendationListModel::ItemRole).toInt());
    return items;
}

// Top-10 of `scores` over the items the evaluator ranks for `user`: items of the catalogue
// with training ratings, minus the user's training positives and validation items.
std::vector<int32_t> bruteTop10(const TrainData& train, int32_t user,
                                const std::vector<float>& scores) {
    std::vector<char> allowed(size_t(train.numItems), 0);
    for (int32_t item : train.allRatings.indices)
        allowed[size_t(item)] = 1;
    for (int64_t p = train.positives.offsets[user]; p < train.positives.offsets[user + 1]; ++p)
        allowed[size_t(train.positives.indices[size_t(p)])] = 0;
    for (size_t i = 0; i < train.split->validation.size(); ++i)
        if (train.split->validation.users[i] == user)
            allowed[size_t(train.split->validation.items[i])] = 0;
    std::vector<int32_t> items;
    for (int32_t i = 0; i < train.numItems; ++i)
        if (allowed[size_t(i)])
            items.push_back(i);
    std::sort(items.begin(), items.end(), [&](int32_t a, int32_t b) {
        return scores[size_t(a)] > scores[size_t(b)] ||
               (scores[size_t(a)] == scores[size_t(b)] && a < b);
    });
    items.resize(std::min<size_t>(items.size(), 10));
    return items;
}

}  // namespace

class TestInspectorPipeline : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void opensRetrieverAndRanker();
    void whatIfGivesBothStages();

private:
    QTemporaryDir m_tmp;
    std::unique_ptr<DatasetSession> m_datasets;
    std::unique_ptr<WorkspaceSession> m_workspace;
    std::unique_ptr<LoadedRunCache> m_cache;
    std::unique_ptr<InspectorView> m_view;
    std::vector<std::unique_ptr<QAbstractItemModelTester>> m_testers;
    std::shared_ptr<Recommender> m_model;
    qint64 m_runId = 0;
};

void TestInspectorPipeline::initTestCase() {
    QVERIFY(recscope::test::isolateApplication(m_tmp, "tst_inspectorpipeline"));
    setComputeThreads(1);

    m_datasets = std::make_unique<DatasetSession>();
    m_workspace = std::make_unique<WorkspaceSession>();
    QString error;
    QVERIFY2(m_workspace->open(m_tmp.filePath("workspace"), &error), qPrintable(error));
    m_cache = std::make_unique<LoadedRunCache>(m_datasets.get(), m_workspace.get());
    m_view = std::make_unique<InspectorView>(m_datasets.get(), m_workspace.get(), m_cache.get());
    for (int side = 0; side < 2; ++side) {
        m_testers.push_back(std::make_unique<QAbstractItemModelTester>(
            m_view->panel(side)->model(), QAbstractItemModelTester::FailureReportingMode::QtTest));
    }

    SyntheticConfig data;
    data.users = 300;
    data.items = 500;
    data.ratings = 24000;
    data.seed = 11;
    m_datasets->openSynthetic(data, QStringLiteral("small"));
    QTRY_VERIFY_WITH_TIMEOUT(m_datasets->dataset() != nullptr, 60000);

    // A small pipeline (the sizes tst_pipeline trains in seconds), recorded like a GUI run.
    RunConfig c;
    c.dataset = "small";
    c.split = defaultSplitConfig(Protocol::Temporal);
    c.model = "pipeline";
    c.params = {
        {"retriever.epochs", "3"}, {"retriever.patience", "0"},   {"retriever.batch_size", "256"},
        {"retriever.dim", "32"},   {"retriever.embedding", "32"}, {"ranker.epochs", "2"},
        {"ranker.patience", "0"},  {"ranker.hard_pool", "40"},    {"pipeline.candidates", "60"}};
    c.ks = {10};
    const Dataset& dataset = *m_datasets->dataset();
    Result<RunOutcome> outcome = runExperiment(dataset, c);
    QVERIFY2(outcome.ok(), outcome.ok() ? "" : outcome.error().message.c_str());
    RunRecord record;
    record.config = c;
    record.dataset = datasetIdentity(dataset, "small");
    m_runId = m_workspace->startRun(record);
    QVERIFY(m_runId > 0);
    QVERIFY(m_workspace->finishRun(m_runId, outcome.value()));
    m_model = std::shared_ptr<Recommender>(std::move(outcome.value().model));

    m_view->resize(1500, 800);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
}

void TestInspectorPipeline::cleanupTestCase() {
    m_view.reset();
    m_testers.clear();
    m_cache.reset();
    m_workspace.reset();
    m_datasets.reset();
}

void TestInspectorPipeline::opensRetrieverAndRanker() {
    // The only run is a pipeline: the default view is its retriever against its ranker.
    m_view->showRun(m_runId);
    QTRY_VERIFY_WITH_TIMEOUT(m_view->panel(0)->isShowingList() && m_view->panel(1)->isShowingList(),
                             60000);
    QCOMPARE(m_view->panel(0)->runId(), m_runId);
    QCOMPARE(m_view->panel(1)->runId(), m_runId);
    QCOMPARE(m_view->panel(0)->stage(), RunStage::Retriever);
    QCOMPARE(m_view->panel(1)->stage(), RunStage::Final);

    const auto* pipeline = dynamic_cast<const PipelineModel*>(m_model.get());
    QVERIFY(pipeline);
    const std::shared_ptr<const LoadedRun> run = m_view->loadedRun(1);
    QVERIFY(run && run->twoStage());
    const TrainData& train = *run->train;
    const Dataset& data = *m_datasets->dataset();
    int compared = 0;
    bool anyDifference = false;
    for (int32_t user = 0; user < data.numUsers() && compared < 4; user += 37) {
        if (train.positives.rowSize(user) == 0)
            continue;
        QVERIFY(m_view->showUser(int(data.originalUserId(user))));
        QTRY_VERIFY_WITH_TIMEOUT(
            m_view->panel(0)->isShowingList() && m_view->panel(1)->isShowingList(), 30000);
        std::vector<float> retriever(size_t(train.numItems));
        std::vector<float> final(size_t(train.numItems));
        pipeline->retriever().scoreUsers(&user, 1, retriever.data());
        pipeline->scoreUsers(&user, 1, final.data());
        const std::vector<int32_t> left = bruteTop10(train, user, retriever);
        const std::vector<int32_t> right = bruteTop10(train, user, final);
        QCOMPARE(shownItems(m_view->panel(0)->model()), left);
        QCOMPARE(shownItems(m_view->panel(1)->model()), right);
        anyDifference = anyDifference || left != right;
        ++compared;
    }
    QCOMPARE(compared, 4);
    // The ranker reorders: on at least one of these users the two lists differ.
    QVERIFY(anyDifference);
}

void TestInspectorPipeline::whatIfGivesBothStages() {
    QVERIFY(m_view->panel(0)->isShowingList());
    m_view->setWhatIf(true);
    const Dataset& data = *m_datasets->dataset();
    // Films the generator's first user rated, added by title as a teacher would.
    int added = 0;
    for (int64_t i = data.userOffsets()[0]; i < data.userOffsets()[1] && added < 5; ++i) {
        const std::string& title = data.itemMetadata().titles[size_t(data.items()[size_t(i)])];
        added += m_view->addWhatIfRating(QString::fromStdString(title), 5.0) ? 1 : 0;
    }
    QVERIFY(added >= 3);
    QTRY_VERIFY_WITH_TIMEOUT(m_view->panel(0)->isShowingList() && m_view->panel(1)->isShowingList(),
                             30000);
    QCOMPARE(m_view->panel(0)->model()->rowCount(), 10);
    QCOMPARE(m_view->panel(1)->model()->rowCount(), 10);
    // Brute force: the retriever's fold-in of the editor's history, history items removed.
    std::vector<HistoryEntry> history;
    for (const WhatIfHistoryModel::Rating& r : m_view->whatIfEditor()->model()->ratings())
        history.push_back({r.item, r.rating, true});
    QCOMPARE(int(history.size()), added);
    const auto* pipeline = dynamic_cast<const PipelineModel*>(m_model.get());
    std::vector<float> scores(size_t(pipeline->numItems()));
    QVERIFY(pipeline->retriever().scoreHistory(history, scores.data()).ok());
    for (const HistoryEntry& h : history)
        scores[size_t(h.item)] = -1e30f;
    std::vector<int32_t> order(scores.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = int32_t(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](int32_t a, int32_t b) { return scores[size_t(a)] > scores[size_t(b)]; });
    order.resize(10);
    QCOMPARE(shownItems(m_view->panel(0)->model()), order);
    m_view->setWhatIf(false);
}

QTEST_MAIN(TestInspectorPipeline)
#include "tst_inspectorpipeline.moc"
