#include "ui/training/WatchListPanel.h"

#include <QAbstractTextDocumentLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIntValidator>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPainter>
#include <QRandomGenerator>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QTextDocument>
#include <QToolButton>
#include <QVBoxLayout>

#include "core/data/Dataset.h"
#include "ui/training/WatchListModel.h"

namespace recscope::ui {

namespace {

// Paints WatchListModel::HtmlRole, so entries can be bold green inside one cell.
class HtmlCellDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override {
        const QVariant html = index.data(WatchListModel::HtmlRole);
        if (!html.isValid()) {
            QStyledItemDelegate::paint(painter, option, index);
            return;
        }
        QStyleOptionViewItem opt = option;
        initStyleOption(&opt, index);
        opt.text.clear();
        opt.widget->style()->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
        QTextDocument doc;
        doc.setDefaultFont(opt.font);
        doc.setDocumentMargin(2);
        doc.setHtml(html.toString());
        doc.setTextWidth(opt.rect.width());
        painter->save();
        painter->translate(opt.rect.topLeft());
        painter->setClipRect(opt.rect.translated(-opt.rect.topLeft()));
        QAbstractTextDocumentLayout::PaintContext context;
        context.palette = opt.palette;
        context.palette.setColor(QPalette::Text, opt.state & QStyle::State_Selected
                                                     ? opt.palette.color(QPalette::HighlightedText)
                                                     : opt.palette.color(QPalette::Text));
        doc.documentLayout()->draw(painter, context);
        painter->restore();
    }

    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override {
        const QVariant html = index.data(WatchListModel::HtmlRole);
        if (!html.isValid())
            return QStyledItemDelegate::sizeHint(option, index);
        QTextDocument doc;
        doc.setDefaultFont(option.font);
        doc.setDocumentMargin(2);
        doc.setHtml(html.toString());
        const int width = option.rect.width() > 0 ? option.rect.width() : 600;
        doc.setTextWidth(width);
        return QSize(width, int(doc.size().height()));
    }
};

QToolButton* button(const QString& text, const char* name, const QString& tip) {
    auto* b = new QToolButton;
    b->setText(text);
    b->setObjectName(QLatin1String(name));
    b->setToolTip(tip);
    return b;
}

}  // namespace

