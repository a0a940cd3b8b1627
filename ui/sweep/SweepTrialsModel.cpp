#include "ui/sweep/SweepTrialsModel.h"

#include <QFont>

namespace recscope::ui {

SweepTrialsModel::SweepTrialsModel(QObject* parent) : QAbstractTableModel(parent) {}

void SweepTrialsModel::setResults(const SweepResults& results) {
    beginResetModel();
    m_results = results;
    m_results.testRun = nullptr;  // points into the caller's runs; not kept
    m_table = sweepTable(m_results);
    endResetModel();
}

int SweepTrialsModel::rowOfRun(qint64 runId) const {
    if (runId <= 0)
        return -1;
    for (size_t i = 0; i < m_results.rows.size(); ++i)
        if (m_results.rows[i].runId == runId)
            return int(i);
    return -1;
}

int SweepTrialsModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_table.rows.size());
}

int SweepTrialsModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_table.headers.size());
}

QVariant SweepTrialsModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const size_t row = size_t(index.row());
    const size_t column = size_t(index.column());
    const std::string& cell = m_table.rows[row][column];
    const bool numeric = m_table.numeric[column];
    const bool best = int(row) == m_results.bestRow;
    switch (role) {
        case Qt::DisplayRole:
            return QString::fromStdString(cell);
        case SortRole: {
            if (!numeric)
                return QString::fromStdString(cell).toLower();
            bool ok = false;
            const double v = QString::fromStdString(cell).toDouble(&ok);
            return ok ? QVariant(v) : QVariant();
        }
        case Qt::TextAlignmentRole:
            return numeric ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
        case Qt::FontRole:
            if (best) {
                QFont font;
                font.setBold(true);
                return font;
            }
            return {};
        case Qt::ToolTipRole:
            if (best)
                return tr("The trial the sweep chose (best validation %1); its configuration "
                          "was evaluated once on the test part.")
                    .arg(QString::fromStdString(m_results.spec.metric));
            return {};
        case RunIdRole:
            return QVariant::fromValue<qint64>(m_results.rows[row].runId);
        case BestRole:
            return best;
        case TrialRole:
            return m_results.rows[row].trial;
    }
    return {};
}

QVariant SweepTrialsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole)
        return QString::fromStdString(m_table.headers[size_t(section)]);
    if (role == Qt::ToolTipRole && section == metricColumn())
        return tr(
            "Measured on the validation part; the test part is only used for the best "
            "configuration.");
    return {};
}

}  // namespace recscope::ui
