// MovieLensDownloader against a local HTTP server started by the test (serving a zip of a
// generated dataset): a good download verifies and opens; a truncated body, a wrong checksum,
// an HTTP error, a cancel and a refused connection all fail with a message and leave nothing in
// the cache. Also the release catalogue, DownloadDialog and WelcomePage.

#include <QtTest>

#include <zip.h>
#include <QCommandLinkButton>
#include <QCryptographicHash>
#include <QPushButton>
#include <QRadioButton>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>

#include <regex>

#include "core/data/DatasetLoader.h"
#include "core/data/MovieLensReleases.h"
#include "core/data/MovieLensWriter.h"
#include "core/data/SyntheticGenerator.h"
#include "ui/download/DownloadDialog.h"
#include "ui/download/MovieLensDownloader.h"
#include "ui/shell/WelcomePage.h"

using namespace recscope;
using namespace recscope::ui;

namespace {

// A one-file HTTP/1.1 server: answers every GET according to mode, then closes.
class TinyHttpServer : public QObject {
public:
    enum class Mode {
        Full,       // 200, Content-Length, the whole body
        Truncated,  // 200, Content-Length of the whole body, half of it, then close
        Stall,      // 200, Content-Length, a first chunk, then nothing (for cancel)
        NotFound    // 404
    };

    explicit TinyHttpServer(QByteArray body) : m_body(std::move(body)) {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* socket = m_server.nextPendingConnection())
                serve(socket);
        });
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    QUrl baseUrl() const {
        return QUrl(QStringLiteral("http://127.0.0.1:%1/datasets/").arg(m_server.serverPort()));
    }
    void setMode(Mode mode) { m_mode = mode; }
    void setBody(QByteArray body) { m_body = std::move(body); }
    QStringList requestedPaths() const { return m_paths; }
    bool firstChunkSent() const { return m_firstChunkSent; }

private:
    void serve(QTcpSocket* socket) {
        socket->setParent(this);
        auto request = std::make_shared<QByteArray>();
        connect(socket, &QTcpSocket::readyRead, this, [this, socket, request] {
            request->append(socket->readAll());
            if (!request->contains("\r\n\r\n"))
                return;
            m_paths << QString::fromLatin1(request->split(' ').value(1));
            respond(socket);
        });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }

    void respond(QTcpSocket* socket) {
        const QByteArray length = QByteArray::number(m_body.size());
        const QByteArray okHeader =
            "HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\n"
            "Content-Length: " +
            length + "\r\nConnection: close\r\n\r\n";
        switch (m_mode) {
            case Mode::Full:
                socket->write(okHeader + m_body);
                socket->disconnectFromHost();  // after the buffered bytes are written
                break;
            case Mode::Truncated:
                socket->write(okHeader + m_body.left(m_body.size() / 2));
                socket->disconnectFromHost();
                break;
            case Mode::Stall:
                socket->write(okHeader + m_body.left(1024));
                socket->flush();
                m_firstChunkSent = true;
                break;
            case Mode::NotFound:
                socket->write(
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\n"
                    "not found");
                socket->disconnectFromHost();
                break;
        }
    }

    QTcpServer m_server;
    QByteArray m_body;
    Mode m_mode = Mode::Full;
    QStringList m_paths;
    bool m_firstChunkSent = false;
};

SyntheticConfig smallConfig() {
    SyntheticConfig config;
    config.seed = 11;
    config.users = 60;
    config.items = 90;
    config.ratings = 1500;
    config.userMetadata = false;
    return config;
}

QByteArray readAll(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Files left in the cache folder (a test fails if anything half-written stays).
QStringList cacheEntries(const QString& dir) {
    return QDir(dir).entryList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden);
}

}  // namespace

class TestDownload : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void catalogue();
    void goodDownloadOpens();
    void truncatedDownloadLeavesNothing();
    void wrongChecksumLeavesNothing();
    void wrongSizeLeavesNothing();
    void httpErrorLeavesNothing();
    void notAZipLeavesNothing();
    void cancelLeavesNothing();
    void connectionRefused();
    void dialogDownloadsAndReportsErrors();
    void welcomePageSignals();

