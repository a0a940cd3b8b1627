#pragma once
// Two runs compared user by user on the users both evaluated: for each chosen metric, wins /
// ties / losses of A over B (A's value higher / equal / lower), both means, the mean of A - B
// with its bootstrap 95% interval and the two-sided Wilcoxon signed-rank p-value
// (core/eval/PairedComparison.h). Reads the per-user vectors from
// the workspace once, when opened. Non-modal; GUI thread only.

#include <QDialog>
#include <QStringList>
#include <QVector>

#include "core/eval/Evaluator.h"
#include "core/eval/PairedComparison.h"

class QLabel;
class QListWidget;
class QStandardItemModel;
class QTableView;

namespace recscope::ui {

class WorkspaceSession;

class PairedComparisonDialog : public QDialog {
    Q_OBJECT
public:
    // preferredMetrics: checked at first when both runs have them (e.g. the leaderboard's
    // visible metric columns); otherwise the first common metric is checked.
    PairedComparisonDialog(WorkspaceSession* session, qint64 runA, qint64 runB,
                           const QStringList& preferredMetrics, QWidget* parent = nullptr);

    qint64 runA() const { return m_runA; }
    qint64 runB() const { return m_runB; }
    QStringList commonMetrics() const { return m_common; }  // display order
    QStringList chosenMetrics() const;
    void setChosenMetrics(const QStringList& metrics);
    // One entry per chosen metric, in display order, as shown in the table.
    const QVector<PairedComparison>& results() const { return m_results; }
    QStandardItemModel* resultModel() const { return m_model; }
    QString errorText() const;  // why nothing can be compared; empty when fine

public slots:
    void swapRuns();

private:
    void load();
    void recompute();

    WorkspaceSession* m_session;
    qint64 m_runA;
    qint64 m_runB;
    EvalResult m_a;
    EvalResult m_b;
    QStringList m_common;
    QVector<PairedComparison> m_results;
    QLabel* m_title;
    QLabel* m_error;
    QListWidget* m_metrics;
    QTableView* m_table;
    QStandardItemModel* m_model;
};

}  // namespace recscope::ui
