// TrainingView driven through its widgets on the demo data with a temporary workspace: a small
// model trains and is recorded (epochs, final metrics, checkpoint, kept model); batch losses
// reach the chart without loss and replots are batched; Stop records a cancelled run and leaves
// the view usable; Pause holds the run; a learning rate that makes the loss blow up, and a CUDA
// device that is not there, show an error and record a failed run. The charts' smoothing is
// checked against hand-computed values, legend clicks and run check boxes toggle runs, and every
// export format writes a real file. The runs model runs under QAbstractItemModelTester
// throughout. The event loop's longest stall during training is printed (not asserted).

#include <QtTest>

#include <qcustomplot.h>
#include <QAbstractItemModelTester>
#include <QAction>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QImage>
#include <QLabel>
#include <QListView>
#include <QSettings>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <cmath>
#include <memory>
#include <thread>

#include "core/data/SyntheticGenerator.h"
#include "core/models/Compute.h"
#include "core/split/Split.h"
#include "support/UiTestSupport.h"
#include "ui/session/DatasetSession.h"
#include "ui/session/WorkspaceSession.h"
#include "ui/shell/BuildInfo.h"
#include "ui/training/LossChart.h"
#include "ui/training/MetricChart.h"
#include "ui/training/ParamForm.h"
#include "ui/training/TrainingRunsModel.h"
#include "ui/training/TrainingSetup.h"
#include "ui/training/TrainingView.h"
#include "ui/widgets/FileDialog.h"

using namespace recscope;
using namespace recscope::ui;

class TestTrainingView : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void smoothingHandComputed();
    void trainSmallModel();
    void stopMidRun();
    void pauseHoldsTheRun();
    void hugeLearningRateFails();
    void missingCudaFails();
    void toggleRunsFromLegendAndList();
    void exportWritesFiles();
    void secondViewRestoresRuns();
    void excludeChoiceReachesTheRun();
    void threadsChoiceReachesTheWorker();

private:
    // Selects `model` with `params` in the form and presses Start.
    void startRun(const QString& model, const std::map<std::string, std::string>& params);
    const RunRecord* lastRun() const;
    void waitIdle() const;

    QTemporaryDir m_tmp;
    std::unique_ptr<DatasetSession> m_datasets;
    std::unique_ptr<WorkspaceSession> m_workspace;
    std::unique_ptr<TrainingView> m_view;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    qint64 m_finishedRun = 0;
};

void TestTrainingView::initTestCase() {
    QVERIFY(recscope::test::isolateApplication(m_tmp, "tst_trainingview"));

    m_datasets = std::make_unique<DatasetSession>();
    m_workspace = std::make_unique<WorkspaceSession>();
    QString error;
    QVERIFY2(m_workspace->open(m_tmp.filePath("workspace"), &error), qPrintable(error));
    m_view = std::make_unique<TrainingView>(m_datasets.get(), m_workspace.get());
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_view->runsModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_view->resize(1200, 760);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));

    // Without data, Start explains what to do and records nothing.
    QSignalSpy errors(m_view.get(), &TrainingView::errorOccurred);
    m_view->startAction()->trigger();
    QCOMPARE(errors.count(), 1);
    QVERIFY(!m_view->isTraining());
    QVERIFY(m_workspace->runs().isEmpty());

    m_datasets->openDemo();
    QTRY_VERIFY_WITH_TIMEOUT(m_datasets->dataset() != nullptr, 60000);
    QVERIFY(m_view->findChild<QLabel*>("trainDatasetLabel")->text().contains("100"));
}

void TestTrainingView::cleanupTestCase() {
    m_tester.reset();
    m_view.reset();
    m_workspace.reset();
    m_datasets.reset();
}

