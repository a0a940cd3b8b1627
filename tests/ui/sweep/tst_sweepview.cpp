// The Sweeps tab and what issue 17 added around it, offscreen on small synthetic data with a
// temporary workspace: a sweep started from the view trains on its worker thread and lands in
// the workspace as one group; its table (under QAbstractItemModelTester) equals the core's
// sweepTable and marks the trial the sweep chose; chart clicks select trials; the table and the
// charts export; Cancel then Resume finishes without redoing trials; the dialog counts trials
// or says why not. The leaderboard hides sweep trials (and never marks them best) until asked,
// and shows ± bootstrap intervals equal to the core's. The Distributions tab, the taste dialog
// and the dataset summary's new figures are checked against the core or by hand.

#include <QtTest>

#include <qcustomplot.h>
#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <cmath>
#include <numeric>

#include "core/data/SyntheticGenerator.h"
#include "core/eval/Bootstrap.h"
#include "core/sweep/SweepResults.h"
#include "core/sweep/SweepRunner.h"
#include "core/workspace/Workspace.h"
#include "support/UiTestSupport.h"
#include "ui/dataset/DatasetSummary.h"
#include "ui/explore/TasteRecoveryDialog.h"
#include "ui/leaderboard/DistributionView.h"
#include "ui/leaderboard/LeaderboardModel.h"
#include "ui/leaderboard/LeaderboardProxyModel.h"
#include "ui/leaderboard/MetricIntervals.h"
#include "ui/session/DatasetSession.h"
#include "ui/session/LoadedRunCache.h"
#include "ui/session/WorkspaceSession.h"
#include "ui/sweep/ParallelCoordinatesPlot.h"
#include "ui/sweep/SweepAxis.h"
#include "ui/sweep/SweepDialog.h"
#include "ui/sweep/SweepScatterPlot.h"
#include "ui/sweep/SweepTrialsModel.h"
#include "ui/sweep/SweepView.h"
#include "ui/widgets/ChartExport.h"

using namespace recscope;
using namespace recscope::ui;

namespace {

SyntheticConfig smallConfig() {
    SyntheticConfig c;
    c.seed = 77;
    c.users = 200;
    c.items = 300;
    c.ratings = 12000;
    return c;
}

RunConfig baseConfig() {
    RunConfig c;
    c.dataset = "synthetic";
    c.model = "itemknn";
    c.split = defaultSplitConfig(Protocol::Temporal);
    c.split.threshold = 3.5;
    c.ks = {10, 20};
    return c;
}

SweepDimension dim(SweepDimension::Kind kind, const char* param, const char* text) {
    return parseSweepDimension(kind, param, text).value();
}

}  // namespace

class TestSweepView : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void sweepFromTheViewLandsInTheWorkspace();
    void tableEqualsCoreAndClicksSelect();
    void exportsWriteFiles();
    void cancelThenResumeKeepsFinishedTrials();
    void dialogCountsTrialsOrSaysWhy();
    void axesFollowTheSweepScale();
    void leaderboardHidesTrialsAndShowsIntervals();
    void leaderboardShowsPublishedReferences();
    void distributionsMatchTheCore();
    void tasteDialogMeasuresTheSyntheticTastes();
    void datasetSummaryActivityAndMonths();

private:
    QTemporaryDir m_tmp;
    std::unique_ptr<DatasetSession> m_datasets;
    std::unique_ptr<WorkspaceSession> m_workspace;
    std::unique_ptr<LoadedRunCache> m_cache;
    std::unique_ptr<SweepView> m_view;
    std::vector<std::unique_ptr<QAbstractItemModelTester>> m_testers;
    qint64 m_sweep = 0;
};

void TestSweepView::initTestCase() {
    QVERIFY(recscope::test::isolateApplication(m_tmp, "tst_sweepview"));
    m_datasets = std::make_unique<DatasetSession>();
    m_workspace = std::make_unique<WorkspaceSession>();
    QString error;
    QVERIFY2(m_workspace->open(m_tmp.filePath("workspace"), &error), qPrintable(error));
    m_cache = std::make_unique<LoadedRunCache>(m_datasets.get(), m_workspace.get());
    m_view = std::make_unique<SweepView>(m_datasets.get(), m_workspace.get(),
                                         [] { return baseConfig(); });
    m_view->resize(1100, 800);
    m_testers.push_back(std::make_unique<QAbstractItemModelTester>(
        m_view->trialsModel(), QAbstractItemModelTester::FailureReportingMode::QtTest));
    m_testers.push_back(std::make_unique<QAbstractItemModelTester>(
        m_view->table()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest));
    m_datasets->openSynthetic(smallConfig(), QStringLiteral("small"));
    QTRY_VERIFY_WITH_TIMEOUT(m_datasets->dataset() != nullptr, 60000);
}

