#include "ui/inspector/WhatIfHistoryModel.h"

#include <algorithm>
#include <cmath>

#include "core/data/Dataset.h"
#include "ui/inspector/InspectorItemText.h"

namespace recscope::ui {

WhatIfHistoryModel::WhatIfHistoryModel(QObject* parent) : QAbstractTableModel(parent) {}

float WhatIfHistoryModel::normalised(double rating) {
    const double clamped = std::clamp(std::isfinite(rating) ? rating : 0.5, 0.5, 5.0);
    return static_cast<float>(std::round(clamped * 2.0) / 2.0);
}

void WhatIfHistoryModel::setDataset(std::shared_ptr<const Dataset> dataset) {
    beginResetModel();
    m_dataset = std::move(dataset);
    m_ratings.clear();
    endResetModel();
    emit historyChanged();
}

int WhatIfHistoryModel::rowOf(int32_t item) const {
    for (size_t i = 0; i < m_ratings.size(); ++i)
        if (m_ratings[i].item == item)
            return static_cast<int>(i);
    return -1;
}

bool WhatIfHistoryModel::addRating(int32_t item, float rating) {
    if (!m_dataset || item < 0 || item >= m_dataset->numItems())
        return false;
    const float r = normalised(rating);
    if (const int row = rowOf(item); row >= 0) {
        if (m_ratings[static_cast<size_t>(row)].rating == r)
            return true;
        m_ratings[static_cast<size_t>(row)].rating = r;
        emit dataChanged(index(row, RatingColumn), index(row, RatingColumn));
    } else {
        const int last = rowCount();
        beginInsertRows({}, last, last);
        m_ratings.push_back({item, r});
        endInsertRows();
    }
    emit historyChanged();
    return true;
}

bool WhatIfHistoryModel::removeItem(int32_t item) {
    const int row = rowOf(item);
    return row >= 0 && removeRows(row, 1);
}

void WhatIfHistoryModel::setRatings(const std::vector<Rating>& ratings) {
    beginResetModel();
    m_ratings.clear();
    for (const Rating& r : ratings)
        if (m_dataset && r.item >= 0 && r.item < m_dataset->numItems() && rowOf(r.item) < 0)
            m_ratings.push_back({r.item, normalised(r.rating)});
    endResetModel();
    emit historyChanged();
}

void WhatIfHistoryModel::clearRatings() {
    setRatings({});
}

int WhatIfHistoryModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_ratings.size());
}

int WhatIfHistoryModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant WhatIfHistoryModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= ColumnCount)
        return {};
    const Rating& r = m_ratings[static_cast<size_t>(index.row())];
    if (role == ItemRole)
        return r.item;
    if (role == Qt::EditRole && index.column() == RatingColumn)
        return double(r.rating);
    if (role == Qt::TextAlignmentRole &&
        (index.column() == RatingColumn || index.column() == YearColumn))
        return int(Qt::AlignCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
        case TitleColumn:
            return InspectorItemText::title(*m_dataset, r.item);
        case YearColumn:
            return InspectorItemText::year(*m_dataset, r.item);
        case GenresColumn:
            return InspectorItemText::genres(*m_dataset, r.item);
        case RatingColumn:
            return InspectorItemText::rating(r.rating);
        default:
            return {};
    }
}

QVariant WhatIfHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const {
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
        default:
            return {};
    }
}

Qt::ItemFlags WhatIfHistoryModel::flags(const QModelIndex& index) const {
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == RatingColumn)
        f |= Qt::ItemIsEditable;
    return f;
}

bool WhatIfHistoryModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (!index.isValid() || index.row() >= rowCount() || index.column() != RatingColumn ||
        role != Qt::EditRole)
        return false;
    bool ok = false;
    const double v = value.toDouble(&ok);
    if (!ok)
        return false;
    return addRating(m_ratings[static_cast<size_t>(index.row())].item, static_cast<float>(v));
}

bool WhatIfHistoryModel::removeRows(int row, int count, const QModelIndex& parent) {
    if (parent.isValid() || row < 0 || count < 1 || row + count > rowCount())
        return false;
    beginRemoveRows({}, row, row + count - 1);
    m_ratings.erase(m_ratings.begin() + row, m_ratings.begin() + row + count);
    endRemoveRows();
    emit historyChanged();
    return true;
}

}  // namespace recscope::ui
