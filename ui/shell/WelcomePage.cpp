#include "ui/shell/WelcomePage.h"

#include <QCommandLinkButton>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QVBoxLayout>

namespace recscope::ui {

namespace {

QCommandLinkButton* bigButton(const QString& name, const QString& text, const QString& detail,
                              QWidget* parent) {
    auto* button = new QCommandLinkButton(text, detail, parent);
    button->setObjectName(name);
    button->setMinimumWidth(420);
    return button;
}

}  // namespace

WelcomePage::WelcomePage(QWidget* parent)
    : QWidget(parent),
      m_recentBox(new QWidget(this)),
      m_recentLayout(new QVBoxLayout(m_recentBox)),
      m_recentEmpty(new QLabel(tr("No dataset opened yet."), m_recentBox)) {
    setObjectName(QStringLiteral("welcomePage"));

    auto* title = new QLabel(tr("Welcome to RecScope"), this);
    QFont titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.8);
    titleFont.setBold(true);
    title->setFont(titleFont);
    auto* subtitle = new QLabel(
        tr("Train, evaluate and look inside recommender systems on MovieLens. Start with:"), this);
    subtitle->setWordWrap(true);

    auto* demo = bigButton(QStringLiteral("welcomeDemo"), tr("Open the demo data"),
                           tr("A built-in MovieLens-like dataset (943 users, 1,682 movies, "
                              "100,000 ratings); no download needed."),
                           this);
    auto* open = bigButton(QStringLiteral("welcomeOpen"), tr("Open a folder or zip…"),
                           tr("Any MovieLens release: 100K, 1M, 10M, 20M, 25M, 32M or latest, as "
                              "unpacked or as the official .zip."),
                           this);
    auto* download = bigButton(QStringLiteral("welcomeDownload"), tr("Download MovieLens…"),
                               tr("Fetch an official release from GroupLens, verified and kept "
                                  "for next time."),
                               this);
    connect(demo, &QCommandLinkButton::clicked, this, &WelcomePage::demoRequested);
    connect(open, &QCommandLinkButton::clicked, this, &WelcomePage::openRequested);
    connect(download, &QCommandLinkButton::clicked, this, &WelcomePage::downloadRequested);

    auto* recentTitle = new QLabel(tr("Recent datasets"), this);
    QFont bold = recentTitle->font();
    bold.setBold(true);
    recentTitle->setFont(bold);
    m_recentLayout->setContentsMargins(0, 0, 0, 0);
    m_recentEmpty->setEnabled(false);
    m_recentLayout->addWidget(m_recentEmpty);

    auto* column = new QVBoxLayout;
    column->addWidget(title);
    column->addWidget(subtitle);
    column->addSpacing(12);
    column->addWidget(demo);
    column->addWidget(open);
    column->addWidget(download);
    column->addSpacing(18);
    column->addWidget(recentTitle);
    column->addWidget(m_recentBox);

    // Centred column that keeps a readable width on a wide window.
    auto* outer = new QVBoxLayout(this);
    auto* row = new QHBoxLayout;
    row->addStretch(1);
    row->addLayout(column, 0);
    row->addStretch(1);
    outer->addStretch(1);
    outer->addLayout(row);
    outer->addStretch(2);
}

void WelcomePage::setRecentDatasets(const QStringList& paths) {
    m_recent = paths;
    // Rebuild the small list; a handful of buttons, so no model is worth it.
    while (m_recentLayout->count() > 1) {
        QLayoutItem* item = m_recentLayout->takeAt(1);
        delete item->widget();
        delete item;
    }
    m_recentEmpty->setVisible(paths.isEmpty());
    for (int i = 0; i < paths.size(); ++i) {
        const QString path = paths.at(i);
        const QFileInfo info(path);
        auto* button =
            new QCommandLinkButton(info.fileName(), QDir::toNativeSeparators(path), m_recentBox);
        button->setObjectName(QStringLiteral("welcomeRecent%1").arg(i));
        button->setToolTip(QDir::toNativeSeparators(path));
        connect(button, &QCommandLinkButton::clicked, this,
                [this, path] { emit recentRequested(path); });
        m_recentLayout->addWidget(button);
    }
}

}  // namespace recscope::ui