private:
    MovieLensRelease testRelease() const;
    void runUntilDone(MovieLensDownloader& downloader, QSignalSpy& finished, QSignalSpy& failed);

    QTemporaryDir m_tmp;
    QByteArray m_zip;
    Dataset m_dataset;
    std::unique_ptr<TinyHttpServer> m_server;
    QString m_cache;
};

void TestDownload::initTestCase() {
    QVERIFY(m_tmp.isValid());
    Result<Dataset> generated = generateSynthetic(smallConfig());
    QVERIFY(generated.ok());
    m_dataset = std::move(generated).value();

    // The release laid out as GroupLens ships it: one folder inside the zip.
    const std::string dir = m_tmp.filePath("ml-test").toStdString();
    QVERIFY(writeMovieLens(m_dataset, DatasetFormat::MlCsv, dir).ok());
    const std::string zipPath = m_tmp.filePath("ml-test.zip").toStdString();
    int err = 0;
    zip_t* z = zip_open(zipPath.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
    QVERIFY(z);
    QVERIFY(zip_dir_add(z, "ml-test", ZIP_FL_ENC_UTF_8) >= 0);
    for (const char* f : {"ratings.csv", "movies.csv"}) {
        zip_source_t* src = zip_source_file(z, (dir + "/" + f).c_str(), 0, -1);
        QVERIFY(src);
        QVERIFY(zip_file_add(z, (std::string("ml-test/") + f).c_str(), src, ZIP_FL_ENC_UTF_8) >= 0);
    }
    QCOMPARE(zip_close(z), 0);
    m_zip = readAll(QString::fromStdString(zipPath));
    QVERIFY(m_zip.size() > 1000);

    m_server = std::make_unique<TinyHttpServer>(m_zip);
    QVERIFY(m_server->listen());
}

void TestDownload::init() {
    m_server->setMode(TinyHttpServer::Mode::Full);
    m_server->setBody(m_zip);
    m_cache = m_tmp.filePath(QStringLiteral("cache-%1").arg(QTest::currentTestFunction()));
}

MovieLensRelease TestDownload::testRelease() const {
    MovieLensRelease release;
    release.id = "ml-test";
    release.title = "MovieLens Test";
    release.summary = "1,500 ratings";
    release.sizeBytes = m_zip.size();
    release.md5 = QCryptographicHash::hash(m_zip, QCryptographicHash::Md5).toHex().toStdString();
    return release;
}

void TestDownload::runUntilDone(MovieLensDownloader& downloader, QSignalSpy& finished,
                                QSignalSpy& failed) {
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() == 1, 20000);
    QVERIFY(!downloader.isRunning());
}

void TestDownload::catalogue() {
    const std::vector<MovieLensRelease>& releases = movieLensReleases();
    QStringList ids;
    for (const MovieLensRelease& r : releases)
        ids << QString::fromStdString(r.id);
    QCOMPARE(ids, QStringList({"ml-latest-small", "ml-100k", "ml-1m", "ml-10m", "ml-20m", "ml-25m",
                               "ml-32m"}));
    const std::regex hex("[0-9a-f]{32}");
    for (const MovieLensRelease& r : releases) {
        QVERIFY(r.sizeBytes > 0);
        QVERIFY(!r.title.empty() && !r.summary.empty());
        if (r.id != "ml-latest-small")  // no published checksum could be pinned for it
            QVERIFY2(std::regex_match(r.md5, hex), r.id.c_str());
    }
    QCOMPARE(movieLensReleaseUrl(*findMovieLensRelease("ml-100k")),
             std::string("https://files.grouplens.org/datasets/movielens/ml-100k.zip"));
    QCOMPARE(findMovieLensRelease("ml-100k")->sizeBytes, int64_t(4924029));
    QCOMPARE(findMovieLensRelease("ml-25m")->md5, std::string("6b51fb2759a8657d3bfcbfc42b592ada"));
    QVERIFY(findMovieLensRelease("ml-7m") == nullptr);
}

