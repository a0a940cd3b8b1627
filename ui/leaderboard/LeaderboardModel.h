#pragma once
// Every run of the open workspace as one row: name, model, dataset, protocol, status, training
// seconds, then one column per chosen metric ("NDCG@10", "RMSE", ...). Metric columns are the
// chosen families × chosen Ks that at least one run has, in MetricColumns' display order.
//
// Best marks: per metric column, the best value (MetricColumns' direction) is bold with a subtle
// background and BestRole true; ties are all marked. A column gets marks only when at least two
// runs have a value in it. Runs scored on the validation part (sweep trials) never compete with
// test runs: they are shown in italics, their protocol says "validation", and they get no mark.
//
// Updates: runAdded / runRemoved insert / remove one row and runChanged updates one row (plus the
// best marks of the metric columns); only a change of the set of metric columns (a run brings a
// metric no other run had, or the chooser changes) or workspaceOpened resets the model.
// The Name column is editable: setData renames the run in the workspace. Published figures
// that compare with the runs follow them as greyed reference rows. GUI thread only.

#include <QAbstractTableModel>
#include <QList>
#include <QSet>
#include <QStringList>
#include <QVector>
#include <vector>

#include "core/export/ReferenceRows.h"

namespace recscope {
struct RunRecord;
}

namespace recscope::ui {

class MetricIntervals;
class WorkspaceSession;

class LeaderboardModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Role {
        SortRole = Qt::UserRole + 1,  // double for numbers (invalid when missing), else text
        RunIdRole,                    // qint64, any column
        BestRole,                     // bool, metric columns
        NumericRole,                  // bool, any column (also as horizontal headerData)
        MetricKeyRole,                // QString, horizontal headerData of metric columns
        RawValueRole,                 // double, metric cells with a value
        ValidationRole,               // bool, any column: the run was scored on validation
        IntervalRole,                 // QPointF(low, high), metric cells, when shown and known
        ReferenceRole,                // bool, any column: a published figure, not a run
    };
    enum Column {
        NameColumn,
        ModelColumn,
        DatasetColumn,
        ProtocolColumn,
        ExcludeColumn,  // the list rule (docs/protocols.md): positives or rated
        FitOnColumn,    // what the model was fitted on: train or train+val
        StatusColumn,
        TrainSecondsColumn,
        FirstMetricColumn
    };

    explicit LeaderboardModel(WorkspaceSession* session, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

    // Families ("ndcg", ...) and Ks present in any run, in display order.
    QStringList availableFamilies() const { return m_availableFamilies; }
    QList<int> availableKs() const { return m_availableKs; }
    // Defaults: HR, Recall, NDCG, MRR, Coverage, RMSE, MAE at K = 10 (or the smallest K present
    // when no run has 10, until the user chooses).
    QStringList chosenFamilies() const { return m_chosenFamilies; }
    QList<int> chosenKs() const;
    void setChosenFamilies(const QStringList& families);
    void setChosenKs(const QList<int>& ks);

    // "± 95% CI": metric cells show "mean ± half-width" of a bootstrap interval over the
    // run's users (MetricIntervals), computed in the background; off by default.
    void setShowIntervals(bool show);
    bool showIntervals() const { return m_showIntervals; }
    // Reference rows (on by default): the published figures measured under the protocol, data
    // set family and K of a finished test run (core referenceRows), greyed, after the runs,
    // RunIdRole 0, never marked best.
    void setShowReferences(bool show);
    bool showReferences() const { return m_showReferences; }
    int referenceCount() const;  // reference rows shown

    QString metricKey(int column) const;                 // empty for the fixed columns
    int columnOfMetric(const QString& metricKey) const;  // -1 if not shown
    qint64 runId(int row) const;
    int rowOfRun(qint64 id) const;  // -1 if unknown
    bool isBest(int row, int column) const;

signals:
    // availableFamilies() or availableKs() changed (the chooser rebuilds its menus).
    void availableColumnsChanged();

private:
    const RunRecord* record(int row) const;
    void reload();
    void onRunAdded(qint64 id);
    void onRunChanged(qint64 id);
    void onRunRemoved(qint64 id);
    void computeAvailable(QStringList* families, QList<int>* ks) const;
    QList<int> effectiveKs(const QList<int>& available) const;
    QStringList computeColumns(const QList<int>& ks) const;
    // The runs now call for other metric columns than the model shows (reset needed).
    bool columnsOutdated() const;
    bool applyAvailable();  // true if the available families or Ks changed
    void afterRowChange();
    void updateBest();
    void emitBestChanged();
    QVariant metricData(const RunRecord& run, int column, int role) const;
    QVariant fixedData(const RunRecord& run, int column, int role) const;
    QString runTooltip(const RunRecord& run) const;
    QVariant referenceData(const ReferenceRow& ref, int column, int role) const;
    std::vector<ReferenceRow> computeReferences() const;
    bool referencesOutdated() const;

    WorkspaceSession* m_session;
    QVector<qint64> m_ids;  // row -> run id, in the session's order
    QStringList m_columns;  // metric keys after the fixed columns
    QStringList m_availableFamilies;
    QList<int> m_availableKs;
    QStringList m_chosenFamilies;
    QList<int> m_chosenKs;
    bool m_ksChosen = false;  // false: automatic default K
    MetricIntervals* m_intervals;
    bool m_showIntervals = false;
    std::vector<ReferenceRow> m_refs;  // rows after the runs when shown
    bool m_showReferences = true;
    QVector<QSet<qint64>> m_best;  // per metric column: ids of the runs holding the best value
};

}  // namespace recscope::ui
