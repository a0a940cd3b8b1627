#include "ui/widgets/CountAxisTicker.h"

#include <cmath>

namespace recscope::ui {

QString CountAxisTicker::shortCount(double value) {
    if (std::abs(value) < 1000)
        return QString::number(std::llround(value));
    // Round to three significant digits first, so 999,999 becomes "1M", not "1e+03k".
    const double scale = std::pow(10.0, std::floor(std::log10(std::abs(value))) - 2);
    value = std::round(value / scale) * scale;
    const double magnitude = std::abs(value);
    struct Unit {
        double size;
        const char* suffix;
    };
    static const Unit units[] = {{1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
    for (const Unit& unit : units) {
        // Three significant digits: 1.5k, 12k, 123k, 1.23M.
        if (magnitude >= unit.size)
            return QString::number(value / unit.size, 'g', 3) + QLatin1String(unit.suffix);
    }
    return QString::number(std::llround(value));
}

QString CountAxisTicker::getTickLabel(double tick, const QLocale&, QChar, int) {
    return m_compact ? shortCount(tick) : QString::number(std::llround(tick));
}

double CountAxisTicker::getTickStep(const QCPRange& range) {
    // QCPAxisTicker::generate asks for the step before any label, once per axis layout.
    m_compact = std::max(std::abs(range.lower), std::abs(range.upper)) >= 10000;
    return std::max(1.0, QCPAxisTicker::getTickStep(range));
}

QString LogCountAxisTicker::getTickLabel(double tick, const QLocale&, QChar, int) {
    return CountAxisTicker::shortCount(tick);
}

}  // namespace recscope::ui
