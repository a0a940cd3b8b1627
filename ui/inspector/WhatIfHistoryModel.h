#pragma once
// The what-if user's ratings: title, year, genres, rating (editable, 0.5-5 in half stars).
// An item appears once; adding it again changes its rating. Every change is announced by the
// one `historyChanged` signal (after the model's own row signals). GUI thread only.

#include <QAbstractTableModel>
#include <memory>
#include <vector>

#include "core/models/Recommender.h"

namespace recscope {
class Dataset;
}

namespace recscope::ui {

class WhatIfHistoryModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { TitleColumn, YearColumn, GenresColumn, RatingColumn, ColumnCount };
    enum Role { ItemRole = Qt::UserRole + 1 };  // int dense item id

    struct Rating {
        int32_t item = 0;
        float rating = 0.0f;
    };

    explicit WhatIfHistoryModel(QObject* parent = nullptr);

    void setDataset(std::shared_ptr<const Dataset> dataset);  // clears the ratings
    // Adds (or re-rates) `item`; ratings are clamped to 0.5..5 and rounded to half stars.
    // False for an item outside the dataset.
    bool addRating(int32_t item, float rating);
    bool removeItem(int32_t item);
    void setRatings(const std::vector<Rating>& ratings);
    void clearRatings();
    const std::vector<Rating>& ratings() const { return m_ratings; }
    int rowOf(int32_t item) const;  // -1 when absent

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    bool removeRows(int row, int count, const QModelIndex& parent = {}) override;

    static float normalised(double rating);

signals:
    void historyChanged();

private:
    std::shared_ptr<const Dataset> m_dataset;
    std::vector<Rating> m_ratings;  // in the order they were added
};

}  // namespace recscope::ui
