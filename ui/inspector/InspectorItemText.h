#pragma once
// How the inspector's tables show an item (title, year, genres) and a rating. Pure functions
// over a Dataset's metadata; safe from any thread.

#include <QColor>
#include <QString>
#include <cstdint>

namespace recscope {
class Dataset;
enum class HistoryPart;
}  // namespace recscope

namespace recscope::ui {

class InspectorItemText {
public:
    // The title, or "Item <original id>" when the dataset has none.
    static QString title(const Dataset& data, int32_t item);
    // "" when unknown.
    static QString year(const Dataset& data, int32_t item);
    // "Action, Comedy" (genre names in bit order).
    static QString genres(const Dataset& data, int32_t item);
    // "4", "3.5" (half stars keep their half).
    static QString rating(float rating);
    // "Train", "Validation", "Test".
    static QString partName(HistoryPart part);
    // Background tint of a split part (train: none) and of a test hit, light enough for text.
    static QColor partColour(HistoryPart part);
    static QColor hitColour();
};

}  // namespace recscope::ui
