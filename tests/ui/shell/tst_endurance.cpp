// Endurance: start a training run and cancel it 100 times in one process, the way an impatient
// user would. Every cycle must end (no hang), be recorded as cancelled, and leave the view ready
// for the next; resident memory after the last cycle must stay within 10% of what it was after
// the tenth (the first cycles pay for LibTorch's and Qt's one-time allocations). The figures are
// printed for the report.

#include <QtTest>

#include <QComboBox>
#include <QFile>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <memory>

#include "core/data/SyntheticGenerator.h"
#include "ui/session/DatasetSession.h"
#include "ui/session/WorkspaceSession.h"
#include "ui/training/LossChart.h"
#include "ui/training/ParamForm.h"
#include "ui/training/TrainingView.h"

using namespace recscope;
using namespace recscope::ui;

namespace {

// Resident set size in KiB from /proc/self/status (Linux), 0 when unavailable.
qint64 residentKiB() {
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray& line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    return 0;
}

}  // namespace

class TestEndurance : public QObject {
    Q_OBJECT

private slots:
    void startAndCancelHundredTimes();
};

void TestEndurance::startAndCancelHundredTimes() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    QStandardPaths::setTestModeEnabled(true);
    qputenv("RECSCOPE_CACHE_DIR", tmp.filePath("cache").toUtf8());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, tmp.filePath("settings"));

    DatasetSession datasets;
    WorkspaceSession workspace;
    QString error;
    QVERIFY2(workspace.open(tmp.filePath("workspace"), &error), qPrintable(error));
    TrainingView view(&datasets, &workspace);
    view.resize(1000, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));

    // A small generated dataset keeps each cycle short; the cycle is the same as on big data.
    SyntheticConfig config;
    config.users = 300;
    config.items = 400;
    config.ratings = 15000;
    datasets.openSynthetic(config, QStringLiteral("endurance"));
    QTRY_VERIFY_WITH_TIMEOUT(datasets.dataset() != nullptr, 60000);

    auto* combo = view.findChild<QComboBox*>("modelCombo");
    QVERIFY(combo);
    combo->setCurrentIndex(combo->findData("bpr"));
    QVERIFY(
        view.paramForm()->setValues({{"epochs", "500"}, {"patience", "0"}, {"batch_size", "256"}}));

    constexpr int kCycles = 100;
    qint64 afterTenth = 0, afterLast = 0;
    QElapsedTimer clock;
    clock.start();
    for (int cycle = 1; cycle <= kCycles; ++cycle) {
        view.startAction()->trigger();
        QVERIFY2(view.isTraining(),
                 qPrintable(QStringLiteral("cycle %1 did not start").arg(cycle)));
        // Cancel at varying points: before the run is recorded, and after some batches.
        if (cycle % 2 == 0) {
            QTRY_VERIFY_WITH_TIMEOUT(view.currentRunId() != 0, 30000);
            const qint64 id = view.currentRunId();
            QTRY_VERIFY_WITH_TIMEOUT(view.lossChart()->rawPointCount(id) > 0, 30000);
        }
        view.stopAction()->trigger();
        QTRY_VERIFY2_WITH_TIMEOUT(!view.isTraining(),
                                  qPrintable(QStringLiteral("cycle %1 hung").arg(cycle)), 30000);
        if (cycle == 10)
            afterTenth = residentKiB();
    }
    QCoreApplication::processEvents();
    afterLast = residentKiB();

    // Every recorded run ended cancelled (a cycle stopped before recording leaves no row).
    int cancelled = 0;
    for (const RunRecord& run : workspace.runs()) {
        QCOMPARE(run.status, RunStatus::Cancelled);
        ++cancelled;
    }
    QVERIFY(cancelled >= kCycles / 2);
    qInfo(
        "endurance: %d start/cancel cycles in %.1f s, %d runs recorded cancelled; resident "
        "memory after cycle 10: %lld KiB, after cycle %d: %lld KiB (%+.1f%%)",
        kCycles, clock.elapsed() / 1000.0, cancelled, afterTenth, kCycles, afterLast,
        afterTenth ? 100.0 * double(afterLast - afterTenth) / double(afterTenth) : 0.0);
#if defined(__SANITIZE_ADDRESS__)
    // AddressSanitizer keeps freed blocks in quarantine, so resident memory grows by design;
    // its own heap checks stand in for this one.
    const bool measureGrowth = false;
#else
    const bool measureGrowth = true;
#endif
    if (measureGrowth && afterTenth > 0)
        QVERIFY2(afterLast <= afterTenth * 11 / 10, "resident memory grew by more than 10%");

    // The view is still usable: one more run trains to the end.
    QVERIFY(view.paramForm()->setValues({{"epochs", "1"}}));
    view.startAction()->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(!view.isTraining(), 60000);
    QCOMPARE(workspace.runs().back().status, RunStatus::Finished);
}

QTEST_MAIN(TestEndurance)
#include "tst_endurance.moc"
