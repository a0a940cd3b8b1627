#pragma once
// Measures how responsive the GUI thread's event loop is: a 10 ms precise timer notes how late
// each of its ticks arrives. The longest lateness is the longest time the loop was blocked (by a
// slot, a replot, a database write ...), give or take the timer's own resolution. The training
// view runs one while a model trains; tests and benchmarks read the figure. GUI thread only.

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <vector>

namespace recscope::ui {

class EventLoopMonitor : public QObject {
    Q_OBJECT
public:
    explicit EventLoopMonitor(QObject* parent = nullptr, int intervalMs = 10);

    // Starts measuring afresh (the previous figures are cleared).
    void start();
    void stop();
    bool isRunning() const { return m_timer.isActive(); }

    // Longest lateness of a tick beyond the interval, in milliseconds, since start().
    double longestStallMs() const { return m_longestNs / 1e6; }
    // Mean tick lateness in milliseconds (the timer's own jitter when nothing blocks).
    double meanLatenessMs() const;
    // The lateness that `fraction` of the ticks (0.99: p99) did not exceed, in milliseconds, to
    // the nearest millisecond (a stall beyond kMaxBucketMs counts as kMaxBucketMs).
    double percentileStallMs(double fraction) const;
    static constexpr int kMaxBucketMs = 5000;
    qint64 ticks() const { return m_ticks; }

private:
    void onTick();

    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_intervalNs;
    qint64 m_lastNs = 0;
    qint64 m_longestNs = 0;
    qint64 m_totalLatenessNs = 0;
    qint64 m_ticks = 0;
    std::vector<qint64> m_histogram;  // ticks per whole millisecond of lateness
};

}  // namespace recscope::ui
