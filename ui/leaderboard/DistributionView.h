#pragma once
// The Distributions tab: what a mean on the leaderboard hides. For a run and a per-user metric:
// the histogram of the users' values and box plots of the values by user activity (quartiles of
// training ratings, as the leaderboard's activity breakdown); with a second run, both runs side by
// side and the histogram of the per-user differences A − B, with the mean difference, its
// bootstrap 95% interval and the Wilcoxon p-value (core PairedComparison). Charts zoom, pan and
// export as the others. Per-user values come from the workspace; the activity groups need the
// run's split, loaded through LoadedRunCache. GUI thread only.

#include <QWidget>
#include <memory>

#include "core/eval/Evaluator.h"
#include "core/eval/PairedComparison.h"
#include "core/inspect/LoadedRun.h"

class QComboBox;
class QCustomPlot;
class QLabel;

namespace recscope::ui {

class LoadedRunCache;
class WorkspaceSession;

class DistributionView : public QWidget {
    Q_OBJECT
public:
    DistributionView(WorkspaceSession* workspace, LoadedRunCache* cache, QWidget* parent = nullptr);

    // Chooses the runs (compare 0: none) and the metric ("ndcg@10"; empty: keep).
    void showRuns(qint64 runId, qint64 compareRunId = 0, const QString& metric = {});
    qint64 runId() const;
    qint64 compareRunId() const;
    QString metric() const;

    QCustomPlot* histogramPlot() const { return m_histogram; }
    QCustomPlot* activityPlot() const { return m_activity; }
    QCustomPlot* differencePlot() const { return m_difference; }
    QString differenceText() const;
    // The paired comparison shown (valid when a second run is chosen).
    const PairedComparison& comparison() const { return m_comparison; }
    bool hasComparison() const { return m_hasComparison; }
    // Activity boxes drawn (0 until the runs' splits are loaded).
    int activityBoxes() const { return m_boxes; }

signals:
    void errorOccurred(const QString& message);

protected:
    void changeEvent(QEvent* event) override;

private:
    void fillCombos();
    void fillMetrics();
    void refresh();
    void plotHistogram();
    void plotDifference();
    void plotActivity();
    void onLoaded(qint64 runId, std::shared_ptr<const LoadedRun> run);
    QWidget* chartBox(QCustomPlot* plot, const QString& exportName, const QString& fileName);

    WorkspaceSession* m_workspace;
    LoadedRunCache* m_cache;
    QComboBox* m_run;
    QComboBox* m_compare;
    QComboBox* m_metric;
    QLabel* m_status;
    QLabel* m_differenceLabel;
    QCustomPlot* m_histogram;
    QCustomPlot* m_activity;
    QCustomPlot* m_difference;
    EvalResult m_a;
    EvalResult m_b;
    std::shared_ptr<const LoadedRun> m_loadedA;
    std::shared_ptr<const LoadedRun> m_loadedB;
    PairedComparison m_comparison;
    bool m_hasComparison = false;
    int m_boxes = 0;
};

}  // namespace recscope::ui