void TestSweepView::cleanupTestCase() {
    m_testers.clear();
    m_view.reset();
    m_cache.reset();
    m_workspace.reset();
    m_datasets.reset();
}

void TestSweepView::sweepFromTheViewLandsInTheWorkspace() {
    SweepSpec spec;
    spec.base = baseConfig();
    spec.dimensions = {dim(SweepDimension::Kind::List, "neighbours", "5,20,80"),
                       dim(SweepDimension::Kind::Log, "shrink", "1:100:3")};
    QSignalSpy ended(m_view.get(), &SweepView::sweepEnded);
    QVERIFY(m_view->startSweep(spec, QStringLiteral("knn")));
    QVERIFY(m_view->isRunning());
    QVERIFY(!m_view->startSweep(spec));  // one at a time
    QTRY_VERIFY_WITH_TIMEOUT(ended.count() == 1, 180000);
    QVERIFY(!m_view->isRunning());
    m_sweep = ended.at(0).at(0).toLongLong();
    const SweepRecord* record = m_workspace->sweep(m_sweep);
    QVERIFY(record);
    QCOMPARE(record->status, RunStatus::Finished);
    QCOMPARE(record->name, std::string("knn"));
    QCOMPARE(record->trials.size(), size_t(9));
    // The GUI's session saw every run the worker's connection wrote.
    QCOMPARE(m_workspace->runs().size(), 10);
    for (const SweepTrialRecord& t : record->trials) {
        const RunRecord* run = m_workspace->run(t.runId);
        QVERIFY(run);
        QCOMPARE(run->status, RunStatus::Finished);
        QCOMPARE(run->config.evaluateOn, EvalPart::Validation);
    }
    QVERIFY(m_workspace->run(record->testRunId));
    QCOMPARE(m_view->currentSweep(), m_sweep);
    QCOMPARE(m_view->trialsModel()->rowCount(), 9);
    QVERIFY(m_view->findChild<QLabel*>("sweepSummary")->text().contains("Chosen on validation"));
}

