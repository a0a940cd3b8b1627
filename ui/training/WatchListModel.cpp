#include "ui/training/WatchListModel.h"

#include <QColor>
#include <QStringList>
#include <algorithm>

#include "core/data/Dataset.h"

namespace recscope::ui {

namespace {

const QChar kMinus(0x2212);

QVariantList toVariantList(const std::vector<int32_t>& items) {
    QVariantList list;
    list.reserve(static_cast<int>(items.size()));
    for (int32_t i : items)
        list << i;
    return list;
}

bool contains(const std::vector<int32_t>& v, int32_t x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

WatchListModel::WatchListModel(QObject* parent) : QAbstractTableModel(parent) {}

void WatchListModel::setDataset(std::shared_ptr<const Dataset> dataset) {
    beginResetModel();
    m_dataset = std::move(dataset);
    m_rows.clear();
    m_previous.clear();
    endResetModel();
}

void WatchListModel::beginRun(const QString& runName) {
    m_runName = runName;
    clear();
}

void WatchListModel::clear() {
    beginResetModel();
    m_rows.clear();
    m_previous.clear();
    endResetModel();
}

void WatchListModel::addEpoch(int epoch, const std::map<int32_t, std::vector<int32_t>>& topK) {
    if (topK.empty())
        return;
    const int first = rowCount();
    beginInsertRows({}, first, first + static_cast<int>(topK.size()) - 1);
    for (const auto& [user, items] : topK) {
        Row row;
        row.epoch = epoch;
        row.user = user;
        row.items = items;
        auto previous = m_previous.find(user);
        if (previous != m_previous.end()) {
            for (int32_t i : items)
                if (!contains(previous->second, i))
                    row.entered.push_back(i);
            for (int32_t i : previous->second)
                if (!contains(items, i))
                    row.left.push_back(i);
        }
        m_previous[user] = items;
        m_rows.push_back(std::move(row));
    }
    endInsertRows();
}

int WatchListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int WatchListModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString WatchListModel::title(int32_t item) const {
    if (m_dataset && item >= 0 && item < m_dataset->numItems()) {
        const auto& titles = m_dataset->itemMetadata().titles;
        if (static_cast<size_t>(item) < titles.size() && !titles[static_cast<size_t>(item)].empty())
            return QString::fromStdString(titles[static_cast<size_t>(item)]);
        return tr("item %1").arg(m_dataset->originalItemId(item));
    }
    return tr("item %1").arg(item);
}

QString WatchListModel::userLabel(int32_t user) const {
    if (m_dataset && user >= 0 && user < m_dataset->numUsers())
        return QString::number(m_dataset->originalUserId(user));
    return QString::number(user);
}

QVariant WatchListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= ColumnCount)
        return {};
    const Row& r = m_rows[static_cast<size_t>(index.row())];
    const int column = index.column();
    if (role == ItemsRole) {
        if (column == TopColumn)
            return toVariantList(r.items);
        if (column == LeftColumn)
            return toVariantList(r.left);
        return {};
    }
    if (role == EnteredRole)
        return column == TopColumn ? QVariant(toVariantList(r.entered)) : QVariant();
    if (role == Qt::TextAlignmentRole && (column == EpochColumn || column == UserColumn))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    const bool html = role == HtmlRole;
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole && !html)
        return {};
    switch (column) {
        case EpochColumn:
            return html ? QVariant() : QVariant(r.epoch);
        case UserColumn:
            return html ? QVariant() : QVariant(userLabel(r.user));
        case TopColumn: {
            QStringList parts;
            for (int32_t i : r.items) {
                const bool entered = contains(r.entered, i);
                if (html) {
                    const QString t = title(i).toHtmlEscaped();
                    parts << (entered ? QStringLiteral(
                                            "<b><span style=\"color:#1b8a2f\">+%1</span></b>")
                                            .arg(t)
                                      : t);
                } else {
                    parts << (entered ? QStringLiteral("+") : QString()) + title(i);
                }
            }
            const QString separator =
                role == Qt::ToolTipRole ? QStringLiteral("\n") : QStringLiteral(", ");
            return parts.join(html ? QStringLiteral(" · ") : separator);
        }
        case LeftColumn: {
            QStringList parts;
            for (int32_t i : r.left)
                parts << (html ? QStringLiteral("<span style=\"color:#b3261e\">%1%2</span>")
                                     .arg(kMinus, title(i).toHtmlEscaped())
                               : kMinus + title(i));
            const QString separator =
                role == Qt::ToolTipRole ? QStringLiteral("\n") : QStringLiteral(", ");
            return parts.join(html ? QStringLiteral(" · ") : separator);
        }
        default:
            return {};
    }
}

QVariant WatchListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
        case EpochColumn:
            return tr("Epoch");
        case UserColumn:
            return tr("User");
        case TopColumn:
            return tr("Top 10 (+ entered since the last epoch)");
        case LeftColumn:
            return tr("Left the list");
        default:
            return {};
    }
}

}  // namespace recscope::ui
