#include "ui/widgets/MessageBanner.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>

namespace recscope::ui {

namespace {

// Semantic accents (KDE Breeze's positive/neutral/negative); the fill is a blend of the accent
// with the window colour, so it stays readable on light and dark palettes.
QColor accentFor(MessageBanner::Type type, const QPalette& palette) {
    switch (type) {
        case MessageBanner::Type::Positive:
            return QColor(0x27, 0xae, 0x60);
        case MessageBanner::Type::Information:
            return palette.color(QPalette::Highlight);
        case MessageBanner::Type::Warning:
            return QColor(0xf6, 0x74, 0x00);
        case MessageBanner::Type::Error:
            return QColor(0xda, 0x44, 0x53);
    }
    return palette.color(QPalette::Highlight);
}

QColor blend(const QColor& a, const QColor& b, double t) {
    return QColor::fromRgbF(static_cast<float>(a.redF() * (1 - t) + b.redF() * t),
                            static_cast<float>(a.greenF() * (1 - t) + b.greenF() * t),
                            static_cast<float>(a.blueF() * (1 - t) + b.blueF() * t));
}

QStyle::StandardPixmap iconFor(MessageBanner::Type type) {
    switch (type) {
        case MessageBanner::Type::Positive:
            return QStyle::SP_DialogApplyButton;
        case MessageBanner::Type::Information:
            return QStyle::SP_MessageBoxInformation;
        case MessageBanner::Type::Warning:
            return QStyle::SP_MessageBoxWarning;
        case MessageBanner::Type::Error:
            return QStyle::SP_MessageBoxCritical;
    }
    return QStyle::SP_MessageBoxInformation;
}

}  // namespace

MessageBanner::MessageBanner(QWidget* parent)
    : QFrame(parent),
      m_icon(new QLabel(this)),
      m_text(new QLabel(this)),
      m_close(new QToolButton(this)) {
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    m_text->setWordWrap(true);
    m_text->setTextFormat(Qt::PlainText);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_text->setObjectName(QStringLiteral("messageText"));
    m_text->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    m_close->setObjectName(QStringLiteral("messageClose"));
    m_close->setAutoRaise(true);
    m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    m_close->setToolTip(tr("Close"));
    connect(m_close, &QToolButton::clicked, this, &MessageBanner::hideMessage);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 6, 4, 6);
    layout->addWidget(m_icon, 0, Qt::AlignTop);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_close, 0, Qt::AlignTop);
    hide();
}

void MessageBanner::showMessage(const QString& text, Type type) {
    m_type = type;
    m_text->setText(text);
    const int size = style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, this);
    m_icon->setPixmap(style()->standardIcon(iconFor(type)).pixmap(size, size));
    applyColours();
    show();
}

void MessageBanner::hideMessage() {
    hide();
}

QString MessageBanner::text() const {
    return m_text->text();
}

void MessageBanner::changeEvent(QEvent* event) {
    QFrame::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        applyColours();
}

void MessageBanner::applyColours() {
    // Derive from the application palette, not our own (which we overwrite below).
    const QPalette base = parentWidget() ? parentWidget()->palette() : QPalette();
    const QColor accent = accentFor(m_type, base);
    QPalette pal = base;
    pal.setColor(QPalette::Window, blend(base.color(QPalette::Window), accent, 0.2));
    pal.setColor(QPalette::WindowText, base.color(QPalette::WindowText));
    pal.setColor(QPalette::Light, accent);
    pal.setColor(QPalette::Dark, accent);
    pal.setColor(QPalette::Mid, accent);
    // Setting the palette sends us a PaletteChange; the comparison ends that recursion.
    if (palette() != pal)
        setPalette(pal);
}

}  // namespace recscope::ui
