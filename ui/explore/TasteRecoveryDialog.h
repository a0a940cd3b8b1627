#pragma once
// "What did the model learn?" for a run trained on the synthetic data (the fourth lesson): the
// generator knows each user's hidden genre tastes; for every genre a bar shows the correlation
// over users between that true taste and how much the run's model favours the genre for the
// user (core measureTasteRecovery), with a table of the numbers. The run comes from
// LoadedRunCache; the measurement runs on a worker thread. Non-modal; GUI thread only.

#include <QDialog>
#include <QFutureWatcher>
#include <memory>

#include "core/common/Status.h"
#include "core/inspect/LoadedRun.h"
#include "core/inspect/TasteRecovery.h"

class QCustomPlot;
class QLabel;
class QStandardItemModel;
class QTableView;

namespace recscope::ui {

class LoadedRunCache;

class TasteRecoveryDialog : public QDialog {
    Q_OBJECT
public:
    TasteRecoveryDialog(LoadedRunCache* cache, qint64 runId, QWidget* parent = nullptr);
    ~TasteRecoveryDialog() override;

    qint64 runId() const { return m_runId; }
    bool isReady() const { return m_ready; }
    // The measurement shown (valid when isReady()).
    const TasteRecovery& result() const { return m_result; }
    QString statusText() const;
    QCustomPlot* plot() const { return m_plot; }
    QStandardItemModel* tableModel() const { return m_model; }

signals:
    void measured();

private:
    void onLoaded(qint64 runId, std::shared_ptr<const LoadedRun> run);
    void showResult(const Result<TasteRecovery>& result);

    LoadedRunCache* m_cache;
    qint64 m_runId;
    QLabel* m_status;
    QCustomPlot* m_plot;
    QStandardItemModel* m_model;
    QTableView* m_table;
    QFutureWatcher<Result<TasteRecovery>> m_watcher;
    std::shared_ptr<CancelToken> m_cancel;
    TasteRecovery m_result;
    bool m_ready = false;
};

}  // namespace recscope::ui