void TestTrainingView::startRun(const QString& model,
                                const std::map<std::string, std::string>& params) {
    auto* combo = m_view->findChild<QComboBox*>("modelCombo");
    QVERIFY(combo);
    const int index = combo->findData(model);
    QVERIFY(index >= 0);
    combo->setCurrentIndex(index);
    QString error;
    QVERIFY2(m_view->paramForm()->setValues(params, &error), qPrintable(error));
    QVERIFY(m_view->startAction()->isEnabled());
    m_view->startAction()->trigger();
    QVERIFY(m_view->isTraining());
}

const RunRecord* TestTrainingView::lastRun() const {
    return m_workspace->runs().isEmpty() ? nullptr : &m_workspace->runs().back();
}

void TestTrainingView::waitIdle() const {
    QTRY_VERIFY_WITH_TIMEOUT(!m_view->isTraining(), 120000);
}

void TestTrainingView::smoothingHandComputed() {
    // w = 0.5 over 1, 2, 3: s = 0.5, 1.25, 2.125; divided by 1 - 0.5^t = 0.5, 0.75, 0.875.
    const QVector<double> s = LossChart::smooth({1, 2, 3}, 0.5);
    QCOMPARE(s.size(), 3);
    QCOMPARE(s[0], 1.0);
    QVERIFY(std::abs(s[1] - 1.25 / 0.75) < 1e-12);
    QVERIFY(std::abs(s[2] - 2.125 / 0.875) < 1e-12);
    QCOMPARE(LossChart::smooth({4, 1, 7}, 0.0), QVector<double>({4, 1, 7}));
}

