#include "ui/download/DownloadDialog.h"

#include <QButtonGroup>
#include <QDialogButtonBox>
#include <QDir>
#include <QGridLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

#include "ui/download/MovieLensDownloader.h"

namespace recscope::ui {

namespace {

QString sizeText(qint64 bytes) {
    return bytes > 0 ? QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat)
                     : QObject::tr("size unknown");
}

}  // namespace

DownloadDialog::DownloadDialog(QWidget* parent, std::vector<MovieLensRelease> releases)
    : QDialog(parent),
      m_releases(std::move(releases)),
      m_downloader(new MovieLensDownloader(this)),
      m_intro(new QLabel(this)),
      m_group(new QButtonGroup(this)),
      m_progress(new QProgressBar(this)),
      m_status(new QLabel(this)),
      m_download(new QPushButton(tr("&Download"), this)),
      m_cancel(new QPushButton(tr("Close"), this)) {
    setWindowTitle(tr("Download MovieLens"));
    setObjectName(QStringLiteral("downloadDialog"));

    m_intro->setWordWrap(true);

    auto* grid = new QGridLayout;
    grid->setColumnStretch(2, 1);
    for (size_t i = 0; i < m_releases.size(); ++i) {
        const MovieLensRelease& release = m_releases[i];
        auto* radio = new QRadioButton(QString::fromStdString(release.title), this);
        radio->setObjectName(QStringLiteral("release_") + QString::fromStdString(release.id));
        m_group->addButton(radio, int(i));
        auto* size = new QLabel(this);
        size->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_sizeLabels.push_back(size);
        auto* summary = new QLabel(QString::fromStdString(release.summary), this);
        summary->setEnabled(false);  // secondary text, greyed by the style
        grid->addWidget(radio, int(i), 0);
        grid->addWidget(size, int(i), 1);
        grid->addWidget(summary, int(i), 2);
    }
    if (!m_releases.empty())
        m_group->button(0)->setChecked(true);
    refreshCachedMarks();

    m_progress->setObjectName(QStringLiteral("downloadProgress"));
    m_progress->setVisible(false);
    m_status->setObjectName(QStringLiteral("downloadStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_download->setObjectName(QStringLiteral("downloadButton"));
    m_download->setDefault(true);
    m_cancel->setObjectName(QStringLiteral("downloadCancel"));

    auto* buttons = new QDialogButtonBox(this);
    buttons->addButton(m_download, QDialogButtonBox::ActionRole);
    buttons->addButton(m_cancel, QDialogButtonBox::RejectRole);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_intro);
    layout->addLayout(grid);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addStretch(1);
    layout->addWidget(buttons);

    connect(m_download, &QPushButton::clicked, this, &DownloadDialog::startDownload);
    connect(m_cancel, &QPushButton::clicked, this, &DownloadDialog::reject);
    connect(m_downloader, &MovieLensDownloader::progress, this, &DownloadDialog::onProgress);
    connect(m_downloader, &MovieLensDownloader::unpacking, this, &DownloadDialog::onUnpacking);
    connect(m_downloader, &MovieLensDownloader::finished, this, &DownloadDialog::onFinished);
    connect(m_downloader, &MovieLensDownloader::failed, this, &DownloadDialog::onFailed);
    connect(m_downloader, &MovieLensDownloader::cancelled, this, &DownloadDialog::onCancelled);
}

QString DownloadDialog::selectedReleaseId() const {
    const MovieLensRelease* release = selectedRelease();
    return release ? QString::fromStdString(release->id) : QString();
}

void DownloadDialog::selectRelease(const QString& id) {
    for (size_t i = 0; i < m_releases.size(); ++i) {
        if (QString::fromStdString(m_releases[i].id) == id)
            m_group->button(int(i))->setChecked(true);
    }
}

QString DownloadDialog::statusText() const {
    return m_status->text();
}

const MovieLensRelease* DownloadDialog::selectedRelease() const {
    const int index = m_group->checkedId();
    return index >= 0 && size_t(index) < m_releases.size() ? &m_releases[size_t(index)] : nullptr;
}

void DownloadDialog::startDownload() {
    const MovieLensRelease* release = selectedRelease();
    if (!release || m_downloader->isRunning())
        return;
    if (m_downloader->isCached(*release)) {
        m_status->setText(
            tr("%1 is already downloaded.").arg(QString::fromStdString(release->title)));
        emit datasetReady(m_downloader->folderPath(*release));
        accept();
        return;
    }
    m_status->setText(tr("Downloading %1…").arg(QString::fromStdString(release->title)));
    m_progress->setRange(0, 0);
    m_progress->setVisible(true);
    setBusy(true);
    m_downloader->start(*release);
}

void DownloadDialog::reject() {
    if (m_downloader->isRunning()) {
        m_downloader->cancel();  // the dialog stays open; a second Close closes it
        return;
    }
    QDialog::reject();
}

void DownloadDialog::onProgress(qint64 received, qint64 total) {
    if (total > 0) {
        // Per mille keeps the range inside int for multi-gigabyte files.
        m_progress->setRange(0, 1000);
        m_progress->setValue(int(received * 1000 / total));
        m_progress->setFormat(tr("%1 of %2").arg(sizeText(received), sizeText(total)));
    } else {
        m_progress->setRange(0, 0);
    }
}

void DownloadDialog::onUnpacking(double fraction) {
    m_status->setText(tr("Verified; unpacking…"));
    m_progress->setRange(0, 1000);
    m_progress->setValue(int(fraction * 1000.0));
    m_progress->setFormat(tr("Unpacking %p%"));
}

void DownloadDialog::onFinished(const QString& path) {
    setBusy(false);
    m_progress->setVisible(false);
    m_status->setText(tr("Downloaded, verified and unpacked: %1").arg(path));
    refreshCachedMarks();
    emit datasetReady(path);
    accept();
}

void DownloadDialog::onFailed(const QString& message) {
    setBusy(false);
    m_progress->setVisible(false);
    m_status->setText(message);
}

void DownloadDialog::onCancelled() {
    setBusy(false);
    m_progress->setVisible(false);
    m_status->setText(tr("Download cancelled; nothing was kept."));
}

void DownloadDialog::setBusy(bool busy) {
    m_download->setEnabled(!busy);
    for (QAbstractButton* button : m_group->buttons())
        button->setEnabled(!busy);
    m_cancel->setText(busy ? tr("Cancel") : tr("Close"));
}

void DownloadDialog::showEvent(QShowEvent* event) {
    refreshCachedMarks();
    QDialog::showEvent(event);
}

void DownloadDialog::refreshCachedMarks() {
    m_intro->setText(
        tr("The official releases from GroupLens (files.grouplens.org). Each download is checked "
           "against its published size and checksum and kept in %1.")
            .arg(QDir::toNativeSeparators(m_downloader->cacheDir())));
    for (size_t i = 0; i < m_releases.size(); ++i) {
        QString text = sizeText(m_releases[i].sizeBytes);
        if (m_downloader->isCached(m_releases[i]))
            text += tr(" (downloaded)");
        m_sizeLabels[i]->setText(text);
    }
}

}  // namespace recscope::ui
