#pragma once
// The one place the UI asks a yes/no question before destructive work (deleting runs). Tests set
// the next answer instead of clicking a modal box, like FileDialog's setNextPath. GUI thread only.

#include <QString>
#include <optional>

class QWidget;

namespace recscope::ui {

class ConfirmDialog {
public:
    // True if the user chose `acceptText` (the default button is Cancel).
    static bool ask(QWidget* parent, const QString& title, const QString& text,
                    const QString& acceptText);
    // The next ask() returns `answer` without showing a box.
    static void setNextAnswer(bool answer);

private:
    static std::optional<bool>& next();
};

}  // namespace recscope::ui
