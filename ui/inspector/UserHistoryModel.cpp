#include "ui/inspector/UserHistoryModel.h"

#include <QBrush>
#include <QDateTime>

#include "core/data/Dataset.h"
#include "ui/inspector/InspectorItemText.h"

namespace recscope::ui {

UserHistoryModel::UserHistoryModel(QObject* parent) : QAbstractTableModel(parent) {}

void UserHistoryModel::setHistory(std::shared_ptr<const Dataset> dataset,
                                  std::vector<HistoryRow> rows) {
    beginResetModel();
    m_dataset = std::move(dataset);
    m_rows = m_dataset ? std::move(rows) : std::vector<HistoryRow>{};
    endResetModel();
}

int UserHistoryModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int UserHistoryModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant UserHistoryModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= ColumnCount)
        return {};
    const HistoryRow& r = m_rows[static_cast<size_t>(index.row())];
    switch (role) {
        case ItemRole:
            return r.item;
        case PartRole:
            return static_cast<int>(r.part);
        case PositiveRole:
            return r.positive;
        case Qt::BackgroundRole: {
            const QColor c = InspectorItemText::partColour(r.part);
            return c.isValid() ? QVariant(QBrush(c)) : QVariant();
        }
        case Qt::TextAlignmentRole:
            if (index.column() == RatingColumn || index.column() == YearColumn)
                return int(Qt::AlignCenter);
            return {};
        case Qt::ToolTipRole:
            if (index.column() == PartColumn)
                return r.part == HistoryPart::Test
                           ? (r.positive ? tr("Held out for testing: a list that recommends it "
                                              "scores a hit")
                                         : tr("Held out for testing, but rated below the "
                                              "positive threshold"))
                       : r.part == HistoryPart::Validation
                           ? tr("Held out to choose the epoch (or merged into training "
                                "for models that do not stop early)")
                           : tr("Seen by the model during training");
            return {};
        case Qt::DisplayRole:
            break;
        default:
            return {};
    }
    switch (index.column()) {
        case TitleColumn:
            return InspectorItemText::title(*m_dataset, r.item);
        case YearColumn:
            return InspectorItemText::year(*m_dataset, r.item);
        case GenresColumn:
            return InspectorItemText::genres(*m_dataset, r.item);
        case RatingColumn:
            return InspectorItemText::rating(r.rating);
        case DateColumn:
            return QDateTime::fromSecsSinceEpoch(r.timestamp, Qt::UTC)
                .toString(QStringLiteral("yyyy-MM-dd"));
        case PartColumn:
            return InspectorItemText::partName(r.part);
        default:
            return {};
    }
}

QVariant UserHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
        case TitleColumn:
            return tr("Title");
        case YearColumn:
            return tr("Year");
        case GenresColumn:
            return tr("Genres");
        case RatingColumn:
            return tr("Rating");
        case DateColumn:
            return tr("Date");
        case PartColumn:
            return tr("Part");
        default:
            return {};
    }
}

}  // namespace recscope::ui
