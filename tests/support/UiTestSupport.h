#pragma once
// Shared set-up for the GUI tests: a clean, private application environment per test program,
// and child lookups that fail the test instead of crashing it when a widget or action is
// missing (a renamed objectName is a failed check with the name, not a null dereference).

#include <QtTest>

#include <QCoreApplication>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>

namespace recscope::test {

// Settings, caches and standard paths all point into `dir`, the settings start empty, and the
// application is named after the test, so no test sees the user's files or another test's.
inline bool isolateApplication(const QTemporaryDir& dir, const char* testName) {
    if (!dir.isValid())
        return false;
    QStandardPaths::setTestModeEnabled(true);
    qputenv("RECSCOPE_CACHE_DIR", dir.filePath(QStringLiteral("cache")).toUtf8());
    QCoreApplication::setOrganizationName(QStringLiteral("RecScopeTest"));
    QCoreApplication::setApplicationName(QString::fromLatin1(testName));
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope,
                       dir.filePath(QStringLiteral("settings")));
    QSettings().clear();
    return true;
}

// The child of `root` named `name`. Missing: the current test function is marked failed with
// the name, and a parentless stand-in is returned so that the rest of the function runs on
// harmless defaults rather than crashing the whole test program.
template <typename T>
T* requireChild(const QObject* root, const char* name, const char* file = __FILE__,
                int line = __LINE__) {
    if (T* found = root ? root->findChild<T*>(QLatin1String(name)) : nullptr)
        return found;
    const QByteArray message =
        QByteArray("no ") + T::staticMetaObject.className() + " named '" + name + "'";
    QTest::qFail(message.constData(), file, line);
    static T* standIn = new T;
    return standIn;
}

}  // namespace recscope::test
