#pragma once
// "Download MovieLens…": pick an official release (title, size, contents), download it with a
// progress bar and Cancel, and hand the verified, unpacked release folder back through
// datasetReady. A release
// already in the cache is handed back at once, without the network. Errors are shown inline in
// the dialog, which stays open so that the user can retry or pick another release.

#include <QDialog>
#include <vector>

#include "core/data/MovieLensReleases.h"

class QButtonGroup;
class QDialogButtonBox;
class QLabel;
class QProgressBar;
class QPushButton;

namespace recscope::ui {

class MovieLensDownloader;

class DownloadDialog : public QDialog {
    Q_OBJECT
public:
    // releases: what to offer (default: the official catalogue). Radio buttons are named
    // "release_<id>" so tests can pick one.
    explicit DownloadDialog(QWidget* parent = nullptr,
                            std::vector<MovieLensRelease> releases = movieLensReleases());

    // The downloader the dialog drives (owned by the dialog); tests set its base URL and cache.
    MovieLensDownloader* downloader() const { return m_downloader; }

    QString selectedReleaseId() const;
    void selectRelease(const QString& id);
    QString statusText() const;

    // Starts the download of the selected release (what the Download button does).
    void startDownload();

signals:
    // A verified, unpacked release folder, ready to be opened with loadDataset().
    void datasetReady(const QString& path);

protected:
    void reject() override;                      // Esc / Close cancels a running download first
    void showEvent(QShowEvent* event) override;  // re-reads the cache (folder may have changed)

private:
    void onProgress(qint64 received, qint64 total);
    void onUnpacking(double fraction);
    void onFinished(const QString& path);
    void onFailed(const QString& message);
    void onCancelled();
    void setBusy(bool busy);
    void refreshCachedMarks();
    const MovieLensRelease* selectedRelease() const;

    std::vector<MovieLensRelease> m_releases;
    MovieLensDownloader* m_downloader;
    QLabel* m_intro;
    QButtonGroup* m_group;
    std::vector<QLabel*> m_sizeLabels;
    QProgressBar* m_progress;
    QLabel* m_status;
    QPushButton* m_download;
    QPushButton* m_cancel;
};

}  // namespace recscope::ui
