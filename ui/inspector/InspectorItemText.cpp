#include "ui/inspector/InspectorItemText.h"

#include <QObject>
#include <QStringList>

#include "core/data/Dataset.h"
#include "core/inspect/UserInspection.h"

namespace recscope::ui {

QString InspectorItemText::title(const Dataset& data, int32_t item) {
    const auto& titles = data.itemMetadata().titles;
    if (item >= 0 && item < static_cast<int32_t>(titles.size()) &&
        !titles[static_cast<size_t>(item)].empty())
        return QString::fromStdString(titles[static_cast<size_t>(item)]);
    if (item >= 0 && item < data.numItems())
        return QObject::tr("Item %1").arg(data.originalItemId(item));
    return QObject::tr("Item ?");
}

QString InspectorItemText::year(const Dataset& data, int32_t item) {
    const auto& years = data.itemMetadata().years;
    if (item < 0 || item >= static_cast<int32_t>(years.size()) ||
        years[static_cast<size_t>(item)] <= 0)
        return {};
    return QString::number(years[static_cast<size_t>(item)]);
}

QString InspectorItemText::genres(const Dataset& data, int32_t item) {
    const ItemMetadata& meta = data.itemMetadata();
    if (item < 0 || item >= static_cast<int32_t>(meta.genreMasks.size()))
        return {};
    const uint32_t mask = meta.genreMasks[static_cast<size_t>(item)];
    QStringList names;
    for (size_t g = 0; g < meta.genreNames.size() && g < 32; ++g)
        if (mask & (1u << g))
            names << QString::fromStdString(meta.genreNames[g]);
    return names.join(QStringLiteral(", "));
}

QString InspectorItemText::rating(float rating) {
    return QString::number(double(rating), 'g', 3);
}

QString InspectorItemText::partName(HistoryPart part) {
    switch (part) {
        case HistoryPart::Train:
            return QObject::tr("Train");
        case HistoryPart::Validation:
            return QObject::tr("Validation");
        case HistoryPart::Test:
            return QObject::tr("Test");
    }
    return {};
}

QColor InspectorItemText::partColour(HistoryPart part) {
    switch (part) {
        case HistoryPart::Train:
            return {};
        case HistoryPart::Validation:
            return QColor(255, 214, 102, 110);  // amber
        case HistoryPart::Test:
            return hitColour();
    }
    return {};
}

QColor InspectorItemText::hitColour() {
    return QColor(102, 204, 120, 120);  // green, translucent so dark themes keep their text
}

}  // namespace recscope::ui