void TestDownload::goodDownloadOpens() {
    MovieLensDownloader downloader;
    downloader.setCacheDir(m_cache);
    downloader.setBaseUrl(m_server->baseUrl());
    QSignalSpy finished(&downloader, &MovieLensDownloader::finished);
    QSignalSpy failed(&downloader, &MovieLensDownloader::failed);
    QSignalSpy progress(&downloader, &MovieLensDownloader::progress);
    const MovieLensRelease release = testRelease();
    QVERIFY(!downloader.isCached(release));

    downloader.start(release);
    QVERIFY(downloader.isRunning());
    runUntilDone(downloader, finished, failed);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.at(0).at(0).toString()));
    QCOMPARE(m_server->requestedPaths().last(), QStringLiteral("/datasets/ml-test.zip"));

    // Unpacked into <cache>/ml-test (the archive's top folder dropped); no zip, .part or
    // .partial left; the files are those that went into the zip.
    const QString path = finished.at(0).at(0).toString();
    QCOMPARE(path, QDir(m_cache).filePath("ml-test"));
    QCOMPARE(cacheEntries(m_cache), QStringList{"ml-test"});
    QCOMPARE(cacheEntries(path), QStringList({"movies.csv", "ratings.csv"}));
    for (const char* f : {"ratings.csv", "movies.csv"})
        QCOMPARE(readAll(QDir(path).filePath(f)), readAll(m_tmp.filePath("ml-test/") + f));
    QVERIFY(downloader.isCached(release));

    // Progress ends at the published size.
    QVERIFY(progress.count() >= 2);
    QCOMPARE(progress.last().at(0).toLongLong(), qint64(m_zip.size()));
    QCOMPARE(progress.last().at(1).toLongLong(), qint64(m_zip.size()));

    LoadOptions options;
    options.useCache = false;
    const Result<Dataset> loaded = loadDataset(path.toStdString(), options);
    QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().toString().c_str());
    QCOMPARE(loaded->format(), DatasetFormat::MlCsv);
    QCOMPARE(loaded->numRatings(), m_dataset.numRatings());
    QCOMPARE(loaded->numRatedUsers(), m_dataset.numRatedUsers());
    QCOMPARE(loaded->numRatedItems(), m_dataset.numRatedItems());
}

void TestDownload::truncatedDownloadLeavesNothing() {
    m_server->setMode(TinyHttpServer::Mode::Truncated);
    MovieLensDownloader downloader;
    downloader.setCacheDir(m_cache);
    downloader.setBaseUrl(m_server->baseUrl());
    QSignalSpy finished(&downloader, &MovieLensDownloader::finished);
    QSignalSpy failed(&downloader, &MovieLensDownloader::failed);
    downloader.start(testRelease());
    runUntilDone(downloader, finished, failed);
    QCOMPARE(failed.count(), 1);
    const QString message = failed.at(0).at(0).toString();
    QVERIFY2(message.contains("MovieLens Test"), qPrintable(message));
    // Either the connection broke, or the body was shorter than announced: both name the count.
    QVERIFY2(message.contains("broke after") || message.contains("ended after"),
             qPrintable(message));
    QVERIFY(cacheEntries(m_cache).isEmpty());
}

void TestDownload::wrongChecksumLeavesNothing() {
    MovieLensRelease release = testRelease();
    release.md5 = "00000000000000000000000000000000";
    MovieLensDownloader downloader;
    downloader.setCacheDir(m_cache);
    downloader.setBaseUrl(m_server->baseUrl());
    QSignalSpy finished(&downloader, &MovieLensDownloader::finished);
    QSignalSpy failed(&downloader, &MovieLensDownloader::failed);
    downloader.start(release);
    runUntilDone(downloader, finished, failed);
    QCOMPARE(failed.count(), 1);
    const QString message = failed.at(0).at(0).toString();
    QVERIFY2(message.contains("MD5") && message.contains("00000000000000000000000000000000"),
             qPrintable(message));
    QVERIFY(cacheEntries(m_cache).isEmpty());
    QVERIFY(!downloader.isCached(release));
}

