#pragma once
// "Because you liked": the history items most similar to the selected recommendation, with
// their similarity (a bar through FractionRole, relative to the largest). Read-only; reset as a
// whole by setEvidence(). GUI thread only.

#include <QAbstractTableModel>
#include <memory>

#include "core/inspect/UserInspection.h"

namespace recscope {
class Dataset;
}

namespace recscope::ui {

class InspectorEvidenceModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { TitleColumn, SimilarityColumn, ColumnCount };
    enum Role {
        ItemRole = Qt::UserRole + 1,  // int dense item id
        SimilarityRole,               // double
        FractionRole,                 // double 0..1 (similarity / the largest), Similarity column
    };

    explicit InspectorEvidenceModel(QObject* parent = nullptr);

    void setEvidence(std::shared_ptr<const Dataset> dataset, BecauseYouLiked evidence);
    void clear();
    const BecauseYouLiked& evidence() const { return m_evidence; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const Dataset> m_dataset;
    BecauseYouLiked m_evidence;
    float m_max = 0.0f;
};

}  // namespace recscope::ui
