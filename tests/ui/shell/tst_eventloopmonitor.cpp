// EventLoopMonitor: a deliberate block of the GUI thread shows as the longest stall and as the
// top percentile, while the median stays at the timer's own jitter.

#include <QtTest>

#include <QThread>
#include <QTimer>
#include <cmath>

#include "ui/shell/EventLoopMonitor.h"

using namespace recscope::ui;

class TestEventLoopMonitor : public QObject {
    Q_OBJECT

private slots:
    void blockShowsInLongestAndPercentiles() {
        EventLoopMonitor monitor;
        QCOMPARE(monitor.percentileStallMs(0.99), 0.0);  // nothing measured yet
        monitor.start();
        QTimer::singleShot(600, [] { QThread::msleep(160); });
        QTest::qWait(1200);
        monitor.stop();
        QVERIFY(monitor.ticks() > 20);
        QVERIFY2(monitor.longestStallMs() >= 140.0,
                 qPrintable(QString::number(monitor.longestStallMs())));
        // The worst tick is the block: the 100th percentile is the longest stall (whole ms).
        QCOMPARE(monitor.percentileStallMs(1.0), std::floor(monitor.longestStallMs()));
        // One tick in many: the median is far below it.
        QVERIFY2(monitor.percentileStallMs(0.5) < 100.0,
                 qPrintable(QString::number(monitor.percentileStallMs(0.5))));
        QVERIFY(monitor.percentileStallMs(0.5) <= monitor.percentileStallMs(0.99));
        QVERIFY(monitor.percentileStallMs(0.99) <= monitor.percentileStallMs(1.0));

        const qint64 firstTicks = monitor.ticks();
        monitor.start();  // afresh: the first measurement's ticks are gone
        QTest::qWait(200);
        monitor.stop();
        QVERIFY(monitor.ticks() > 0 && monitor.ticks() < firstTicks);
    }
};

QTEST_MAIN(TestEventLoopMonitor)
#include "tst_eventloopmonitor.moc"