void TestDownload::wrongSizeLeavesNothing() {
    // The server's file is complete but not the published size (a re-released archive).
    MovieLensRelease release = testRelease();
    release.sizeBytes += 10;
    MovieLensDownloader downloader;
    downloader.setCacheDir(m_cache);
    downloader.setBaseUrl(m_server->baseUrl());
    QSignalSpy finished(&downloader, &MovieLensDownloader::finished);
    QSignalSpy failed(&downloader, &MovieLensDownloader::failed);
    downloader.start(release);
    runUntilDone(downloader, finished, failed);
    QCOMPARE(failed.count(), 1);
    QVERIFY2(failed.at(0).at(0).toString().contains("published size"),
             qPrintable(failed.at(0).at(0).toString()));
    QVERIFY(cacheEntries(m_cache).isEmpty());

    // And one smaller than the server's file is refused as soon as the excess arrives.
    release.sizeBytes = m_zip.size() - 10;
    downloader.start(release);
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 2, 20000);
    QVERIFY2(failed.at(1).at(0).toString().contains("more than the published"),
             qPrintable(failed.at(1).at(0).toString()));
    QVERIFY(finished.isEmpty());
    QVERIFY(cacheEntries(m_cache).isEmpty());
}

void TestDownload::httpErrorLeavesNothing() {
    m_server->setMode(TinyHttpServer::Mode::NotFound);
    MovieLensDownloader downloader;
    downloader.setCacheDir(m_cache);
    downloader.setBaseUrl(m_server->baseUrl());
    QSignalSpy finished(&downloader, &MovieLensDownloader::finished);
    QSignalSpy failed(&downloader, &MovieLensDownloader::failed);
    downloader.start(testRelease());
    runUntilDone(downloader, finished, failed);
    QCOMPARE(failed.count(), 1);
    QVERIFY2(failed.at(0).at(0).toString().contains("HTTP 404"),
             qPrintable(failed.at(0).at(0).toString()));
    QVERIFY(cacheEntries(m_cache).isEmpty());
}

void TestDownload::notAZipLeavesNothing() {
    // Right size and checksum (as a wrong catalogue entry would have), but not a release.
    const QByteArray html(3000, 'x');
    m_server->setBody(html);
    MovieLensRelease release = testRelease();
    release.sizeBytes = html.size();
    release.md5 = QCryptographicHash::hash(html, QCryptographicHash::Md5).toHex().toStdString();
    MovieLensDownloader downloader;
    downloader.setCacheDir(m_cache);
    downloader.setBaseUrl(m_server->baseUrl());
    QSignalSpy finished(&downloader, &MovieLensDownloader::finished);
    QSignalSpy failed(&downloader, &MovieLensDownloader::failed);
    downloader.start(release);
    runUntilDone(downloader, finished, failed);
    QCOMPARE(failed.count(), 1);
    QVERIFY2(failed.at(0).at(0).toString().contains("not a MovieLens release"),
             qPrintable(failed.at(0).at(0).toString()));
    QVERIFY(cacheEntries(m_cache).isEmpty());
}

void TestDownload::cancelLeavesNothing() {
    m_server->setMode(TinyHttpServer::Mode::Stall);
    MovieLensDownloader downloader;
    downloader.setCacheDir(m_cache);
    downloader.setBaseUrl(m_server->baseUrl());
    QSignalSpy finished(&downloader, &MovieLensDownloader::finished);
    QSignalSpy failed(&downloader, &MovieLensDownloader::failed);
    QSignalSpy cancelled(&downloader, &MovieLensDownloader::cancelled);
    QSignalSpy progress(&downloader, &MovieLensDownloader::progress);
    const MovieLensRelease release = testRelease();
    downloader.start(release);
    // Mid-download: the first kilobyte has arrived and the .part file exists.
    QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty() && progress.last().at(0).toLongLong() == 1024,
                             20000);
    QVERIFY(QFile::exists(downloader.partPath(release)));
    downloader.cancel();
    QCOMPARE(cancelled.count(), 1);
    QVERIFY(!downloader.isRunning());
    QTest::qWait(50);  // nothing arrives after a cancel
    QVERIFY(finished.isEmpty() && failed.isEmpty());
    QVERIFY(cacheEntries(m_cache).isEmpty());
}

void TestDownload::connectionRefused() {
    // A port that was just open and is now closed: nothing listens there.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();

    MovieLensDownloader downloader;
    downloader.setCacheDir(m_cache);
    downloader.setBaseUrl(QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(port)));
    QSignalSpy finished(&downloader, &MovieLensDownloader::finished);
    QSignalSpy failed(&downloader, &MovieLensDownloader::failed);
    downloader.start(testRelease());
    runUntilDone(downloader, finished, failed);
    QCOMPARE(failed.count(), 1);
    const QString message = failed.at(0).at(0).toString();
    QVERIFY2(message.contains("refused the connection") && message.contains("127.0.0.1"),
             qPrintable(message));
    QVERIFY(cacheEntries(m_cache).isEmpty());
}

