#pragma once
// The Train tab's watch list: pin a few users (by their MovieLens id, or at random) before or
// between runs; while a run trains, every epoch adds a row per pinned user with their top-10
// (WatchListModel), so a class can watch a model learn. Pins are MovieLens (original) user ids;
// internalUsers() maps them to the dataset's dense ids for the core. Editing the pins is
// disabled while a run trains. GUI thread only.

#include <QVector>
#include <QWidget>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

class QLabel;
class QLineEdit;
class QListWidget;
class QTableView;
class QToolButton;

namespace recscope {
class Dataset;
}

namespace recscope::ui {

class WatchListModel;

class WatchListPanel : public QWidget {
    Q_OBJECT
public:
    static constexpr int kMaxUsers = 5;

    explicit WatchListPanel(QWidget* parent = nullptr);

    void setDataset(std::shared_ptr<const Dataset> dataset);

    // Original user ids, in pin order. setWatchedUsers keeps the first kMaxUsers distinct ids.
    QVector<int> watchedUsers() const { return m_users; }
    void setWatchedUsers(const QVector<int>& users);
    // Pins one user; false (with the reason in the panel) when the id is unknown to the open
    // dataset, already pinned, or the list is full.
    bool addUser(int originalId);
    // Pins a random user with at least 10 ratings (any user on small data); false when full.
    bool addRandomUser();
    void removeUser(int originalId);
    // The pins as dense ids of `dataset` (ids it does not know are skipped).
    std::vector<int32_t> internalUsers(const Dataset& dataset) const;

    void setEditable(bool editable);
    void beginRun(const QString& runName);
    void addEpoch(int epoch, const std::map<int32_t, std::vector<int32_t>>& topK);

    WatchListModel* model() const { return m_model; }

signals:
    void watchedUsersChanged(const QVector<int>& users);

private:
    void rebuildPins();
    void showNote(const QString& text);

    std::shared_ptr<const Dataset> m_dataset;
    QVector<int> m_users;
    WatchListModel* m_model;
    QLineEdit* m_idEdit = nullptr;
    QToolButton* m_add = nullptr;
    QToolButton* m_random = nullptr;
    QToolButton* m_remove = nullptr;
    QListWidget* m_pins = nullptr;
    QTableView* m_table = nullptr;
    QLabel* m_note = nullptr;
    bool m_editable = true;
};

}  // namespace recscope::ui