WatchListPanel::WatchListPanel(QWidget* parent)
    : QWidget(parent), m_model(new WatchListModel(this)) {
    setObjectName(QStringLiteral("watchListPanel"));

    auto* title = new QLabel(tr("<b>Watch list</b>"));
    m_idEdit = new QLineEdit;
    m_idEdit->setObjectName(QStringLiteral("watchUserEdit"));
    m_idEdit->setPlaceholderText(tr("user id"));
    m_idEdit->setValidator(new QIntValidator(0, 2147483647, m_idEdit));
    m_idEdit->setMaximumWidth(90);
    m_add = button(tr("Add"), "watchAddButton", tr("Pin this user (MovieLens user id)"));
    m_random = button(tr("Random"), "watchRandomButton", tr("Pin a random user"));
    m_remove = button(tr("Remove"), "watchRemoveButton", tr("Unpin the selected user"));
    m_pins = new QListWidget;
    m_pins->setObjectName(QStringLiteral("watchPins"));
    m_pins->setFlow(QListView::LeftToRight);
    m_pins->setWrapping(false);
    m_pins->setMaximumHeight(m_pins->fontMetrics().height() + 14);
    m_pins->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_pins->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_pins->setToolTip(tr("Pinned users: their top-10 is shown after every epoch of the next run"));
    m_note = new QLabel;
    m_note->setObjectName(QStringLiteral("watchNote"));
    m_note->setWordWrap(true);
    QPalette notePalette = m_note->palette();
    notePalette.setColor(QPalette::WindowText, palette().color(QPalette::PlaceholderText));
    m_note->setPalette(notePalette);

    connect(m_add, &QToolButton::clicked, this, [this] {
        bool ok = false;
        const int id = m_idEdit->text().toInt(&ok);
        if (ok && addUser(id))
            m_idEdit->clear();
    });
    connect(m_idEdit, &QLineEdit::returnPressed, m_add, &QToolButton::click);
    connect(m_random, &QToolButton::clicked, this, &WatchListPanel::addRandomUser);
    connect(m_remove, &QToolButton::clicked, this, [this] {
        if (QListWidgetItem* item = m_pins->currentItem())
            removeUser(item->data(Qt::UserRole).toInt());
    });

    auto* controls = new QHBoxLayout;
    controls->setContentsMargins(0, 0, 0, 0);
    controls->addWidget(title);
    controls->addSpacing(8);
    controls->addWidget(m_idEdit);
    controls->addWidget(m_add);
    controls->addWidget(m_random);
    controls->addWidget(m_pins, 1);
    controls->addWidget(m_remove);

    m_table = new QTableView;
    m_table->setObjectName(QStringLiteral("watchTable"));
    m_table->setModel(m_model);
    m_table->setItemDelegate(new HtmlCellDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(true);
    m_table->setAlternatingRowColors(true);
    m_table->setMinimumHeight(m_table->fontMetrics().height() * 2);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    QHeaderView* header = m_table->horizontalHeader();
    header->setSectionResizeMode(WatchListModel::EpochColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(WatchListModel::UserColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(WatchListModel::TopColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(WatchListModel::LeftColumn, QHeaderView::Interactive);
    header->resizeSection(WatchListModel::LeftColumn, 220);
    // Follow the newest epoch unless the user scrolled up to read an older one.
    connect(m_model, &QAbstractItemModel::rowsInserted, m_table,
            [this] { m_table->scrollToBottom(); });

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 2, 0, 0);
    layout->setSpacing(3);
    layout->addLayout(controls);
    layout->addWidget(m_note);
    layout->addWidget(m_table, 1);
    // On a small window the panel may shrink to its control row (the table scrolls), so that it
    // never forces the Train tab taller than it was without a watch list.
    setMinimumHeight(m_add->sizeHint().height() + 6);
    rebuildPins();
}

void WatchListPanel::setDataset(std::shared_ptr<const Dataset> dataset) {
    m_dataset = std::move(dataset);
    m_model->setDataset(m_dataset);
    rebuildPins();
}

void WatchListPanel::setWatchedUsers(const QVector<int>& users) {
    m_users.clear();
    for (int id : users)
        if (!m_users.contains(id) && m_users.size() < kMaxUsers)
            m_users << id;
    rebuildPins();
    emit watchedUsersChanged(m_users);
}

bool WatchListPanel::addUser(int originalId) {
    if (m_users.contains(originalId)) {
        showNote(tr("User %1 is already pinned.").arg(originalId));
        return false;
    }
    if (m_users.size() >= kMaxUsers) {
        showNote(tr("At most %1 users can be watched; remove one first.").arg(kMaxUsers));
        return false;
    }
    if (m_dataset && !m_dataset->userIndex(originalId)) {
        showNote(tr("The open dataset has no user %1.").arg(originalId));
        return false;
    }
    m_users << originalId;
    rebuildPins();
    emit watchedUsersChanged(m_users);
    return true;
}

bool WatchListPanel::addRandomUser() {
    if (!m_dataset || m_dataset->numUsers() == 0) {
        showNote(tr("Open a dataset first."));
        return false;
    }
    if (m_users.size() >= kMaxUsers) {
        showNote(tr("At most %1 users can be watched; remove one first.").arg(kMaxUsers));
        return false;
    }
    // Users with some history have lists worth watching; fall back to anyone on tiny data.
    const auto& offsets = m_dataset->userOffsets();
    std::vector<int32_t> candidates;
    for (int minimum : {10, 1})
        if (candidates.empty())
            for (int32_t u = 0; u < m_dataset->numUsers(); ++u)
                if (offsets[u + 1] - offsets[u] >= minimum &&
                    !m_users.contains(int(m_dataset->originalUserId(u))))
                    candidates.push_back(u);
    if (candidates.empty())
        return false;
    const auto pick = candidates[QRandomGenerator::global()->bounded(int(candidates.size()))];
    return addUser(int(m_dataset->originalUserId(pick)));
}

void WatchListPanel::removeUser(int originalId) {
    if (!m_users.removeOne(originalId))
        return;
    rebuildPins();
    emit watchedUsersChanged(m_users);
}

std::vector<int32_t> WatchListPanel::internalUsers(const Dataset& dataset) const {
    std::vector<int32_t> out;
    for (int id : m_users)
        if (const auto dense = dataset.userIndex(id))
            out.push_back(*dense);
    return out;
}

void WatchListPanel::setEditable(bool editable) {
    m_editable = editable;
    rebuildPins();
}

void WatchListPanel::beginRun(const QString& runName) {
    m_model->beginRun(runName);
    if (!m_users.isEmpty())
        showNote(tr("Watching %1: a row per epoch for each pinned user.").arg(runName));
}

void WatchListPanel::addEpoch(int epoch, const std::map<int32_t, std::vector<int32_t>>& topK) {
    m_model->addEpoch(epoch, topK);
}

void WatchListPanel::rebuildPins() {
    m_pins->clear();
    for (int id : m_users) {
        auto* item = new QListWidgetItem(tr("user %1").arg(id));
        item->setData(Qt::UserRole, id);
        if (m_dataset) {
            if (const auto dense = m_dataset->userIndex(id)) {
                const auto& o = m_dataset->userOffsets();
                item->setToolTip(tr("User %1: %2 ratings").arg(id).arg(o[*dense + 1] - o[*dense]));
            } else {
                item->setToolTip(tr("Not in the open dataset: skipped"));
                item->setForeground(palette().color(QPalette::PlaceholderText));
            }
        }
        m_pins->addItem(item);
    }
    const bool room = m_users.size() < kMaxUsers;
    m_idEdit->setEnabled(m_editable && room);
    m_add->setEnabled(m_editable && room);
    m_random->setEnabled(m_editable && room);
    m_remove->setEnabled(m_editable && !m_users.isEmpty());
    // Short, so that the panel stays one line high on a narrow window; the rest is a tooltip.
    showNote(m_users.isEmpty()
                 ? tr("Pin up to %1 users to see their top-10 after every epoch.").arg(kMaxUsers)
                 : QString());
    m_note->setToolTip(
        tr("Models trained in epochs report it: mf, bpr, neuralmf, neumf, "
           "twotower, sasrec, pipeline."));
}

void WatchListPanel::showNote(const QString& text) {
    m_note->setText(text);
    m_note->setVisible(!text.isEmpty());
}

}  // namespace recscope::ui
