#include "ui/inspector/ScoreBarDelegate.h"

#include <QApplication>
#include <QPainter>
#include <algorithm>

namespace recscope::ui {

ScoreBarDelegate::ScoreBarDelegate(int fractionRole, QObject* parent)
    : QStyledItemDelegate(parent), m_fractionRole(fractionRole) {}

void ScoreBarDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                             const QModelIndex& index) const {
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString text = opt.text;
    opt.text.clear();
    const QWidget* widget = option.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const QVariant value = index.data(m_fractionRole);
    const QRect cell = option.rect.adjusted(2, 3, -2, -3);
    if (value.isValid()) {
        const double fraction = std::clamp(value.toDouble(), 0.0, 1.0);
        QColor bar = option.palette.color(QPalette::Highlight);
        bar.setAlpha(110);
        QRect filled = cell;
        filled.setWidth(std::max(1, int(cell.width() * fraction)));
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing, false);
        painter->fillRect(filled, bar);
        painter->restore();
    }
    painter->save();
    painter->setPen(option.palette.color(
        (option.state & QStyle::State_Selected) ? QPalette::HighlightedText : QPalette::Text));
    painter->drawText(cell.adjusted(4, 0, -4, 0), Qt::AlignVCenter | Qt::AlignRight, text);
    painter->restore();
}

}  // namespace recscope::ui
