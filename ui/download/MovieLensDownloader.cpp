#include "ui/download/MovieLensDownloader.h"

#include <QDir>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QStandardPaths>
#include <QtConcurrent>

#include "core/data/ArchiveExtractor.h"
#include "core/data/DatasetLoader.h"

namespace recscope::ui {

namespace {

// A stalled connection fails after this long without a byte, instead of hanging forever.
constexpr int kTransferTimeoutMs = 60000;

QString bytesText(qint64 bytes) {
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

QString exactBytes(qint64 bytes) {
    return QLocale().toString(bytes);
}

}  // namespace

MovieLensDownloader::MovieLensDownloader(QObject* parent)
    : QObject(parent),
      m_network(new QNetworkAccessManager(this)),
      m_cacheDir(defaultCacheDir()),
      m_baseUrl(QString::fromLatin1(kMovieLensBaseUrl)) {}

MovieLensDownloader::~MovieLensDownloader() {
    if (m_reply) {
        disconnect(m_reply, nullptr, this, nullptr);
        m_reply->abort();
    }
    cleanUp();
    if (m_unpacking) {
        // The worker writes under <cache>; let it stop and clean up before the object goes.
        m_unpackCancel->cancel();
        m_unpackFuture.waitForFinished();
        QFile::remove(archivePath(m_release));
    }
}

QString MovieLensDownloader::defaultCacheDir() {
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/datasets");
}

QString MovieLensDownloader::folderPath(const MovieLensRelease& release) const {
    return QDir(m_cacheDir).filePath(QString::fromStdString(release.id));
}

QString MovieLensDownloader::archivePath(const MovieLensRelease& release) const {
    return QDir(m_cacheDir).filePath(QString::fromStdString(release.fileName()));
}

QString MovieLensDownloader::partPath(const MovieLensRelease& release) const {
    return archivePath(release) + QStringLiteral(".part");
}

bool MovieLensDownloader::isCached(const MovieLensRelease& release) const {
    // The folder appears by one rename after a complete unpack, so its presence is enough.
    return QFileInfo(folderPath(release)).isDir();
}

void MovieLensDownloader::start(const MovieLensRelease& release) {
    if (isRunning()) {
        emit failed(tr("A download is already running; wait for it or cancel it first."));
        return;
    }
    m_release = release;
    m_received = 0;
    m_md5.reset();

    if (!QDir().mkpath(m_cacheDir)) {
        emit failed(tr("Could not download %1: the folder %2 cannot be created.")
                        .arg(QString::fromStdString(release.title), m_cacheDir));
        return;
    }
    m_part.setFileName(partPath(release));
    if (!m_part.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        emit failed(tr("Could not download %1: %2 cannot be written (%3).")
                        .arg(QString::fromStdString(release.title), m_part.fileName(),
                             m_part.errorString()));
        return;
    }
    m_ownsPart = true;

    QNetworkRequest request(m_baseUrl.resolved(QUrl(QString::fromStdString(release.fileName()))));
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setTransferTimeout(kTransferTimeoutMs);
    request.setHeader(QNetworkRequest::UserAgentHeader,
                      QStringLiteral("RecScope/%1").arg(QStringLiteral(RECSCOPE_VERSION)));
    m_reply = m_network->get(request);
    connect(m_reply, &QNetworkReply::readyRead, this, &MovieLensDownloader::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &MovieLensDownloader::onReplyFinished);
    emit progress(0, release.sizeBytes > 0 ? release.sizeBytes : -1);
}

void MovieLensDownloader::cancel() {
    if (!isRunning())
        return;
    if (m_unpacking) {
        m_unpackCancel->cancel();  // onUnpacked sees "cancelled" and emits cancelled()
        return;
    }
    disconnect(m_reply, nullptr, this, nullptr);
    m_reply->abort();
    m_reply->deleteLater();
    m_reply = nullptr;
    cleanUp();
    emit cancelled();
}

void MovieLensDownloader::onReadyRead() {
    if (!m_reply)
        return;
    const QByteArray bytes = m_reply->readAll();
    if (bytes.isEmpty())
        return;
    if (m_release.sizeBytes > 0 && m_received + bytes.size() > m_release.sizeBytes) {
        fail(tr("the server sent more than the published %1 bytes")
                 .arg(exactBytes(m_release.sizeBytes)));
        return;
    }
    if (m_part.write(bytes) != bytes.size()) {
        fail(tr("%1 could not be written (%2)").arg(m_part.fileName(), m_part.errorString()));
        return;
    }
    m_md5.addData(bytes);
    m_received += bytes.size();
    qint64 total = m_release.sizeBytes;
    if (total <= 0) {
        const QVariant length = m_reply->header(QNetworkRequest::ContentLengthHeader);
        total = length.isValid() ? length.toLongLong() : -1;
    }
    emit progress(m_received, total);
}

void MovieLensDownloader::onReplyFinished() {
    onReadyRead();  // whatever arrived with the last packet
    if (!m_reply)
        return;  // onReadyRead failed
    QNetworkReply* reply = m_reply;

    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 300) {
        const QString phrase =
            reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
        fail(tr("the server answered HTTP %1 %2 for %3")
                 .arg(status)
                 .arg(phrase, reply->url().toDisplayString()));
        return;
    }
    if (reply->error() != QNetworkReply::NoError) {
        if (m_received > 0) {
            fail(tr("the connection broke after %1 of %2 (%3)")
                     .arg(bytesText(m_received),
                          m_release.sizeBytes > 0 ? bytesText(m_release.sizeBytes)
                                                  : tr("an unknown size"),
                          reply->errorString()));
        } else {
            fail(describeNetworkError());
        }
        return;
    }
    const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
    if (length.isValid() && length.toLongLong() != m_received) {
        fail(tr("the download ended after %1 of the %2 bytes the server announced")
                 .arg(exactBytes(m_received), exactBytes(length.toLongLong())));
        return;
    }
    if (m_release.sizeBytes > 0 && m_received != m_release.sizeBytes) {
        fail(tr("the download has %1 bytes but the published size is %2 bytes")
                 .arg(exactBytes(m_received), exactBytes(m_release.sizeBytes)));
        return;
    }
    const QString md5 = QString::fromLatin1(m_md5.result().toHex());
    if (!m_release.md5.empty() && md5 != QString::fromStdString(m_release.md5)) {
        fail(tr("its MD5 checksum is %1 but GroupLens publishes %2, so the file is damaged")
                 .arg(md5, QString::fromStdString(m_release.md5)));
        return;
    }
    if (!m_part.flush()) {
        fail(tr("%1 could not be written (%2)").arg(m_part.fileName(), m_part.errorString()));
        return;
    }
    m_part.close();

