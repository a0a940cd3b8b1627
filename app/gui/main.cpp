// recscope: the Qt explorer. Parses the command line and shows the main window.

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QTemporaryDir>
#include <QTimer>

#include "core/common/Allocator.h"
#include "core/common/ThreadPolicy.h"
#include "core/nn/TorchModels.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/ScreenshotRunner.h"

int main(int argc, char* argv[]) {
    recscope::preferPassiveOpenMpWaiting(argv);  // may execute this program again, first
    recscope::tuneAllocatorForTraining();
    recscope::registerTorchModels();
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("RecScope"));
    QApplication::setOrganizationDomain(QStringLiteral("recscope.org"));
    QApplication::setApplicationName(QStringLiteral("recscope"));
    // Lets Wayland and the desktop match windows to the installed launcher and icon.
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.recscope.RecScope"));
    QApplication::setApplicationDisplayName(QStringLiteral("RecScope"));
    QApplication::setApplicationVersion(QStringLiteral(RECSCOPE_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/recscope.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Train, evaluate and look inside recommender systems on MovieLens."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption demo(QStringLiteral("demo"),
                                  QStringLiteral("Open the built-in demo data at start."));
    const QCommandLineOption open(QStringLiteral("open"),
                                  QStringLiteral("Open the MovieLens folder or .zip at PATH."),
                                  QStringLiteral("PATH"));
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral("Open the demo data, train two short runs in a scratch workspace, save "
                       "every view as DIR/<view>.png and quit."),
        QStringLiteral("DIR"));
    parser.addOptions({demo, open, screenshot});
    parser.process(app);

    // Screenshots train into a scratch workspace, never into the user's own.
    QTemporaryDir scratchWorkspace;
    if (parser.isSet(screenshot))
        qputenv("RECSCOPE_WORKSPACE", scratchWorkspace.filePath("workspace").toUtf8());

    recscope::ui::MainWindow window;
    if (parser.isSet(screenshot)) {
        // Fixed size so that documentation screenshots do not depend on saved geometry.
        window.resize(1200, 760);
        window.show();
        auto* runner = new recscope::ui::ScreenshotRunner(&window, parser.value(screenshot), &app);
        QObject::connect(runner, &recscope::ui::ScreenshotRunner::finished, &app,
                         [](int code) { QApplication::exit(code); });
        QTimer::singleShot(0, runner, [runner] { runner->start(); });
        return QApplication::exec();
    }

    window.show();
    if (parser.isSet(open))
        window.openDataset(parser.value(open));
    else if (parser.isSet(demo))
        window.openDemo();
    return QApplication::exec();
}
