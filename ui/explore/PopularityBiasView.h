#pragma once
// The Bias tab: how often each item is recommended (top-K over all users, training items
// removed) against its training popularity, for a run and optionally a second one to compare;
// a log-log scatter (both axes + 1, so never-recommended and unpopular items stay on the chart)
// and a small table per run of coverage, Gini, tail share and average popularity (core
// measurePopularityBias; definitions in core/inspect/PopularityBias.h). "Test users" reproduces
// the leaderboard's coverage / Gini / average popularity of full-ranking runs.
//
// Runs come from LoadedRunCache; the measurement runs on a worker thread (QtConcurrent) with a
// progress bar and Cancel; a new request cancels the one in flight. GUI thread only.

#include <QVector>
#include <QWidget>
#include <array>
#include <memory>

#include "ui/session/BackgroundJob.h"
#include "core/inspect/LoadedRun.h"
#include "core/inspect/PopularityBias.h"

class QComboBox;
class QCustomPlot;
class QLabel;
class QProgressBar;
class QSpinBox;
class QStandardItemModel;
class QTableView;
class QToolButton;

namespace recscope::ui {

class LoadedRunCache;
class WorkspaceSession;

class PopularityBiasView : public QWidget {
    Q_OBJECT
public:
    enum Column {
        RunColumn,
        UsersColumn,
        CoverageColumn,
        GiniColumn,
        TailColumn,
        AvgPopColumn,
        ColumnCount
    };

    PopularityBiasView(WorkspaceSession* workspace, LoadedRunCache* cache,
                       QWidget* parent = nullptr);
    ~PopularityBiasView() override;

    // Chooses runs of the workspace (compareRunId 0: none) and loads them through the cache.
    void showRuns(qint64 runId, qint64 compareRunId = 0);
    // Measures already loaded runs (the cache's answers; tests). `second` may be null.
    void setLoadedRuns(std::shared_ptr<const LoadedRun> first,
                       std::shared_ptr<const LoadedRun> second = nullptr);
    void setK(int k);
    int k() const;
    void setUsers(PopularityBiasUsers users);
    PopularityBiasUsers users() const { return m_users; }

    bool isComputing() const { return m_computing; }
    void cancel();
    // The last finished measurement, one entry per run shown.
    const QVector<PopularityBias>& results() const { return m_results; }

    QCustomPlot* plot() const { return m_plot; }
    QStandardItemModel* numbersModel() const { return m_numbers; }
    QString statusText() const;
    bool exportTo(const QString& path, QString* error = nullptr);

signals:
    void computed();
    void errorOccurred(const QString& message);

protected:
    void showEvent(QShowEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    struct Job {
        QVector<PopularityBias> results;
        QString error;
        bool cancelled = false;
    };

    void buildUi();
    void fillRunCombos();
    void onLoaded(qint64 runId, std::shared_ptr<const LoadedRun> run);
    void requestSelected();
    void startMeasuring();
    void onMeasured(const Job& job);
    void showResults();
    void setStatus(const QString& text);
    void setComputingUi(bool computing);

    WorkspaceSession* m_workspace;
    LoadedRunCache* m_cache;
    std::array<qint64, 2> m_wanted{{0, 0}};
    std::array<std::shared_ptr<const LoadedRun>, 2> m_runs;
    PopularityBiasUsers m_users = PopularityBiasUsers::All;

    QComboBox* m_runCombo = nullptr;
    QComboBox* m_compareCombo = nullptr;
    QSpinBox* m_kSpin = nullptr;
    QComboBox* m_usersCombo = nullptr;
    QProgressBar* m_progress = nullptr;
    QToolButton* m_cancelButton = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_tailNote = nullptr;
    QCustomPlot* m_plot = nullptr;
    QStandardItemModel* m_numbers = nullptr;
    QTableView* m_table = nullptr;

    BackgroundJob<Job> m_measure{this, [this](const Job& job) { onMeasured(job); }};
    bool m_computing = false;
    bool m_autoPicked = false;
    QVector<PopularityBias> m_results;
    QStringList m_resultNames;
};

}  // namespace recscope::ui