void TestTrainingView::trainSmallModel() {
    const int epochs = 2;
    startRun("bpr", {{"epochs", std::to_string(epochs)}, {"patience", "0"}});
    QVERIFY(!m_view->startAction()->isEnabled());
    QVERIFY(m_view->stopAction()->isEnabled());
    QVERIFY(!m_view->setup()->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(m_view->currentRunId() != 0, 30000);
    const qint64 id = m_view->currentRunId();
    QCOMPARE(m_workspace->run(id)->status, RunStatus::Running);
    QCOMPARE(m_view->runsModel()->rowCount(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(m_view->lossChart()->rawPointCount(id) > 0, 60000);
    waitIdle();

    const RunRecord* run = m_workspace->run(id);
    QVERIFY(run);
    QCOMPARE(run->status, RunStatus::Finished);
    QCOMPARE(run->config.model, std::string("bpr"));
    QCOMPARE(run->config.params.at("epochs"), std::to_string(epochs));
    QCOMPARE(run->dataset.name, std::string("demo"));
    QCOMPARE(int(run->epochs.size()), epochs);
    QVERIFY(run->metrics.count("ndcg@10"));
    QVERIFY(!run->checkpoint.empty());
    QVERIFY(m_view->trainedModel(id));
    QCOMPARE(m_view->runsModel()
                 ->data(m_view->runsModel()->index(0), Qt::CheckStateRole)
                 .value<Qt::CheckState>(),
             Qt::Checked);
    QVERIFY(
        m_view->runsModel()->data(m_view->runsModel()->index(0)).toString().contains("finished"));

    // Every batch reached the chart: bpr takes batches of 1024 training positives (rating >= 4
    // in the temporal split's train part; it stops early, so it does not fit on validation).
    const Result<Split> split = makeSplit(*m_datasets->dataset(), run->config.split);
    QVERIFY(split.ok());
    int64_t positives = 0;
    for (float r : split.value().train.ratings)
        positives += split.value().isPositive(r);
    const int64_t batches = (positives + 1023) / 1024;
    QCOMPARE(int64_t(m_view->lossChart()->rawPointCount(id)), epochs * batches);
    // ... and replots were batched on the timer, not issued per batch.
    m_view->lossChart()->flush();
    QVERIFY(m_view->lossChart()->graph(id)->data()->size() == epochs * batches);
    QVERIFY2(m_view->lossChart()->replotCount() < epochs * batches,
             qPrintable(QString::number(m_view->lossChart()->replotCount())));

    // One validation point per epoch, the default metric first.
    m_view->metricChart()->flush();
    QCOMPARE(m_view->metricChart()->metric(), QStringLiteral("ndcg@10"));
    QCOMPARE(m_view->metricChart()->graph(id)->data()->size(), epochs);
    QCOMPARE(m_view->metricChart()->graph(id)->data()->at(1)->value,
             run->epochs[1].validation.at("ndcg@10"));
    m_view->metricChart()->setMetric("recall@10");
    m_view->metricChart()->flush();
    QCOMPARE(m_view->metricChart()->graph(id)->data()->at(0)->value,
             run->epochs[0].validation.at("recall@10"));

    qInfo(
        "longest event-loop stall while bpr trained (%d epochs, demo data): %.1f ms; "
        "recording the result: %.1f ms",
        epochs, m_view->lastLongestStallMs(), m_view->lastRecordMs());
    m_finishedRun = id;
}

void TestTrainingView::stopMidRun() {
    startRun("bpr", {{"epochs", "200"}, {"patience", "0"}});
    QTRY_VERIFY_WITH_TIMEOUT(m_view->currentRunId() != 0, 30000);
    const qint64 id = m_view->currentRunId();
    QTRY_VERIFY_WITH_TIMEOUT(m_view->lossChart()->rawPointCount(id) > 0, 60000);
    QSignalSpy ended(m_view.get(), &TrainingView::runEnded);
    m_view->stopAction()->trigger();
    waitIdle();
    QCOMPARE(ended.count(), 1);
    QCOMPARE(ended.at(0).at(1).value<RunStatus>(), RunStatus::Cancelled);
    QCOMPARE(m_workspace->run(id)->status, RunStatus::Cancelled);
    QVERIFY(int(m_workspace->run(id)->epochs.size()) < 200);
    QVERIFY(!m_view->trainedModel(id));
    QVERIFY(m_view->startAction()->isEnabled());
    QVERIFY(m_view->setup()->isEnabled());

    // Usable afterwards: a quick model trains to the end.
    startRun("pop", {});
    waitIdle();
    QCOMPARE(lastRun()->status, RunStatus::Finished);
    QCOMPARE(lastRun()->config.model, std::string("pop"));
}

void TestTrainingView::pauseHoldsTheRun() {
    startRun("bpr", {{"epochs", "200"}, {"patience", "0"}});
    QTRY_VERIFY_WITH_TIMEOUT(m_view->currentRunId() != 0, 30000);
    const qint64 id = m_view->currentRunId();
    QTRY_VERIFY_WITH_TIMEOUT(m_view->pauseAction()->isEnabled(), 60000);
    m_view->pauseAction()->trigger();
    QVERIFY(m_view->isPaused());
    QCOMPARE(m_view->pauseAction()->iconText(), QStringLiteral("Resume"));
    // The worker blocks after its current batch: the count settles and then stays.
    QTest::qWait(400);
    const int held = m_view->lossChart()->rawPointCount(id);
    QTest::qWait(600);
    QCOMPARE(m_view->lossChart()->rawPointCount(id), held);
    QVERIFY(m_view->isTraining());
    QCOMPARE(m_workspace->run(id)->status, RunStatus::Running);

    m_view->pauseAction()->trigger();  // resume
    QVERIFY(!m_view->isPaused());
    QTRY_VERIFY_WITH_TIMEOUT(m_view->lossChart()->rawPointCount(id) > held, 30000);

    // Stop while paused ends the run too.
    m_view->pauseAction()->trigger();
    m_view->stopAction()->trigger();
    waitIdle();
    QCOMPARE(m_workspace->run(id)->status, RunStatus::Cancelled);
}

void TestTrainingView::hugeLearningRateFails() {
    QSignalSpy errors(m_view.get(), &TrainingView::errorOccurred);
    startRun("bpr", {{"epochs", "3"}, {"lr", "10"}});
    waitIdle();
    QCOMPARE(errors.count(), 1);
    const QString message = errors.at(0).at(0).toString();
    QVERIFY2(message.contains("NaN") || message.contains("Inf"), qPrintable(message));
    QCOMPARE(lastRun()->status, RunStatus::Failed);
    QVERIFY(QString::fromStdString(lastRun()->message).contains("learning rate"));
    QVERIFY(m_view->startAction()->isEnabled());
}

void TestTrainingView::missingCudaFails() {
    if (BuildInfo::cudaDeviceCount() > 0)
        QSKIP("a CUDA device is present");
    auto* devices = m_view->setup()->deviceCombo();
    QCOMPARE(devices->count(), 1);  // CPU only: no CUDA entry is offered
    // A stale entry (as from settings of another machine) must fail cleanly.
    devices->addItem("CUDA 0", "cuda:0");
    devices->setCurrentIndex(1);
    QSignalSpy errors(m_view.get(), &TrainingView::errorOccurred);
    startRun("bpr", {{"epochs", "1"}, {"lr", "0.05"}});
    waitIdle();
    devices->removeItem(1);
    QCOMPARE(errors.count(), 1);
    QVERIFY2(errors.at(0).at(0).toString().contains("CUDA", Qt::CaseInsensitive),
             qPrintable(errors.at(0).at(0).toString()));
    QCOMPARE(lastRun()->status, RunStatus::Failed);
    QCOMPARE(lastRun()->config.device, std::string("cuda:0"));
}

void TestTrainingView::toggleRunsFromLegendAndList() {
    const qint64 id = m_finishedRun;
    QVERIFY(id != 0);
    TrainingRunsModel* model = m_view->runsModel();
    const int row = model->rowOf(id);
    QVERIFY(row >= 0);
    QVERIFY(model->isShown(id));
    LossChart* chart = m_view->lossChart();
    chart->flush();
    chart->plot()->replot(QCustomPlot::rpImmediateRefresh);

    // Clicking the run's legend item hides it in both charts and unticks it in the list.
    QCPPlottableLegendItem* item = chart->plot()->legend->itemWithPlottable(chart->graph(id));
    QVERIFY(item);
    QTest::mouseClick(chart->plot(), Qt::LeftButton, Qt::NoModifier, item->rect().center());
    QTRY_VERIFY(!model->isShown(id));
    QCOMPARE(model->data(model->index(row), Qt::CheckStateRole).value<Qt::CheckState>(),
             Qt::Unchecked);
    QVERIFY(!chart->graph(id)->visible());
    QVERIFY(!m_view->metricChart()->graph(id)->visible());

    // The list's check box brings it back.
    QVERIFY(model->setData(model->index(row), Qt::Checked, Qt::CheckStateRole));
    QVERIFY(chart->graph(id)->visible());
    QVERIFY(m_view->metricChart()->graph(id)->visible());

    // Smoothing changes the drawn line but not the raw one.
    chart->setSmoothing(0.0);
    chart->flush();
    const double rawFirst = chart->graph(id)->data()->at(1)->value;
    chart->setSmoothing(0.9);
    chart->flush();
    QVERIFY(chart->graph(id)->data()->at(1)->value != rawFirst);
    QCOMPARE(chart->findChild<QSlider*>("lossSmoothing")->value(), 90);
}

void TestTrainingView::exportWritesFiles() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (RunChart* chart : {static_cast<RunChart*>(m_view->lossChart()),
                            static_cast<RunChart*>(m_view->metricChart())}) {
        const QString base = dir.filePath(chart->objectName());
        QString error;
        QVERIFY2(chart->exportTo(base + ".png", &error), qPrintable(error));
        QVERIFY2(chart->exportTo(base + ".svg", &error), qPrintable(error));
        QVERIFY2(chart->exportTo(base + ".pdf", &error), qPrintable(error));
        QImage png(base + ".png");
        QVERIFY(!png.isNull());
        QCOMPARE(png.width(), 2 * chart->plot()->width());
        QFile svg(base + ".svg");
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray svgText = svg.readAll();
        QVERIFY(svgText.contains("<svg"));
        QVERIFY(svgText.contains("<path") || svgText.contains("<polyline"));
        QFile pdf(base + ".pdf");
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.read(5) == "%PDF-");
        QVERIFY(pdf.size() > 1000);
        QVERIFY(!chart->exportTo(base + ".bmp", &error));
        QVERIFY(error.contains(".png"));
    }
    // Through the chart's Export menu, with the dialog answered in advance.
    const QString path = dir.filePath("from-menu.svg");
    FileDialog::instance().setNextPath(path);
    auto* action = m_view->findChild<QAction*>("lossChartExport_svg");
    QVERIFY(action);
    action->trigger();
    QVERIFY(QFileInfo(path).size() > 0);
}

void TestTrainingView::secondViewRestoresRuns() {
    // Another session on the same folder sees every run with its history.
    WorkspaceSession reopened;
    QVERIFY(reopened.open(m_workspace->folder()));
    TrainingView view(m_datasets.get(), &reopened);
    QAbstractItemModelTester tester(view.runsModel(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(view.runsModel()->rowCount(), int(m_workspace->runs().size()));
    QCOMPARE(view.runsModel()->runId(0), m_workspace->runs().back().id);  // newest first
    const RunRecord* finished = reopened.run(m_finishedRun);
    QVERIFY(finished);
    QCOMPARE(finished->status, RunStatus::Finished);
    view.lossChart()->flush();
    // No batch record on disk: the loss chart shows one point per epoch.
    QCOMPARE(view.lossChart()->rawPointCount(m_finishedRun), 0);
    QCOMPARE(view.lossChart()->graph(m_finishedRun)->data()->size(), int(finished->epochs.size()));
    QVERIFY(!view.trainedModel(m_finishedRun));
}

// The protocol box offers the list rule; it survives a protocol change and is what the
// recorded run says, together with what the model was fitted on.
void TestTrainingView::excludeChoiceReachesTheRun() {
    auto* exclude = m_view->findChild<QComboBox*>("excludeCombo");
    auto* protocol = m_view->findChild<QComboBox*>("protocolCombo");
    QVERIFY(exclude && protocol);
    QCOMPARE(exclude->count(), 2);
    exclude->setCurrentIndex(exclude->findData("rated"));
    protocol->setCurrentIndex(protocol->findData("loo"));
    protocol->setCurrentIndex(protocol->findData("temporal"));
    QCOMPARE(exclude->currentData().toString(), QStringLiteral("rated"));
    QVERIFY(m_view->setup()->config("demo").split.exclude == ExcludeRule::Rated);
    startRun("pop", {});
    waitIdle();
    const RunRecord* run = lastRun();
    QVERIFY(run);
    QCOMPARE(run->status, RunStatus::Finished);
    QVERIFY(run->config.split.exclude == ExcludeRule::Rated);
    QVERIFY(run->fitOnTrainAndValidation);  // pop does not stop early: train + validation
    QVERIFY(run->trainRatings > 0);
    exclude->setCurrentIndex(exclude->findData("positives"));
}

// The Threads box sets the compute threads on the training worker, and is remembered.
void TestTrainingView::threadsChoiceReachesTheWorker() {
    auto* threads = recscope::test::requireChild<QSpinBox>(m_view.get(), "threadsSpin");
    QCOMPARE(threads->value(), 0);  // all cores by default
    QCOMPARE(threads->text(), QStringLiteral("all cores"));
    threads->setValue(1);
    setComputeThreads(3);
    startRun("pop", {});
    waitIdle();
    QCOMPARE(lastRun()->status, RunStatus::Finished);
    QCOMPARE(computeThreads(), 1);
    QCOMPARE(QSettings().value("training/threads").toInt(), 1);
    threads->setValue(0);
    startRun("pop", {});
    waitIdle();
    QCOMPARE(computeThreads(), int(std::max(1u, std::thread::hardware_concurrency())));
}

QTEST_MAIN(TestTrainingView)
#include "tst_trainingview.moc"
