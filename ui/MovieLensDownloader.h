#pragma once
// Downloads one official MovieLens release into a cache folder and verifies it before anyone
// opens it. The archive is streamed to "<cache>/<id>.zip.part" while its MD5 is computed; only
// a download whose byte count matches the published size and whose MD5 matches the published
// checksum is renamed to "<cache>/<id>.zip". The zip is not unpacked: the core reads the
// official archives directly (and caches the parsed dataset), so an unpacked copy would only
// double the disk space. Any failure or a cancel deletes the .part file, so nothing
// half-written is ever left in the cache.
//
// GUI thread only. One download at a time.

#include <QCryptographicHash>
#include <QFile>
#include <QObject>
#include <QUrl>

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

    // Where a verified copy of the release lives (whether or not it exists yet).
    QString archivePath(const MovieLensRelease& release) const;
    QString partPath(const MovieLensRelease& release) const;
    // True when the verified archive is already in the cache (size checked, not re-hashed).
    bool isCached(const MovieLensRelease& release) const;

    bool isRunning() const { return m_reply != nullptr; }

    // Starts downloading. Emits exactly one of finished, failed or cancelled afterwards (failed
    // at once when a download is already running or the cache folder cannot be written).
    void start(const MovieLensRelease& release);
    // Aborts a running download and deletes its .part file; emits cancelled.
    void cancel();

signals:
    // bytesTotal is the published size, or the server's Content-Length, or -1 when unknown.
    void progress(qint64 bytesReceived, qint64 bytesTotal);
    // Path of the verified .zip, ready for loadDataset().
    void finished(const QString& path);
    // A sentence for the user: what failed and what to do; no files were left behind.
    void failed(const QString& message);
    void cancelled();

private:
    void onReadyRead();
    void onReplyFinished();
    void fail(const QString& reason);
    void cleanUp();
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
};

}  // namespace recscope::ui
