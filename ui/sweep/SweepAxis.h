#pragma once
// How the sweep view places one swept parameter on a chart axis: numbers as numbers (on a log
// scale when the sweep drew them on one: --log, --log-uniform, or a list of positive numbers
// spanning two decades or more), anything else as categories in the order first met.

#include <QString>
#include <QStringList>
#include <string>

#include "core/sweep/SweepResults.h"

namespace recscope::ui {

struct SweepAxis {
    QString name;
    bool numeric = true;
    bool log = false;
    QStringList categories;  // non-numeric values, first met first
    double min = 0.0;        // numeric: smallest and largest value of the trials
    double max = 0.0;

    static SweepAxis forParam(const SweepResults& results, const std::string& param);

    // Data coordinate: the number itself, or the category's index; NaN when not placeable.
    double coordinate(const std::string& value) const;
    // 0..1 along the axis (in log space when log); 0.5 when the axis has one value.
    double normalized(const std::string& value) const;
    // The value at either end, as text ("0.001", "uniform").
    QString endText(bool top) const;
};

}  // namespace recscope::ui
