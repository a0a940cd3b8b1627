#pragma once
// Axis tickers for counts: labels read "950", "12k", "3.4M" instead of "1.2e+04", so axes stay
// narrow and legible for any dataset size. CountAxisTicker is linear; LogCountAxisTicker puts
// ticks at powers of ten for logarithmic axes.

#include <qcustomplot.h>

namespace recscope::ui {

class CountAxisTicker : public QCPAxisTicker {
public:
    // "0", "950", "1.5k", "12k", "3.4M", "1.2G": exact below 1,000, else 3 significant digits.
    static QString shortCount(double value);

protected:
    // Axes that end below 10,000 keep exact labels (1250, not 1.25k).
    QString getTickLabel(double tick, const QLocale& locale, QChar formatChar,
                         int precision) override;
    // Whole numbers only: a count axis never needs 2.5.
    double getTickStep(const QCPRange& range) override;

private:
    bool m_compact = false;
};

class LogCountAxisTicker : public QCPAxisTickerLog {
protected:
    QString getTickLabel(double tick, const QLocale& locale, QChar formatChar,
                         int precision) override;
};

}  // namespace recscope::ui
