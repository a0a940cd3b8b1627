#pragma once
// The watch list's rows: one per epoch per watched user, each with the user's top-K titles after
// that epoch, the items that entered since the user's previous row marked, and those that left.
// Columns: Epoch, User, Top-K, Left the list. Display text is plain ("+Title" for an entry,
// "−Title" for an exit); HtmlRole gives the same cell as rich text (entries bold green) for the
// panel's delegate. GUI thread only.

#include <QAbstractTableModel>
#include <QVector>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

namespace recscope {
class Dataset;
}

namespace recscope::ui {

class WatchListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { EpochColumn, UserColumn, TopColumn, LeftColumn, ColumnCount };
    enum Role {
        HtmlRole = Qt::UserRole + 1,  // rich text of the Top-K / Left cells
        ItemsRole,   // QVariantList of dense item ids (Top-K: the list, Left: those)
        EnteredRole  // Top-K column: QVariantList of the entered item ids
    };

    explicit WatchListModel(QObject* parent = nullptr);

    // Titles and original user ids come from `dataset` (may be null: ids are shown instead).
    void setDataset(std::shared_ptr<const Dataset> dataset);
    // Starts a new run: rows are cleared and entries are counted from the run's first epoch.
    void beginRun(const QString& runName);
    QString runName() const { return m_runName; }
    // One row per user of `topK` (dense user id -> dense item ids, best first), in user order.
    void addEpoch(int epoch, const std::map<int32_t, std::vector<int32_t>>& topK);
    void clear();

    struct Row {
        int epoch = 0;
        int32_t user = 0;              // dense id
        std::vector<int32_t> items;    // best first
        std::vector<int32_t> entered;  // not in the user's previous row (empty for the first)
        std::vector<int32_t> left;     // in the previous row, not in this one
    };
    const Row& row(int r) const { return m_rows[static_cast<size_t>(r)]; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QString title(int32_t item) const;
    QString userLabel(int32_t user) const;

    std::shared_ptr<const Dataset> m_dataset;
    QString m_runName;
    std::vector<Row> m_rows;
    std::map<int32_t, std::vector<int32_t>> m_previous;  // last list per user in this run
};

}  // namespace recscope::ui