void TestSweepView::tableEqualsCoreAndClicksSelect() {
    const SweepRecord* record = m_workspace->sweep(m_sweep);
    const SweepResults results =
        collectSweepResults(*record, [this](int64_t id) { return m_workspace->run(id); }).value();
    const Table expected = sweepTable(results);
    SweepTrialsModel* model = m_view->trialsModel();
    QCOMPARE(model->columnCount(), int(expected.headers.size()));
    for (int r = 0; r < model->rowCount(); ++r)
        for (int c = 0; c < model->columnCount(); ++c)
            QCOMPARE(model->index(r, c).data().toString().toStdString(),
                     expected.rows[size_t(r)][size_t(c)]);
    // The chosen row: bold, and the best finite validation value.
    int bestRow = -1;
    double best = -1;
    for (int r = 0; r < model->rowCount(); ++r) {
        const double v =
            model->index(r, model->metricColumn()).data(SweepTrialsModel::SortRole).toDouble();
        if (v > best) {
            best = v;
            bestRow = r;
        }
    }
    QVERIFY(model->index(bestRow, 0).data(SweepTrialsModel::BestRole).toBool());
    QCOMPARE(model->index(bestRow, 0).data(SweepTrialsModel::RunIdRole).toLongLong(),
             qint64(record->bestRunId));

    // Nine lines and nine points; a click on either selects the trial's row.
    QCOMPARE(m_view->parallelPlot()->lineCount(), 9);
    QCOMPARE(m_view->scatterPlot()->pointCount(), 9);
    QCOMPARE(m_view->scatterPlot()->paramCombo()->currentText(), QStringLiteral("neighbours"));
    m_view->scatterPlot()->paramCombo()->setCurrentIndex(1);  // shrink: swept on a log scale
    QVERIFY(m_view->scatterPlot()->logX());
    QSignalSpy clicked(m_view->scatterPlot(), &SweepScatterPlot::rowClicked);
    emit m_view->scatterPlot()->rowClicked(4);
    QCOMPARE(m_view->selectedRun(), qint64(results.rows[4].runId));
    QSignalSpy inspect(m_view.get(), &SweepView::inspectRun);
    QSignalSpy leaderboard(m_view.get(), &SweepView::showInLeaderboard);
    m_view->findChild<QPushButton*>("sweepInspect")->click();
    m_view->findChild<QPushButton*>("sweepToLeaderboard")->click();
    QCOMPARE(inspect.count(), 1);
    QCOMPARE(inspect.at(0).at(0).toLongLong(), qint64(results.rows[4].runId));
    QCOMPARE(leaderboard.at(0).at(0).toLongLong(), qint64(results.rows[4].runId));

    // A real mouse click on a line of the parallel-coordinates chart.
    QCustomPlot* plot = m_view->parallelPlot()->plot();
    m_view->show();
    m_view->chartTabs()->setCurrentIndex(0);
    QApplication::processEvents();
    plot->replot(QCustomPlot::rpImmediateRefresh);
    auto* curve = qobject_cast<QCPCurve*>(plot->plottable(plot->plottableCount() - 1));
    QVERIFY(curve);
    const QPointF pixel(plot->xAxis->coordToPixel(0.5), 0);
    const double y0 = curve->data()->at(0)->value, y1 = curve->data()->at(1)->value;
    const QPoint at(int(pixel.x()), int(plot->yAxis->coordToPixel((y0 + y1) / 2)));
    QSignalSpy lineClicked(m_view->parallelPlot(), &ParallelCoordinatesPlot::rowClicked);
    QTest::mouseClick(plot, Qt::LeftButton, {}, at);
    QVERIFY(lineClicked.count() >= 1);
    m_view->hide();
}

void TestSweepView::exportsWriteFiles() {
    const QString csv = m_tmp.filePath("sweep.csv");
    QString error;
    QVERIFY2(m_view->exportTable(TableFormat::Csv, csv, &error), qPrintable(error));
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray text = f.readAll();
    QVERIFY(text.startsWith("trial,neighbours,shrink,val ndcg@10,status,run,train s\n"));
    QCOMPARE(text.count('\n'), 10);
    QVERIFY(m_view->exportTable(TableFormat::Latex, m_tmp.filePath("sweep.tex")));
    QVERIFY(m_view->exportTable(TableFormat::Markdown, m_tmp.filePath("sweep.md")));
    for (const char* name : {"sweep.png", "sweep.svg", "sweep.pdf"}) {
        const QString path = m_tmp.filePath(name);
        QVERIFY(ChartExport::save(m_view->parallelPlot()->plot(), path, &error));
        QVERIFY(QFileInfo(path).size() > 0);
    }
}

void TestSweepView::cancelThenResumeKeepsFinishedTrials() {
    SweepSpec spec;
    spec.base = baseConfig();
    spec.base.model = "bpr";
    spec.base.params = {{"epochs", "6"}, {"patience", "0"}};
    spec.dimensions = {dim(SweepDimension::Kind::List, "factors", "4,8,12,16,20,24")};
    QSignalSpy ended(m_view.get(), &SweepView::sweepEnded);
    int trialsEnded = 0;
    QMetaObject::Connection c =
        connect(m_workspace.get(), &WorkspaceSession::runChanged, this, [&](qint64 id) {
            const RunRecord* r = m_workspace->run(id);
            if (r && r->status == RunStatus::Finished && ++trialsEnded == 1)
                m_view->cancel();
        });
    QVERIFY(m_view->startSweep(spec));
    QTRY_VERIFY_WITH_TIMEOUT(ended.count() == 1, 180000);
    disconnect(c);
    const qint64 id = ended.at(0).at(0).toLongLong();
    const SweepRecord* record = m_workspace->sweep(id);
    QVERIFY(record);
    QCOMPARE(record->status, RunStatus::Cancelled);
    std::map<int, qint64> done;
    for (const SweepTrialRecord& t : record->trials)
        if (const RunRecord* r = m_workspace->run(t.runId); r && r->status == RunStatus::Finished)
            done[t.trial] = t.runId;
    QVERIFY(!done.empty());
    QVERIFY(done.size() < 6);
    m_view->showSweep(id);
    auto* resume = m_view->findChild<QPushButton*>("sweepResume");
    QVERIFY(resume->isEnabled());
    resume->click();
    QTRY_VERIFY_WITH_TIMEOUT(ended.count() == 2, 180000);
    record = m_workspace->sweep(id);
    QCOMPARE(record->status, RunStatus::Finished);
    for (const auto& [trial, run] : done)
        QCOMPARE(qint64(record->trials[size_t(trial)].runId), run);
}

