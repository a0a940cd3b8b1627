#pragma once
// One recommendation list of the inspector: rank, title, genres, score (drawn as a bar through
// ScoreFractionRole) and the movement against the other list ("▲3": three places higher here
// than there, "▼2", "=", "new": not in the other list; empty when there is no other list).
// Test hits are tinted and HitRole true. Read-only; reset as a whole by setList(). GUI thread.

#include <QAbstractTableModel>
#include <QVector>
#include <memory>

#include "core/inspect/UserInspection.h"

namespace recscope {
class Dataset;
}

namespace recscope::ui {

class RecommendationListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { RankColumn, TitleColumn, GenresColumn, ScoreColumn, MoveColumn, ColumnCount };
    enum Role {
        ItemRole = Qt::UserRole + 1,  // int dense item id, any column
        HitRole,                      // bool, any column
        ScoreRole,                    // double raw score
        ScoreFractionRole,            // double 0..1 for the bar (min..max of the list)
        OtherRankRole,                // int 1-based rank in the other list, 0 = absent,
                                      // invalid when there is no other list
    };

    explicit RecommendationListModel(QObject* parent = nullptr);

    // `otherRanks`: UserInspection::ranksIn(list, other), or empty when there is no other list.
    void setList(std::shared_ptr<const Dataset> dataset, std::vector<RecommendedItem> list,
                 std::vector<int> otherRanks);
    void clear();

    const std::vector<RecommendedItem>& list() const { return m_list; }
    int32_t itemAt(int row) const;
    // "▲3", "▼2", "=", "new" or "" (see above).
    static QString movementText(int rank, int otherRank);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const Dataset> m_dataset;
    std::vector<RecommendedItem> m_list;
    std::vector<int> m_otherRanks;  // empty: no other list
    float m_minScore = 0.0f;
    float m_maxScore = 0.0f;
};

}  // namespace recscope::ui
