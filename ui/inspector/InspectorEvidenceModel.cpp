#include "ui/inspector/InspectorEvidenceModel.h"

#include <algorithm>

#include "core/data/Dataset.h"
#include "ui/inspector/InspectorItemText.h"

namespace recscope::ui {

InspectorEvidenceModel::InspectorEvidenceModel(QObject* parent) : QAbstractTableModel(parent) {}

void InspectorEvidenceModel::setEvidence(std::shared_ptr<const Dataset> dataset,
                                         BecauseYouLiked evidence) {
    beginResetModel();
    m_dataset = std::move(dataset);
    m_evidence = m_dataset ? std::move(evidence) : BecauseYouLiked{};
    m_max = 0.0f;
    for (const Evidence& e : m_evidence.items)
        m_max = std::max(m_max, e.similarity);
    endResetModel();
}

void InspectorEvidenceModel::clear() {
    setEvidence(nullptr, {});
}

int InspectorEvidenceModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_evidence.items.size());
}

int InspectorEvidenceModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant InspectorEvidenceModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= ColumnCount)
        return {};
    const Evidence& e = m_evidence.items[static_cast<size_t>(index.row())];
    switch (role) {
        case ItemRole:
            return e.item;
        case SimilarityRole:
            return double(e.similarity);
        case FractionRole:
            if (index.column() != SimilarityColumn)
                return {};
            return m_max > 0.0f ? std::max(0.0, double(e.similarity) / m_max) : 0.0;
        case Qt::DisplayRole:
            if (index.column() == TitleColumn)
                return InspectorItemText::title(*m_dataset, e.item);
            return QString::number(double(e.similarity), 'f', 3);
        case Qt::ToolTipRole:
            return m_evidence.fromModel
                       ? tr("Similarity as the model sees it")
                       : tr("Co-occurrence cosine: how often the same users liked both");
        default:
            return {};
    }
}

QVariant InspectorEvidenceModel::headerData(int section, Qt::Orientation orientation,
                                            int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (section == TitleColumn)
        return tr("Because you liked");
    if (section == SimilarityColumn)
        return m_evidence.fromModel ? tr("Similarity") : tr("Co-occurrence");
    return {};
}

}  // namespace recscope::ui
