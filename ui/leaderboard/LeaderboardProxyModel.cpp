#include "ui/leaderboard/LeaderboardProxyModel.h"

#include "ui/leaderboard/LeaderboardModel.h"

namespace recscope::ui {

LeaderboardProxyModel::LeaderboardProxyModel(QObject* parent) : QSortFilterProxyModel(parent) {
    setSortRole(LeaderboardModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setSortLocaleAware(true);
}

void LeaderboardProxyModel::setShowValidationRuns(bool show) {
    if (show == m_showValidation)
        return;
    m_showValidation = show;
    invalidateFilter();
}

bool LeaderboardProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    if (m_showValidation)
        return true;
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    return !index.data(LeaderboardModel::ValidationRole).toBool();
}

bool LeaderboardProxyModel::lessThan(const QModelIndex& left, const QModelIndex& right) const {
    // Published figures stay below the runs in either order.
    const bool leftRef = left.data(LeaderboardModel::ReferenceRole).toBool();
    const bool rightRef = right.data(LeaderboardModel::ReferenceRole).toBool();
    if (leftRef != rightRef)
        return sortOrder() == Qt::AscendingOrder ? rightRef : leftRef;
    const QVariant l = left.data(sortRole());
    const QVariant r = right.data(sortRole());
    const bool leftMissing = !l.isValid();
    const bool rightMissing = !r.isValid();
    if (leftMissing || rightMissing) {
        if (leftMissing && rightMissing)
            return false;
        // Descending sorts call lessThan(right, left), so "missing is smaller" puts it last.
        return sortOrder() == Qt::AscendingOrder ? rightMissing : leftMissing;
    }
    if (l.typeId() == QMetaType::Double && r.typeId() == QMetaType::Double)
        return l.toDouble() < r.toDouble();
    return QSortFilterProxyModel::lessThan(left, right);
}

}  // namespace recscope::ui
