#include "ui/shell/EventLoopMonitor.h"

#include <algorithm>
#include <cmath>

namespace recscope::ui {

EventLoopMonitor::EventLoopMonitor(QObject* parent, int intervalMs)
    : QObject(parent), m_intervalNs(qint64(intervalMs) * 1000000) {
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &EventLoopMonitor::onTick);
}

void EventLoopMonitor::start() {
    m_longestNs = 0;
    m_totalLatenessNs = 0;
    m_ticks = 0;
    m_histogram.assign(size_t(kMaxBucketMs) + 1, 0);
    m_clock.start();
    m_lastNs = 0;
    m_timer.start();
}

void EventLoopMonitor::stop() {
    m_timer.stop();
}

double EventLoopMonitor::meanLatenessMs() const {
    return m_ticks ? double(m_totalLatenessNs) / double(m_ticks) / 1e6 : 0.0;
}

void EventLoopMonitor::onTick() {
    const qint64 now = m_clock.nsecsElapsed();
    const qint64 late = std::max<qint64>(0, now - m_lastNs - m_intervalNs);
    m_lastNs = now;
    m_longestNs = std::max(m_longestNs, late);
    m_totalLatenessNs += late;
    ++m_ticks;
    m_histogram[size_t(std::min<qint64>(late / 1000000, kMaxBucketMs))] += 1;
}

double EventLoopMonitor::percentileStallMs(double fraction) const {
    if (m_ticks == 0)
        return 0.0;
    const qint64 needed = std::max<qint64>(1, qint64(std::ceil(fraction * double(m_ticks))));
    qint64 seen = 0;
    for (size_t ms = 0; ms < m_histogram.size(); ++ms) {
        seen += m_histogram[ms];
        if (seen >= needed)
            return double(ms);
    }
    return double(kMaxBucketMs);
}

}  // namespace recscope::ui