void TestSweepView::dialogCountsTrialsOrSaysWhy() {
    RunConfig base = baseConfig();
    base.model = "bpr";
    base.params = {{"factors", "32"}};
    SweepDialog dialog(base);
    auto* ok = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
    auto* preview = dialog.findChild<QLabel*>("sweepPreview");
    QVERIFY(!ok->isEnabled());
    QVERIFY(preview->text().contains("at least one parameter"));
    dialog.setDimension("factors", SweepDimension::Kind::List, "16,32,64");
    dialog.setDimension("lr", SweepDimension::Kind::Log, "1e-3:1e-1:3");
    QCOMPARE(dialog.trialCount(), 9);
    QVERIFY(ok->isEnabled());
    QVERIFY(preview->text().contains("9"));
    // factors was a fixed value of the Train tab: the sweep replaces it.
    const SweepSpec spec = dialog.spec().value();
    QCOMPARE(spec.base.params.count("factors"), size_t(0));
    dialog.findChild<QLineEdit*>("sweepValues_lr")->setText("0:1e-1:3");
    QVERIFY(!ok->isEnabled());
    QVERIFY(preview->text().contains("LOW > 0"));
    dialog.setDimension("lr", SweepDimension::Kind::LogUniform, "1e-4:1e-1");
    QVERIFY(preview->text().contains("--budget"));
    dialog.setBudget(5);
    QCOMPARE(dialog.trialCount(), 5);
    // Choices only come as lists.
    auto* samplerKind = dialog.findChild<QComboBox*>("sweepKind_sampler");
    QCOMPARE(samplerKind->count(), 1);
}

void TestSweepView::axesFollowTheSweepScale() {
    SweepResults r;
    r.spec.dimensions = {dim(SweepDimension::Kind::List, "a", "1,10,1000"),
                         dim(SweepDimension::Kind::Linear, "b", "0:1:3"),
                         dim(SweepDimension::Kind::List, "c", "x,y")};
    const auto row = [](const char* a, const char* b, const char* c) {
        SweepRow s;
        s.params = {{"a", a}, {"b", b}, {"c", c}};
        return s;
    };
    r.rows = {row("1", "0", "x"), row("10", "0.5", "y"), row("1000", "1", "x")};
    const SweepAxis a = SweepAxis::forParam(r, "a");
    QVERIFY(a.numeric && a.log);  // a list spanning three decades
    QCOMPARE(a.normalized("10"), 1.0 / 3.0);
    const SweepAxis b = SweepAxis::forParam(r, "b");
    QVERIFY(b.numeric && !b.log);
    QCOMPARE(b.normalized("0.5"), 0.5);
    const SweepAxis c = SweepAxis::forParam(r, "c");
    QVERIFY(!c.numeric);
    QCOMPARE(c.categories, QStringList({"x", "y"}));
    QCOMPARE(c.normalized("y"), 1.0);
}