void TestDownload::dialogDownloadsAndReportsErrors() {
    MovieLensRelease other = testRelease();
    other.id = "ml-other";
    other.title = "MovieLens Other";
    DownloadDialog dialog(nullptr, {testRelease(), other});
    dialog.downloader()->setCacheDir(m_cache);
    dialog.downloader()->setBaseUrl(m_server->baseUrl());
    dialog.show();
    QCOMPARE(dialog.selectedReleaseId(), QStringLiteral("ml-test"));
    auto* download = dialog.findChild<QPushButton*>("downloadButton");
    auto* radio = dialog.findChild<QRadioButton*>("release_ml-other");
    QVERIFY(download && radio);

    // A failure is shown in the dialog, which stays open for a retry.
    m_server->setMode(TinyHttpServer::Mode::NotFound);
    QSignalSpy ready(&dialog, &DownloadDialog::datasetReady);
    download->click();
    QVERIFY(!download->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(download->isEnabled(), 20000);
    QVERIFY2(dialog.statusText().contains("HTTP 404"), qPrintable(dialog.statusText()));
    QVERIFY(dialog.isVisible());
    QVERIFY(ready.isEmpty());

    // The other release: /datasets/ml-other.zip, the same bytes, verified and handed back.
    m_server->setMode(TinyHttpServer::Mode::Full);
    radio->click();
    QCOMPARE(dialog.selectedReleaseId(), QStringLiteral("ml-other"));
    download->click();
    QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, 20000);
    QCOMPARE(ready.at(0).at(0).toString(), QDir(m_cache).filePath("ml-other"));
    QCOMPARE(m_server->requestedPaths().last(), QStringLiteral("/datasets/ml-other.zip"));
    QVERIFY(!dialog.isVisible());

    // Already in the cache: handed back at once, no request made.
    const int requests = int(m_server->requestedPaths().size());
    DownloadDialog again(nullptr, {testRelease(), other});
    again.downloader()->setCacheDir(m_cache);
    again.downloader()->setBaseUrl(m_server->baseUrl());
    again.selectRelease(QStringLiteral("ml-other"));
    QSignalSpy readyAgain(&again, &DownloadDialog::datasetReady);
    again.startDownload();
    QCOMPARE(readyAgain.count(), 1);
    QCOMPARE(int(m_server->requestedPaths().size()), requests);
}

void TestDownload::welcomePageSignals() {
    WelcomePage page;
    QSignalSpy demo(&page, &WelcomePage::demoRequested);
    QSignalSpy open(&page, &WelcomePage::openRequested);
    QSignalSpy download(&page, &WelcomePage::downloadRequested);
    QSignalSpy recent(&page, &WelcomePage::recentRequested);
    page.findChild<QCommandLinkButton*>("welcomeDemo")->click();
    page.findChild<QCommandLinkButton*>("welcomeOpen")->click();
    page.findChild<QCommandLinkButton*>("welcomeDownload")->click();
    page.findChild<QCommandLinkButton*>("welcomeDownload")->click();
    QCOMPARE(demo.count(), 1);
    QCOMPARE(open.count(), 1);
    QCOMPARE(download.count(), 2);

    page.setRecentDatasets({"/data/ml-100k", "/data/ml-1m.zip", "/data/ml-20m"});
    page.setRecentDatasets({"/data/ml-1m.zip", "/data/ml-100k"});  // rebuilt, not appended
    QVERIFY(page.findChild<QCommandLinkButton*>("welcomeRecent2") == nullptr);
    auto* second = page.findChild<QCommandLinkButton*>("welcomeRecent1");
    QVERIFY(second);
    QCOMPARE(second->text(), QStringLiteral("ml-100k"));
    second->click();
    QCOMPARE(recent.count(), 1);
    QCOMPARE(recent.at(0).at(0).toString(), QStringLiteral("/data/ml-100k"));
}

QTEST_MAIN(TestDownload)
#include "tst_download.moc"
