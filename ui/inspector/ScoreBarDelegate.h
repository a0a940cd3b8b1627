#pragma once
// Draws a cell as a horizontal bar behind its text: the bar's length is the cell's value of
// `fractionRole` (a double in 0..1; no bar when invalid), the text is the DisplayRole. Used for
// recommendation scores and "because you liked" similarities. GUI thread only.

#include <QStyledItemDelegate>

namespace recscope::ui {

class ScoreBarDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    explicit ScoreBarDelegate(int fractionRole, QObject* parent = nullptr);

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;

private:
    int m_fractionRole;
};

}  // namespace recscope::ui