    const QString target = archivePath(m_release);
    QFile::remove(target);
    if (!QFile::rename(m_part.fileName(), target)) {
        fail(tr("%1 could not be renamed to %2").arg(m_part.fileName(), target));
        return;
    }
    m_ownsPart = false;
    // The archive must hold a release the core can read; a captive portal's HTML page with the
    // right size is unlikely, but a wrong catalogue entry is not.
    const Result<DatasetFormat> format = detectFormat(target.toStdString());
    if (!format) {
        QFile::remove(target);
        fail(tr("the archive is not a MovieLens release the app can read: %1")
                 .arg(QString::fromStdString(format.error().toString())));
        return;
    }
    reply->deleteLater();
    m_reply = nullptr;
    startUnpacking(target);
}

void MovieLensDownloader::startUnpacking(const QString& archive) {
    const QString folder = folderPath(m_release);
    if (QFileInfo::exists(folder)) {
        // Not cached (isCached is false) but something is in the way, e.g. a file by that name.
        QFile::remove(archive);
        emit failed(tr("Could not unpack %1: %2 already exists and is not a release folder; "
                       "remove it and try again.")
                        .arg(QString::fromStdString(m_release.title), folder));
        return;
    }
    m_unpacking = true;
    m_unpackCancel = std::make_shared<CancelToken>();
    emit unpacking(0.0);
    QPointer<MovieLensDownloader> self(this);
    auto lastPercent = std::make_shared<int>(-1);
    ProgressFn progressFn = [self, lastPercent](const Progress& p) {
        const int percent = int(p.fraction * 100.0);
        if (percent == *lastPercent)
            return;  // at most a hundred queued signals per archive
        *lastPercent = percent;
        QMetaObject::invokeMethod(
            self.data(),
            [self, fraction = p.fraction] {
                if (self && self->m_unpacking)
                    emit self->unpacking(fraction);
            },
            Qt::QueuedConnection);
    };
    const std::string zip = archive.toStdString();
    const std::string dest = folder.toStdString();
    std::shared_ptr<CancelToken> token = m_unpackCancel;
    m_unpackFuture = QtConcurrent::run([zip, dest, token, progressFn] {
        return extractArchive(zip, dest, progressFn, token.get());
    });
    auto* watcher = new QFutureWatcher<Status>(this);
    connect(watcher, &QFutureWatcher<Status>::finished, this, [this, watcher] {
        watcher->deleteLater();
        onUnpacked(m_unpackFuture.result());
    });
    watcher->setFuture(m_unpackFuture);
}

void MovieLensDownloader::onUnpacked(const Status& status) {
    m_unpacking = false;
    // The archive was only a means: the folder is what the app opens from now on.
    QFile::remove(archivePath(m_release));
    if (status.ok()) {
        emit finished(folderPath(m_release));
    } else if (status.error().cancelled()) {
        emit cancelled();
    } else {
        emit failed(tr("Could not unpack %1: %2. Nothing was kept.")
                        .arg(QString::fromStdString(m_release.title),
                             QString::fromStdString(status.error().toString())));
    }
}

void MovieLensDownloader::fail(const QString& reason) {
    if (m_reply) {
        disconnect(m_reply, nullptr, this, nullptr);
        m_reply->abort();
        m_reply->deleteLater();
        m_reply = nullptr;
    }
    cleanUp();
    emit failed(tr("Could not download %1: %2. Nothing was kept; try again later.")
                    .arg(QString::fromStdString(m_release.title), reason));
}

void MovieLensDownloader::cleanUp() {
    if (m_part.isOpen())
        m_part.close();
    if (m_ownsPart)
        QFile::remove(m_part.fileName());
    m_ownsPart = false;
}

QString MovieLensDownloader::describeNetworkError() const {
    const QString host = m_reply->url().host();
    switch (m_reply->error()) {
        case QNetworkReply::ConnectionRefusedError:
            return tr("the server %1 refused the connection").arg(host);
        case QNetworkReply::HostNotFoundError:
            return tr("the server %1 could not be found; check that this computer is online")
                .arg(host);
        case QNetworkReply::TimeoutError:
        case QNetworkReply::OperationCanceledError:
            return tr("the server %1 stopped answering").arg(host);
        case QNetworkReply::RemoteHostClosedError:
            return tr("the server %1 closed the connection before sending the file").arg(host);
        case QNetworkReply::NetworkSessionFailedError:
        case QNetworkReply::TemporaryNetworkFailureError:
        case QNetworkReply::UnknownNetworkError:
            return tr("there is no network connection (%1)").arg(m_reply->errorString());
        default:
            return m_reply->errorString();
    }
}

}  // namespace recscope::ui
