// SPDX-License-Identifier: MIT
// nanostate-dashboard: loads the dashboard's QML (compiled in) with the
// Nanostate QML module; everything else happens in qml/main.qml.
#include "screenshot.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QDir>
#include <QtCore/QTextStream>
#include <QtCore/QTimer>
#include <QtGui/QGuiApplication>
#include <QtQml/QQmlApplicationEngine>
#include <QtQuick/QQuickWindow>

#include <cstdio>
#include <cstring>

static const char usage[] = R"usage(NAME
    nanostate-dashboard - live view of the sensor demo's states, in QML

SYNOPSIS
    nanostate-dashboard [--url URL] [--quit-after MS] [--screenshot FILE]
                        [Qt options, e.g. -platform offscreen]

DESCRIPTION
    Shows the states nanostate-sensor-demo publishes: gauges for
    sensors/temperature, sensors/humidity and sensors/pressure, the door
    (sensors/door_open), a slider that sets sensors/rate_hz (the demo's
    publishing rate), whether the hub is connected, and a table of every
    state with its sender. Try it with scripts/demo running.

    The Nanostate QML module is looked for in ../qml and ../lib/qml from the
    executable's folder (BUILD/qml in the build tree, PREFIX/lib/qml once
    installed), in QML2_IMPORT_PATH and in Qt's own QML folder.
    Runs with any Qt Quick backend, QT_QUICK_BACKEND=software included;
    with -platform offscreen, software is the default.

OPTIONS
    --url URL          hub to connect to; default $NANOSTATE_URL, else
                       tcp://127.0.0.1:15000
    --quit-after MS    exit after MS milliseconds (with --screenshot: fail
                       if no screenshot was taken by then)
    --screenshot FILE  once synced and a few updates came in, save the
                       window as a PNG to FILE, print the values it
                       displays ("Temperature: 21.5 °C"...) and exit
    -h, --help         print this help and exit

EXIT STATUS
    0 on success, 1 if the QML could not be loaded or the screenshot not
    saved, 2 on a usage error, 3 if --quit-after came before the screenshot.
)usage";

int main(int argc, char **argv)
{
    // --help needs no display: answer it before QGuiApplication looks for one.
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "-h") || !std::strcmp(argv[i], "--help")) {
            std::fputs(usage, stdout);
            return 0;
        }
    }

    QGuiApplication app(argc, argv);
    QGuiApplication::setApplicationName(QStringLiteral("nanostate-dashboard"));
    QTextStream err(stderr);

    QCommandLineParser parser;
    const QCommandLineOption url(QStringLiteral("url"), QString(), QStringLiteral("URL"));
    const QCommandLineOption quitAfter(QStringLiteral("quit-after"), QString(),
                                       QStringLiteral("MS"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"), QString(),
                                        QStringLiteral("FILE"));
    parser.addOptions({url, quitAfter, screenshot});
    if (!parser.parse(QGuiApplication::arguments()) || !parser.positionalArguments().isEmpty()) {
        err << "nanostate-dashboard: "
            << (parser.errorText().isEmpty() ? QStringLiteral("unexpected argument")
                                             : parser.errorText())
            << "\n(see --help)" << Qt::endl;
        return 2;
    }

    bool ok = true;
    const int quitAfterMs = parser.isSet(quitAfter) ? parser.value(quitAfter).toInt(&ok) : -1;
    if (!ok || (parser.isSet(quitAfter) && quitAfterMs < 0)) {
        err << "nanostate-dashboard: --quit-after takes milliseconds\n(see --help)" << Qt::endl;
        return 2;
    }

    // The offscreen platform (tests, CI) has no OpenGL: draw in software
    // unless QT_QUICK_BACKEND says otherwise.
    if (QGuiApplication::platformName() == QLatin1String("offscreen")
        && qEnvironmentVariableIsEmpty("QT_QUICK_BACKEND"))
        QQuickWindow::setSceneGraphBackend(QSGRendererInterface::Software);

    QQmlApplicationEngine engine;
    // The Nanostate module, found from where we run: BUILD/bin/../qml in the
    // build tree, PREFIX/bin/../lib/qml once installed (with the default
    // PREFIX it is installed in Qt's own QML folder, searched anyway).
    const QString binDir = QCoreApplication::applicationDirPath();
    const QStringList importPaths = {QDir::cleanPath(binDir + QStringLiteral("/../qml")),
                                     QDir::cleanPath(binDir + QStringLiteral("/../lib/qml"))};
    for (const QString &path : importPaths)
        engine.addImportPath(path);
    engine.setInitialProperties({{QStringLiteral("hubUrl"), parser.value(url)}});
    engine.load(QUrl(QStringLiteral("qrc:/qml/main.qml")));
    auto *window = engine.rootObjects().isEmpty()
            ? nullptr
            : qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    if (!window) {
        // The engine has printed why; the usual cause is a missing module.
        err << "nanostate-dashboard: cannot load the dashboard (is the Nanostate QML module in "
            << importPaths.join(QStringLiteral(", ")) << " or QML2_IMPORT_PATH?)" << Qt::endl;
        return 1;
    }

    Screenshot *shot = nullptr;
    if (parser.isSet(screenshot))
        shot = new Screenshot(window, parser.value(screenshot), &app);
    if (quitAfterMs >= 0) {
        QTimer::singleShot(quitAfterMs, &app, [shot, &err] {
            if (shot && !shot->isSaved()) {
                err << "nanostate-dashboard: no screenshot: no live data came in time" << Qt::endl;
                QCoreApplication::exit(3);
                return;
            }
            QCoreApplication::quit();
        });
    }
    return app.exec();
}
