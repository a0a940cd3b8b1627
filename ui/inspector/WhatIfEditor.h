#pragma once
// The what-if user's editor: find a movie by title (a completer that matches anywhere in the
// title), give it a rating (0.5-5), Add; select rows and Remove; start from the picked user's
// history ("Copy this user") or from nothing (Clear). The ratings live in a WhatIfHistoryModel,
// whose historyChanged signal tells the inspector to recompute. GUI thread only.

#include <QHash>
#include <QWidget>
#include <memory>

class QCompleter;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QStringListModel;
class QTableView;

namespace recscope {
class Dataset;
}

namespace recscope::ui {

class WhatIfHistoryModel;

class WhatIfEditor : public QWidget {
    Q_OBJECT
public:
    explicit WhatIfEditor(QWidget* parent = nullptr);

    void setDataset(std::shared_ptr<const Dataset> dataset);  // clears the ratings
    WhatIfHistoryModel* model() const { return m_model; }

    // The item whose completer text is `text` ("Toy Story (1995)"); -1 when none.
    int32_t itemForText(const QString& text) const;
    // Adds the movie named in the search box with the spin box's rating. False (and a hint
    // below the box) when the text names no movie.
    bool addFromSearch();
    void removeSelected();

    QLineEdit* searchBox() const { return m_search; }
    QDoubleSpinBox* ratingSpin() const { return m_rating; }

signals:
    // "Copy this user" was pressed: the inspector fills the model from the picked user.
    void copyUserRequested();

private:
    std::shared_ptr<const Dataset> m_dataset;
    WhatIfHistoryModel* m_model;
    QStringListModel* m_titles;
    QHash<QString, int32_t> m_itemByText;
    QLineEdit* m_search;
    QCompleter* m_completer;
    QDoubleSpinBox* m_rating;
    QPushButton* m_add;
    QPushButton* m_remove;
    QTableView* m_table;
    QLabel* m_hint;
};

}  // namespace recscope::ui
