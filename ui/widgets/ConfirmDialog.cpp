#include "ui/widgets/ConfirmDialog.h"

#include <QMessageBox>
#include <QPushButton>

namespace recscope::ui {

std::optional<bool>& ConfirmDialog::next() {
    static std::optional<bool> answer;
    return answer;
}

void ConfirmDialog::setNextAnswer(bool answer) {
    next() = answer;
}

bool ConfirmDialog::ask(QWidget* parent, const QString& title, const QString& text,
                        const QString& acceptText) {
    if (std::optional<bool> answer = next()) {
        next().reset();
        return *answer;
    }
    QMessageBox box(QMessageBox::Warning, title, text, QMessageBox::Cancel, parent);
    QPushButton* accept = box.addButton(acceptText, QMessageBox::DestructiveRole);
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    return box.clickedButton() == accept;
}

}  // namespace recscope::ui
