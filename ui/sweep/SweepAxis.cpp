#include "ui/sweep/SweepAxis.h"

#include <QLocale>
#include <cmath>
#include <limits>

namespace recscope::ui {

namespace {

bool asNumber(const std::string& text, double* out) {
    bool ok = false;
    const double v = QString::fromStdString(text).toDouble(&ok);  // C locale, as the core writes
    if (ok && std::isfinite(v))
        *out = v;
    return ok && std::isfinite(v);
}

}  // namespace

SweepAxis SweepAxis::forParam(const SweepResults& results, const std::string& param) {
    SweepAxis axis;
    axis.name = QString::fromStdString(param);
    SweepDimension::Kind kind = SweepDimension::Kind::List;
    for (const SweepDimension& d : results.spec.dimensions)
        if (d.param == param)
            kind = d.kind;
    bool first = true;
    for (const SweepRow& row : results.rows) {
        const auto it = row.params.find(param);
        if (it == row.params.end())
            continue;
        double v = 0;
        if (!asNumber(it->second, &v))
            axis.numeric = false;
        if (!axis.categories.contains(QString::fromStdString(it->second)))
            axis.categories << QString::fromStdString(it->second);
        if (axis.numeric) {
            axis.min = first ? v : std::min(axis.min, v);
            axis.max = first ? v : std::max(axis.max, v);
            first = false;
        }
    }
    if (!axis.numeric) {
        axis.min = 0;
        axis.max = std::max(0, int(axis.categories.size()) - 1);
        return axis;
    }
    axis.categories.clear();
    const bool logKind =
        kind == SweepDimension::Kind::Log || kind == SweepDimension::Kind::LogUniform;
    axis.log = axis.min > 0 &&
               (logKind || (kind == SweepDimension::Kind::List && axis.max / axis.min >= 100.0));
    return axis;
}

double SweepAxis::coordinate(const std::string& value) const {
    if (!numeric) {
        const int i = int(categories.indexOf(QString::fromStdString(value)));
        return i < 0 ? std::numeric_limits<double>::quiet_NaN() : double(i);
    }
    double v = 0;
    return asNumber(value, &v) ? v : std::numeric_limits<double>::quiet_NaN();
}

double SweepAxis::normalized(const std::string& value) const {
    const double c = coordinate(value);
    if (!std::isfinite(c))
        return std::numeric_limits<double>::quiet_NaN();
    const auto f = [this](double x) { return log ? std::log10(x) : x; };
    const double lo = f(min);
    const double hi = f(max);
    return hi > lo ? (f(c) - lo) / (hi - lo) : 0.5;
}

QString SweepAxis::endText(bool top) const {
    if (!numeric)
        return categories.isEmpty() ? QString() : (top ? categories.last() : categories.first());
    return QString::number(top ? max : min, 'g', 4);
}

}  // namespace recscope::ui
