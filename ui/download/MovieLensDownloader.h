#pragma once
// Downloads one official MovieLens release into a cache folder, verifies it and unpacks it
// before anyone opens it. The archive is streamed to "<cache>/<id>.zip.part" while its MD5 is
// computed; only a download whose byte count matches the published size and whose MD5 matches
// the published checksum is renamed to "<cache>/<id>.zip". That zip is then unpacked on a worker
// thread (core extractArchive: all or nothing through "<cache>/<id>.partial") into the folder
// "<cache>/<id>", and the zip is deleted. Any failure or a cancel, during the download or the
// unpacking, deletes what was written, so nothing half-written is ever left in the cache.
//
// GUI thread only. One download at a time.

#include <QCryptographicHash>
#include <QFile>
#include <QFuture>
#include <QObject>
#include <QUrl>
#include <memory>

#include "core/common/Progress.h"
#include "core/common/Status.h"
#include "core/data/MovieLensReleases.h"

class QNetworkAccessManager;
class QNetworkReply;

namespace recscope::ui {

class MovieLensDownloader : public QObject {
    Q_OBJECT
public:
    explicit MovieLensDownloader(QObject* parent = nullptr);
    ~MovieLensDownloader() override;

    // Default: QStandardPaths::AppDataLocation + "/datasets". Tests point it at a temp folder.
    static QString defaultCacheDir();
    void setCacheDir(const QString& dir) { m_cacheDir = dir; }
    QString cacheDir() const { return m_cacheDir; }

    // Default: kMovieLensBaseUrl. Must end with '/'. Tests point it at a local server.
    void setBaseUrl(const QUrl& url) { m_baseUrl = url; }
    QUrl baseUrl() const { return m_baseUrl; }

    // Where the unpacked release lives (whether or not it exists yet): "<cache>/<id>".
    QString folderPath(const MovieLensRelease& release) const;
    // The verified archive while it is being unpacked, and the download in flight.
    QString archivePath(const MovieLensRelease& release) const;
    QString partPath(const MovieLensRelease& release) const;
    // True when the unpacked release is already in the cache.
    bool isCached(const MovieLensRelease& release) const;

    bool isRunning() const { return m_reply != nullptr || m_unpacking; }

    // Starts downloading. Emits exactly one of finished, failed or cancelled afterwards (failed
    // at once when a download is already running or the cache folder cannot be written).
    void start(const MovieLensRelease& release);
    // Aborts a running download (or unpacking) and deletes what it wrote; emits cancelled.
    void cancel();

signals:
    // bytesTotal is the published size, or the server's Content-Length, or -1 when unknown.
    void progress(qint64 bytesReceived, qint64 bytesTotal);
    // The verified archive is being unpacked; fraction of its bytes written (0..1).
    void unpacking(double fraction);
    // Path of the unpacked release folder, ready for loadDataset().
    void finished(const QString& path);
    // A sentence for the user: what failed and what to do; no files were left behind.
    void failed(const QString& message);
    void cancelled();

private:
    void onReadyRead();
    void onReplyFinished();
    void fail(const QString& reason);
    void cleanUp();
    void startUnpacking(const QString& archive);
    void onUnpacked(const Status& status);
    QString describeNetworkError() const;

    QNetworkAccessManager* m_network;
    QString m_cacheDir;
    QUrl m_baseUrl;

    MovieLensRelease m_release;
    QNetworkReply* m_reply = nullptr;  // owned by m_network; deleteLater once done
    QFile m_part;
    QCryptographicHash m_md5{QCryptographicHash::Md5};
    qint64 m_received = 0;
    bool m_ownsPart = false;  // the .part file is ours to delete on failure or cancel

    bool m_unpacking = false;
    std::shared_ptr<CancelToken> m_unpackCancel;
    QFuture<Status> m_unpackFuture;
};

}  // namespace recscope::ui
