#include "ui/training/TrainingRunsModel.h"

#include <QLocale>
#include <cmath>

#include "ui/session/WorkspaceSession.h"

namespace recscope::ui {

namespace {

// The headline figure of a run for the list: final test NDCG@10 (RMSE for rating models), else
// the latest validation value while training.
QString headline(const RunRecord& r) {
    const QLocale locale;
    for (const char* key : {"ndcg@10", "rmse"}) {
        auto it = r.metrics.find(key);
        if (it != r.metrics.end())
            return QStringLiteral("%1 %2").arg(QLatin1String(key),
                                               locale.toString(it->second, 'f', 4));
    }
    if (!r.epochs.empty())
        return TrainingRunsModel::tr("epoch %1").arg(r.epochs.back().epoch);
    return {};
}

QString toolTip(const RunRecord& r) {
    QStringList lines;
    lines << QStringLiteral("<b>%1</b> (%2)")
                 .arg(QString::fromStdString(r.name).toHtmlEscaped(),
                      QString::fromStdString(runStatusName(r.status)));
    lines << TrainingRunsModel::tr("Model: %1 · protocol %2 · seed %3 · device %4")
                 .arg(QString::fromStdString(r.config.model),
                      QString::fromStdString(protocolName(r.config.split.protocol)))
                 .arg(r.config.seed)
                 .arg(QString::fromStdString(r.config.device));
    lines << TrainingRunsModel::tr("Dataset: %1 (%2 ratings)")
                 .arg(QString::fromStdString(r.dataset.name))
                 .arg(QLocale().toString(qlonglong(r.dataset.ratings)));
    QStringList params;
    for (const auto& [k, v] : r.params.empty() ? r.config.params : r.params)
        params << QStringLiteral("%1=%2").arg(QString::fromStdString(k), QString::fromStdString(v));
    if (!params.isEmpty())
        lines << TrainingRunsModel::tr("Parameters: %1").arg(params.join(QStringLiteral(", ")));
    if (!r.message.empty())
        lines << QString::fromStdString(r.message).toHtmlEscaped();
    lines << QString::fromStdString(r.createdAt);
    return lines.join(QStringLiteral("<br>"));
}

}  // namespace

TrainingRunsModel::TrainingRunsModel(WorkspaceSession* session, QObject* parent)
    : QAbstractListModel(parent), m_session(session) {
    connect(session, &WorkspaceSession::workspaceOpened, this, &TrainingRunsModel::reset);
    connect(session, &WorkspaceSession::runAdded, this, &TrainingRunsModel::onRunAdded);
    connect(session, &WorkspaceSession::runChanged, this, &TrainingRunsModel::onRunChanged);
    connect(session, &WorkspaceSession::runRemoved, this, &TrainingRunsModel::onRunRemoved);
    reset();
}

QColor TrainingRunsModel::colourFor(qint64 id) {
    // Tableau 10: distinct hues of similar weight.
    static const QRgb palette[] = {0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f,
                                   0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac};
    const qint64 n = qint64(sizeof(palette) / sizeof(palette[0]));
    return QColor(palette[((id - 1) % n + n) % n]);
}

void TrainingRunsModel::reset() {
    beginResetModel();
    m_ids.clear();
    m_shown.clear();
    const auto& runs = m_session->runs();
    for (auto it = runs.crbegin(); it != runs.crend(); ++it)
        m_ids.append(it->id);
    for (int i = 0; i < m_ids.size() && i < kInitiallyShown; ++i)
        m_shown.insert(m_ids[i]);
    endResetModel();
}

int TrainingRunsModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_ids.size());
}

qint64 TrainingRunsModel::runId(int row) const {
    return row >= 0 && row < m_ids.size() ? m_ids[row] : 0;
}

int TrainingRunsModel::rowOf(qint64 id) const {
    return int(m_ids.indexOf(id));
}

QVariant TrainingRunsModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const qint64 id = m_ids[index.row()];
    const RunRecord* r = m_session->run(id);
    if (!r)
        return {};
    switch (role) {
        case Qt::DisplayRole: {
            QString text = QStringLiteral("%1 — %2").arg(
                QString::fromStdString(r->name), QString::fromStdString(runStatusName(r->status)));
            const QString figure = headline(*r);
            if (!figure.isEmpty())
                text += QStringLiteral(" · ") + figure;
            return text;
        }
        case Qt::ToolTipRole:
            return toolTip(*r);
        case Qt::DecorationRole:
        case ColourRole:
            return colourFor(id);
        case Qt::CheckStateRole:
            return m_shown.contains(id) ? Qt::Checked : Qt::Unchecked;
        case RunIdRole:
            return id;
        case StatusRole:
            return QString::fromStdString(runStatusName(r->status));
        default:
            return {};
    }
}

bool TrainingRunsModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (role != Qt::CheckStateRole ||
        !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return false;
    setShown(m_ids[index.row()], value.value<Qt::CheckState>() == Qt::Checked);
    return true;
}

void TrainingRunsModel::setShown(qint64 id, bool shown) {
    const int row = rowOf(id);
    if (row < 0 || m_shown.contains(id) == shown)
        return;
    if (shown)
        m_shown.insert(id);
    else
        m_shown.remove(id);
    const QModelIndex changed = index(row);
    emit dataChanged(changed, changed, {Qt::CheckStateRole});
    emit shownChanged(id, shown);
}

Qt::ItemFlags TrainingRunsModel::flags(const QModelIndex& index) const {
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable |
           Qt::ItemNeverHasChildren;
}

QHash<int, QByteArray> TrainingRunsModel::roleNames() const {
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names[RunIdRole] = "runId";
    names[StatusRole] = "status";
    names[ColourRole] = "colour";
    return names;
}

void TrainingRunsModel::onRunAdded(qint64 id) {
    if (m_ids.contains(id))
        return;
    // Newest first: a new id goes above every older one.
    int row = 0;
    while (row < m_ids.size() && m_ids[row] > id)
        ++row;
    beginInsertRows(QModelIndex(), row, row);
    m_ids.insert(row, id);
    m_shown.insert(id);
    endInsertRows();
}

void TrainingRunsModel::onRunChanged(qint64 id) {
    const int row = rowOf(id);
    if (row < 0) {
        onRunAdded(id);
        return;
    }
    const QModelIndex changed = index(row);
    emit dataChanged(changed, changed);
}

void TrainingRunsModel::onRunRemoved(qint64 id) {
    const int row = rowOf(id);
    if (row < 0)
        return;
    beginRemoveRows(QModelIndex(), row, row);
    m_ids.removeAt(row);
    m_shown.remove(id);
    endRemoveRows();
}

}  // namespace recscope::ui
