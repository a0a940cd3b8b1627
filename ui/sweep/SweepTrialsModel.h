#pragma once
// The trials of one sweep as a table (the sweep view's table, TensorBoard's HParams "table
// view"): trial, each swept parameter, the validation metric, status, run and training time.
// Cells are those of the core's sweepTable, so the view exports exactly what it shows; the
// trial the sweep chose is bold with BestRole true. GUI thread only.

#include <QAbstractTableModel>

#include "core/export/TableExport.h"
#include "core/sweep/SweepResults.h"

namespace recscope::ui {

class SweepTrialsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Role {
        SortRole = Qt::UserRole + 1,  // double for numeric cells (invalid when empty), else text
        RunIdRole,                    // qint64 (0: no run), any column
        BestRole,                     // bool, any column: the chosen trial
        TrialRole,                    // int, 0-based trial, any column
    };

    explicit SweepTrialsModel(QObject* parent = nullptr);

    // Replaces the rows (a reset).
    void setResults(const SweepResults& results);
    const SweepResults& results() const { return m_results; }
    const Table& table() const { return m_table; }
    int rowOfRun(qint64 runId) const;  // -1 if no trial has that run
    int metricColumn() const { return 1 + int(m_results.paramNames.size()); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    SweepResults m_results;
    Table m_table;
};

}  // namespace recscope::ui
