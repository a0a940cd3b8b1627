#include "ui/ScreenshotRunner.h"

#include <qcustomplot.h>
#include <QApplication>
#include <QDir>
#include <QPixmap>
#include <QTabWidget>
#include <QTextStream>
#include <cstdio>

#include "ui/DatasetSession.h"
#include "ui/LossChart.h"
#include "ui/MainWindow.h"
#include "ui/ParamForm.h"
#include "ui/RunChart.h"
#include "ui/TrainingSetup.h"
#include "ui/TrainingView.h"

namespace recscope::ui {

ScreenshotRunner::ScreenshotRunner(MainWindow* window, QString directory, QObject* parent)
    : QObject(parent), m_window(window), m_directory(std::move(directory)) {
    // A few quick classic models, so the leaderboard has something to compare; then bpr at two
    // learning rates, so the charts show an overlay with a legend (and the form shows bpr).
    m_runs = {{QStringLiteral("pop"), {}},
              {QStringLiteral("itemknn"), {}},
              {QStringLiteral("ease"), {}},
              {QStringLiteral("bpr"), {{"epochs", "12"}, {"patience", "0"}, {"lr", "0.05"}}},
              {QStringLiteral("bpr"), {{"epochs", "12"}, {"patience", "0"}, {"lr", "0.015"}}}};
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this,
            [this] { fail(QStringLiteral("timed out waiting for the demo data")); });
    connect(m_window->session(), &DatasetSession::changed, this,
            [this](DatasetSession::Change change) {
                if (m_done)
                    return;
                if (change == DatasetSession::Change::DatasetReplaced)
                    QTimer::singleShot(0, this, &ScreenshotRunner::trainNext);
                else if (change == DatasetSession::Change::LoadFailed)
                    fail(QString::fromStdString(m_window->session()->lastError()->toString()));
                else if (change == DatasetSession::Change::LoadCancelled)
                    fail(QStringLiteral("the demo load was cancelled"));
            });
}

void ScreenshotRunner::trainNext() {
    if (m_done)
        return;
    TrainingView* view = m_window->trainingView();
    if (m_runs.empty()) {
        capture();
        return;
    }
    const PlannedRun run = m_runs.front();
    m_runs.erase(m_runs.begin());
    m_window->viewTabs()->setCurrentWidget(view);
    view->setup()->setModel(run.model);
    view->paramForm()->setValues(run.params);
    // A failed run still leaves a view worth capturing; the banner shows why.
    QMetaObject::Connection* once = new QMetaObject::Connection;
    *once = connect(view, &TrainingView::runEnded, this, [this, once] {
        disconnect(*once);
        delete once;
        QTimer::singleShot(0, this, &ScreenshotRunner::trainNext);
    });
    view->start();
    if (!view->isTraining()) {
        disconnect(*once);
        delete once;
        fail(QStringLiteral("the training run did not start"));
    }
}

void ScreenshotRunner::start(int timeoutMs) {
    if (!QDir().mkpath(m_directory)) {
        fail(QStringLiteral("cannot create %1").arg(m_directory));
        return;
    }
    m_timeout.start(timeoutMs);
    m_window->openDemo();
}

void ScreenshotRunner::capture() {
    QTabWidget* tabs = m_window->viewTabs();
    QStringList written;
    for (int i = 0; i < tabs->count(); ++i) {
        tabs->setCurrentIndex(i);
        QWidget* view = tabs->widget(i);
        // Let layouts settle and charts render their queued replots before grabbing.
        QApplication::processEvents();
        for (RunChart* chart : view->findChildren<RunChart*>())
            chart->flush();
        for (QCustomPlot* plot : view->findChildren<QCustomPlot*>())
            plot->replot(QCustomPlot::rpImmediateRefresh);
        QString name = view->objectName();
        if (name.endsWith(QLatin1String("View")))
            name.chop(4);
        const QString path = QDir(m_directory).filePath(name + QStringLiteral(".png"));
        if (!m_window->grab().save(path)) {
            fail(QStringLiteral("cannot write %1").arg(path));
            return;
        }
        written << path;
    }
    m_done = true;
    m_timeout.stop();
    QTextStream(stdout) << "wrote " << written.join(QStringLiteral(", ")) << Qt::endl;
    emit finished(0);
}

void ScreenshotRunner::fail(const QString& why) {
    if (m_done)
        return;
    m_done = true;
    m_timeout.stop();
    QTextStream(stderr) << "recscope --screenshot: " << why << Qt::endl;
    emit finished(1);
}

}  // namespace recscope::ui