void TestSweepView::leaderboardHidesTrialsAndShowsIntervals() {
    LeaderboardModel model(m_workspace.get());
    LeaderboardProxyModel proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    int validation = 0;
    for (const RunRecord& r : m_workspace->runs())
        validation += r.config.evaluateOn == EvalPart::Validation ? 1 : 0;
    QVERIFY(validation >= 9);
    QCOMPARE(proxy.rowCount(), model.rowCount() - validation);
    proxy.setShowValidationRuns(true);
    QCOMPARE(proxy.rowCount(), model.rowCount());
    const int column = model.columnOfMetric("ndcg@10");
    QVERIFY(column >= 0);
    for (int row = 0; row < model.rowCount(); ++row) {
        const QModelIndex index = model.index(row, column);
        if (index.data(LeaderboardModel::ValidationRole).toBool()) {
            QVERIFY(!index.data(LeaderboardModel::BestRole).toBool());
            QVERIFY(model.index(row, LeaderboardModel::ProtocolColumn)
                        .data()
                        .toString()
                        .contains("validation"));
        }
    }

    // ± intervals: the core's bootstrap of the run's per-user values.
    model.setShowIntervals(true);
    const qint64 testRun = m_workspace->sweep(m_sweep)->testRunId;
    const int row = model.rowOfRun(testRun);
    (void)model.index(row, column).data();  // starts the computation
    QTRY_VERIFY_WITH_TIMEOUT(model.index(row, column).data().toString().contains("±"), 30000);
    const QPointF interval =
        model.index(row, column).data(LeaderboardModel::IntervalRole).toPointF();
    const PerUserMetrics perUser = m_workspace->perUser(testRun).value();
    const std::vector<float>& v = perUser.values.at("ndcg@10");
    const BootstrapInterval expected =
        bootstrapMean(std::vector<double>(v.begin(), v.end()), MetricIntervals::kResamples);
    QCOMPARE(interval.x(), expected.low);
    QCOMPARE(interval.y(), expected.high);
    model.setShowIntervals(false);
    QVERIFY(!model.index(row, column).data().toString().contains("±"));
}

void TestSweepView::leaderboardShowsPublishedReferences() {
    LeaderboardModel model(m_workspace.get());
    LeaderboardProxyModel proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.referenceCount(), 0);  // synthetic data: no published figure compares
    // A run recorded as MovieLens 1M under the NCF protocol (as `recscope-cli run` on ml-1m
    // would record it).
    RunRecord r;
    r.config = baseConfig();
    r.config.model = "ease";
    r.config.split = defaultSplitConfig(Protocol::Loo);
    r.config.negatives = 99;
    r.dataset = {"ml-1m", "1m", 6040, 3706, 1000209, "f"};
    Workspace* ws = m_workspace->workspace();
    const int64_t id = ws->createRun(r).value();
    RunOutcome outcome;
    outcome.test.metrics = {{"hit@10", 0.99}, {"ndcg@10", 0.5}};
    outcome.evaluatedNegatives = 99;
    QVERIFY(ws->finishRun(id, outcome).ok());
    m_workspace->refreshRun(id);
    QCOMPARE(model.referenceCount(), 9);  // the NCF table's nine published models
    const int hit = model.columnOfMetric("hit@10");
    int neumf = -1;
    for (int row = model.rowCount() - model.referenceCount(); row < model.rowCount(); ++row) {
        const QModelIndex name = model.index(row, LeaderboardModel::NameColumn);
        QVERIFY(name.data(LeaderboardModel::ReferenceRole).toBool());
        QCOMPARE(name.data(LeaderboardModel::RunIdRole).toLongLong(), qint64(0));
        QVERIFY(!model.index(row, hit).data(LeaderboardModel::BestRole).toBool());
        QVERIFY(!(model.flags(name) & Qt::ItemIsEditable));
        if (name.data().toString().startsWith("NeuMF with pre-training"))
            neumf = row;
    }
    QVERIFY(neumf >= 0);
    QCOMPARE(model.index(neumf, hit).data().toString(), QStringLiteral("0.7300"));
    QCOMPARE(model.index(neumf, LeaderboardModel::StatusColumn).data().toString(),
             QStringLiteral("Published"));
    // The run's 0.99 is the best of the column; the published rows stay below the runs when
    // sorted either way.
    QVERIFY(model.index(model.rowOfRun(id), hit).data(LeaderboardModel::BestRole).toBool());
    for (Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
        proxy.sort(hit, order);
        const int runs = proxy.rowCount() - model.referenceCount();
        for (int row = 0; row < proxy.rowCount(); ++row)
            QCOMPARE(proxy.index(row, 0).data(LeaderboardModel::ReferenceRole).toBool(),
                     row >= runs);
    }
    model.setShowReferences(false);
    QCOMPARE(model.referenceCount(), 0);
    model.setShowReferences(true);
    QVERIFY(m_workspace->deleteRun(id));
    QCOMPARE(model.referenceCount(), 0);
}

