#pragma once
// The open dataset: the document every view reads. Owns the loaded Dataset (shared, immutable)
// and the worker thread that loads the next one. GUI thread only.
//
// A new load supersedes any load in flight (the old one is cancelled and its late replies are
// dropped). A failed or cancelled load keeps the previous dataset, so the window stays usable.
// Every state change is announced by the one `changed` signal; read the state from the getters.

#include <QObject>
#include <QString>
#include <cstdint>
#include <memory>
#include <optional>

#include "core/common/Progress.h"
#include "core/common/Status.h"
#include "core/data/Dataset.h"
#include "core/data/SyntheticGenerator.h"
#include "ui/session/DatasetLoadRequest.h"
#include "ui/dataset/DatasetSummary.h"

class QThread;

namespace recscope::ui {

class DatasetLoadWorker;

class DatasetSession : public QObject {
    Q_OBJECT
public:
    enum class Change {
        LoadStarted,      // isLoading() became true; loadingLabel() names the source
        LoadProgressed,   // loadStage() / loadFraction() moved
        DatasetReplaced,  // dataset(), summary(), sourceLabel() are new; load finished
        LoadFailed,       // lastError() holds why; previous dataset kept
        LoadCancelled,    // previous dataset kept
    };
    Q_ENUM(Change)

    explicit DatasetSession(QObject* parent = nullptr);
    // Cancels the load in flight and waits for the worker thread to end.
    ~DatasetSession() override;

    void openPath(const QString& path);
    void openDemo();
    void openSynthetic(const SyntheticConfig& config, const QString& label);
    // No-op when nothing is loading. The worker notices at its next cancellation check.
    void cancel();

    bool isLoading() const { return m_loadingId != 0; }
    QString loadingLabel() const { return m_loadingLabel; }
    QString loadStage() const { return m_stage; }
    double loadFraction() const { return m_fraction; }  // 0..1, < 0 when unknown

    // Null until the first successful load.
    std::shared_ptr<const Dataset> dataset() const { return m_dataset; }
    const DatasetSummary& summary() const { return m_summary; }
    // The path the dataset came from, or "Demo data" / the synthetic label.
    QString sourceLabel() const { return m_sourceLabel; }
    // The path when the current dataset came from disk, else empty.
    QString sourcePath() const { return m_sourcePath; }
    // How a run records the data: RunConfig::dataset (the path, or "demo") and the short name
    // of its DatasetIdentity ("ml-100k", "demo"; a zip without ".zip").
    QString recordPath() const;
    QString recordName() const;

    // The error of the last failed load; cleared when a load starts.
    std::optional<Error> lastError() const { return m_lastError; }
    // Label of the load that failed or was cancelled last.
    QString failedLabel() const { return m_failedLabel; }

signals:
    void changed(recscope::ui::DatasetSession::Change change);
    void loadRequested(const recscope::ui::DatasetLoadRequest& request);  // to the worker

private:
    void start(DatasetLoadRequest request, const QString& label);
    void onProgressed(quint64 id, const QString& stage, double fraction);
    void onLoaded(quint64 id, std::shared_ptr<const Dataset> dataset,
                  const DatasetSummary& summary);
    void onFailed(quint64 id, const Error& error);

    QThread* m_thread = nullptr;
    DatasetLoadWorker* m_worker = nullptr;  // lives on m_thread; deleted when it finishes

    uint64_t m_nextId = 1;
    uint64_t m_loadingId = 0;  // 0 = idle
    std::shared_ptr<CancelToken> m_cancel;
    QString m_loadingLabel;
    QString m_loadingPath;
    QString m_stage;
    double m_fraction = -1;

    std::shared_ptr<const Dataset> m_dataset;
    DatasetSummary m_summary;
    QString m_sourceLabel;
    QString m_sourcePath;
    std::optional<Error> m_lastError;
    QString m_failedLabel;
};

}  // namespace recscope::ui
