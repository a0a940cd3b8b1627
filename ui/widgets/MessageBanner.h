#pragma once
// An inline message strip shown above the views (in the manner of KDE's KMessageWidget): errors
// are reported here instead of in modal pop-ups, so the window stays usable. Colours derive from
// the palette, so light and dark themes both read well.

#include <QFrame>

class QLabel;
class QToolButton;

namespace recscope::ui {

class MessageBanner : public QFrame {
    Q_OBJECT
public:
    enum class Type { Positive, Information, Warning, Error };

    explicit MessageBanner(QWidget* parent = nullptr);

    // Shows the banner with `text` (plain text, word-wrapped, selectable).
    void showMessage(const QString& text, Type type);
    void hideMessage();

    QString text() const;
    Type type() const { return m_type; }

protected:
    void changeEvent(QEvent* event) override;

private:
    void applyColours();

    Type m_type = Type::Information;
    QLabel* m_icon;
    QLabel* m_text;
    QToolButton* m_close;
};

}  // namespace recscope::ui