void TestSweepView::distributionsMatchTheCore() {
    DistributionView view(m_workspace.get(), m_cache.get());
    view.resize(1000, 700);
    const SweepRecord* record = m_workspace->sweep(m_sweep);
    const qint64 a = record->trials[0].runId, b = record->trials[8].runId;
    view.showRuns(a, b, QStringLiteral("ndcg@10"));
    QCOMPARE(view.metric(), QStringLiteral("ndcg@10"));
    QVERIFY(view.hasComparison());
    const EvalResult ra = evalResultOf(m_workspace->perUser(a).value());
    const EvalResult rb = evalResultOf(m_workspace->perUser(b).value());
    const PairedComparison expected = comparePaired(ra, rb, "ndcg@10").value();
    QCOMPARE(view.comparison().wins, expected.wins);
    QCOMPARE(view.comparison().difference.low, expected.difference.low);
    QVERIFY(view.differenceText().contains("Wilcoxon"));
    // Two histograms whose bars count every user once.
    QCustomPlot* hist = view.histogramPlot();
    QCOMPARE(hist->plottableCount(), 2);
    double users = 0;
    auto* bars = qobject_cast<QCPBars*>(hist->plottable(0));
    for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it)
        users += it->value;
    QCOMPARE(users, double(ra.users.size()));
    // The activity boxes come once both runs' splits are loaded: four groups per run.
    QTRY_COMPARE_WITH_TIMEOUT(view.activityBoxes(), 8, 60000);
}

void TestSweepView::tasteDialogMeasuresTheSyntheticTastes() {
    const qint64 run = m_workspace->sweep(m_sweep)->testRunId;
    TasteRecoveryDialog dialog(m_cache.get(), run);
    QSignalSpy measured(&dialog, &TasteRecoveryDialog::measured);
    QTRY_VERIFY_WITH_TIMEOUT(dialog.isReady(), 60000);
    const TasteRecovery& r = dialog.result();
    QCOMPARE(r.users, int64_t(smallConfig().users));
    QCOMPARE(int(r.genres.size()), int(m_datasets->dataset()->itemMetadata().genreNames.size()));
    QCOMPARE(dialog.tableModel()->rowCount(), int(r.genres.size()));
    QVERIFY(std::isfinite(r.meanCorrelation));
    QVERIFY2(r.meanCorrelation > 0.1, qPrintable(QString::number(r.meanCorrelation)));
}

void TestSweepView::datasetSummaryActivityAndMonths() {
    const Dataset& data = *m_datasets->dataset();
    const DatasetSummary s = DatasetSummary::compute(data);
    QCOMPARE(std::accumulate(s.activityCounts.begin(), s.activityCounts.end(), int64_t(0)),
             int64_t(data.numRatedUsers()));
    QCOMPARE(std::accumulate(s.monthCounts.begin(), s.monthCounts.end(), int64_t(0)),
             data.numRatings());
    // By hand: users per log bin and ratings per month.
    std::vector<int64_t> bins(s.activityCounts.size(), 0);
    for (int32_t u = 0; u < data.numUsers(); ++u) {
        const int64_t n = data.userOffsets()[size_t(u) + 1] - data.userOffsets()[size_t(u)];
        if (n > 0)
            ++bins[size_t(std::floor(std::log2(double(n))))];
    }
    QCOMPARE(bins, s.activityCounts);
    QCOMPARE(s.monthStarts.size(), s.monthCounts.size());
    for (size_t m = 0; m < s.monthStarts.size(); ++m) {
        const QDateTime start = QDateTime::fromSecsSinceEpoch(s.monthStarts[m], Qt::UTC);
        QCOMPARE(start.date().day(), 1);
        QCOMPARE(start.time(), QTime(0, 0));
        const qint64 end = start.addMonths(1).toSecsSinceEpoch();
        int64_t count = 0;
        for (int64_t t : data.timestamps())
            count += t >= s.monthStarts[m] && t < end ? 1 : 0;
        QCOMPARE(count, s.monthCounts[m]);
    }
}

QTEST_MAIN(TestSweepView)
#include "tst_sweepview.moc"
