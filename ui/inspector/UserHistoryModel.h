#pragma once
// A user's ratings as the run split them: title, year, genres, rating, date (UTC) and the part
// (train / validation / test, tinted; test rows are what a list can hit). Read-only; reset as a
// whole by setHistory(). GUI thread only.

#include <QAbstractTableModel>
#include <memory>
#include <vector>

#include "core/inspect/UserInspection.h"

namespace recscope {
class Dataset;
}

namespace recscope::ui {

class UserHistoryModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        TitleColumn,
        YearColumn,
        GenresColumn,
        RatingColumn,
        DateColumn,
        PartColumn,
        ColumnCount
    };
    enum Role {
        ItemRole = Qt::UserRole + 1,  // int dense item id
        PartRole,                     // int HistoryPart
        PositiveRole,                 // bool rating >= the split's threshold
    };

    explicit UserHistoryModel(QObject* parent = nullptr);

    void setHistory(std::shared_ptr<const Dataset> dataset, std::vector<HistoryRow> rows);
    const std::vector<HistoryRow>& rows() const { return m_rows; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const Dataset> m_dataset;
    std::vector<HistoryRow> m_rows;
};

}  // namespace recscope::ui
