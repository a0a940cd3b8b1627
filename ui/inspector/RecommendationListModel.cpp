#include "ui/inspector/RecommendationListModel.h"

#include <QBrush>
#include <QFont>
#include <algorithm>
#include <cmath>

#include "core/data/Dataset.h"
#include "ui/inspector/InspectorItemText.h"

namespace recscope::ui {

RecommendationListModel::RecommendationListModel(QObject* parent) : QAbstractTableModel(parent) {}

void RecommendationListModel::setList(std::shared_ptr<const Dataset> dataset,
                                      std::vector<RecommendedItem> list,
                                      std::vector<int> otherRanks) {
    beginResetModel();
    m_dataset = std::move(dataset);
    m_list = std::move(list);
    m_otherRanks = otherRanks.size() == m_list.size() ? std::move(otherRanks) : std::vector<int>{};
    m_minScore = m_maxScore = 0.0f;
    bool first = true;
    for (const RecommendedItem& r : m_list) {
        if (!std::isfinite(r.score))
            continue;
        m_minScore = first ? r.score : std::min(m_minScore, r.score);
        m_maxScore = first ? r.score : std::max(m_maxScore, r.score);
        first = false;
    }
    endResetModel();
}

void RecommendationListModel::clear() {
    setList(nullptr, {}, {});
}

int32_t RecommendationListModel::itemAt(int row) const {
    return row >= 0 && row < static_cast<int>(m_list.size()) ? m_list[static_cast<size_t>(row)].item
                                                             : -1;
}

QString RecommendationListModel::movementText(int rank, int otherRank) {
    if (otherRank <= 0)
        return QStringLiteral("new");
    const int up = otherRank - rank;
    if (up > 0)
        return QStringLiteral("▲%1").arg(up);
    if (up < 0)
        return QStringLiteral("▼%1").arg(-up);
    return QStringLiteral("=");
}

int RecommendationListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_list.size());
}

int RecommendationListModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RecommendationListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= ColumnCount)
        return {};
    const auto row = static_cast<size_t>(index.row());
    const RecommendedItem& r = m_list[row];
    const bool hasOther = !m_otherRanks.empty();
    const int rank = index.row() + 1;
    switch (role) {
        case ItemRole:
            return r.item;
        case HitRole:
            return r.hit;
        case ScoreRole:
            return double(r.score);
        case ScoreFractionRole:
            if (index.column() != ScoreColumn || !std::isfinite(r.score))
                return {};
            return m_maxScore > m_minScore
                       ? double(r.score - m_minScore) / (m_maxScore - m_minScore)
                       : 1.0;
        case OtherRankRole:
            return hasOther ? QVariant(m_otherRanks[row]) : QVariant();
        case Qt::BackgroundRole:
            return r.hit ? QBrush(InspectorItemText::hitColour()) : QVariant();
        case Qt::FontRole:
            if (r.hit) {
                QFont bold;
                bold.setBold(true);
                return bold;
            }
            return {};
        case Qt::ForegroundRole:
            if (index.column() == MoveColumn && hasOther) {
                const int other = m_otherRanks[row];
                if (other <= 0)
                    return QBrush(QColor(40, 110, 220));
                if (other > rank)
                    return QBrush(QColor(30, 150, 60));
                if (other < rank)
                    return QBrush(QColor(200, 50, 50));
            }
            return {};
        case Qt::TextAlignmentRole:
            if (index.column() == RankColumn || index.column() == MoveColumn)
                return int(Qt::AlignCenter);
            return {};
        case Qt::ToolTipRole:
            if (r.hit)
                return tr(
                    "Test hit: the user rated this movie positively after the training "
                    "period");
            if (index.column() == MoveColumn && hasOther)
                return m_otherRanks[row] > 0
                           ? tr("Rank %1 in the other list").arg(m_otherRanks[row])
                           : tr("Not in the other list's top %1").arg(rowCount());
            return {};
        case Qt::DisplayRole:
            break;
        default:
            return {};
    }
    switch (index.column()) {
        case RankColumn:
            return rank;
        case TitleColumn:
            return m_dataset ? InspectorItemText::title(*m_dataset, r.item)
                             : QString::number(r.item);
        case GenresColumn:
            return m_dataset ? InspectorItemText::genres(*m_dataset, r.item) : QString();
        case ScoreColumn:
            return QString::number(double(r.score), 'f', 3);
        case MoveColumn:
            return hasOther ? movementText(rank, m_otherRanks[row]) : QString();
        default:
            return {};
    }
}

QVariant RecommendationListModel::headerData(int section, Qt::Orientation orientation,
                                             int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
        case RankColumn:
            return tr("#");
        case TitleColumn:
            return tr("Title");
        case GenresColumn:
            return tr("Genres");
        case ScoreColumn:
            return tr("Score");
        case MoveColumn:
            return tr("vs other");
        default:
            return {};
    }
}

}  // namespace recscope::ui
