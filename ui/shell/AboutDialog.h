#pragma once
// Help ▸ About: what RecScope is and the versions it runs with (see BuildInfo).

#include <QDialog>

namespace recscope::ui {

class AboutDialog : public QDialog {
    Q_OBJECT
public:
    explicit AboutDialog(QWidget* parent = nullptr);
};

}  // namespace recscope::ui
