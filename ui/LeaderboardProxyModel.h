#pragma once
// Sorts the leaderboard by LeaderboardModel::SortRole: numbers as numbers, text without case,
// and cells without a value (a running or failed run's metrics) last in either order, so a
// descending sort puts the best runs on top instead of the empty ones.

#include <QSortFilterProxyModel>

namespace recscope::ui {

class LeaderboardProxyModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit LeaderboardProxyModel(QObject* parent = nullptr);

protected:
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;
};

}  // namespace recscope::ui
