#pragma once
// Sorts the leaderboard by LeaderboardModel::SortRole: numbers as numbers, text without case,
// and cells without a value (a running or failed run's metrics) last in either order, so a
// descending sort puts the best runs on top instead of the empty ones. Sweep trials (runs scored
// on validation) are filtered out unless asked for; reference rows (published figures) stay last.

#include <QSortFilterProxyModel>

namespace recscope::ui {

class LeaderboardProxyModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit LeaderboardProxyModel(QObject* parent = nullptr);

    // Runs scored on the validation part (sweep trials) are hidden unless shown.
    void setShowValidationRuns(bool show);
    bool showValidationRuns() const { return m_showValidation; }

protected:
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    bool m_showValidation = false;
};

}  // namespace recscope::ui
