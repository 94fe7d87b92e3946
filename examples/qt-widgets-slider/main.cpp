// SPDX-License-Identifier: MIT
// nanostate-slider-demo: a Qt Widgets App whose slider is bound to one state.
// Start two of them: moving either slider moves the other.
#include "levelwindow.h"

#include <nanostateapp.h>

#include <QtCore/QCommandLineParser>
#include <QtCore/QTextStream>
#include <QtCore/QTimer>
#include <QtWidgets/QApplication>

#include <cstdio>
#include <cstring>

static const char usage[] = R"usage(NAME
    nanostate-slider-demo - a slider bound to one Nanostate state

SYNOPSIS
    nanostate-slider-demo [--url URL] [--name NAME] [--identity ID]
                          [--quit-after MS] [--print-changes] [--move-to N]
                          [Qt options, e.g. -platform offscreen]

DESCRIPTION
    Shows a slider (0 to 100) and a label bound to the state NAME. Moving the
    slider publishes the state; when another App changes it, the slider
    follows without publishing it back. If no App has set the state yet, the
    slider's value (50) becomes the first one. The window title says whether
    the hub is connected. Start two: they stay in sync. From a shell:
        nanostate set demo/level 80

OPTIONS
    --url URL         hub to connect to; default $NANOSTATE_URL, else
                      tcp://127.0.0.1:15000
    --name NAME       the state to show and set; default demo/level
    --identity ID     name shown to others as sender; default
                      nanostate-slider-demo-<pid>
    --quit-after MS   exit after MS milliseconds (for tests)
    --print-changes   print every value shown, "NAME = VALUE (set by SENDER)"
    --move-to N       once synced, move the slider to N as a user would
    -h, --help        print this help and exit

EXIT STATUS
    0 on success, 1 if the hub URL is invalid, 2 on a usage error.
)usage";

int main(int argc, char **argv)
{
    // --help needs no display: answer it before QApplication looks for one.
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "-h") || !std::strcmp(argv[i], "--help")) {
            std::fputs(usage, stdout);
            return 0;
        }
    }

    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("nanostate-slider-demo"));
    QTextStream err(stderr);

    QCommandLineParser parser;
    const QCommandLineOption url(QStringLiteral("url"), QString(), QStringLiteral("URL"));
    const QCommandLineOption name(QStringLiteral("name"), QString(), QStringLiteral("NAME"),
                                  QStringLiteral("demo/level"));
    const QCommandLineOption identity(QStringLiteral("identity"), QString(), QStringLiteral("ID"));
    const QCommandLineOption quitAfter(QStringLiteral("quit-after"), QString(),
                                       QStringLiteral("MS"));
    const QCommandLineOption printChanges(QStringLiteral("print-changes"));
    const QCommandLineOption moveTo(QStringLiteral("move-to"), QString(), QStringLiteral("N"));
    parser.addOptions({url, name, identity, quitAfter, printChanges, moveTo});
    if (!parser.parse(QApplication::arguments()) || !parser.positionalArguments().isEmpty()) {
        err << "nanostate-slider-demo: "
            << (parser.errorText().isEmpty() ? QStringLiteral("unexpected argument")
                                             : parser.errorText())
            << "\n(see --help)" << Qt::endl;
        return 2;
    }

    bool ok = true;
    const int quitAfterMs = parser.isSet(quitAfter) ? parser.value(quitAfter).toInt(&ok) : -1;
    const int moveToValue = ok && parser.isSet(moveTo) ? parser.value(moveTo).toInt(&ok) : -1;
    if (!ok || (parser.isSet(quitAfter) && quitAfterMs < 0)
        || (parser.isSet(moveTo) && (moveToValue < 0 || moveToValue > 100))) {
        err << "nanostate-slider-demo: --quit-after takes milliseconds, --move-to 0 to 100"
               "\n(see --help)"
            << Qt::endl;
        return 2;
    }

    // The App lives in the main thread: its signals arrive there, next to
    // the widgets, and nothing needs a lock.
    NanostateApp nanostate(parser.value(url), parser.value(identity));
    LevelWindow window(&nanostate, parser.value(name));
    window.setPrintChanges(parser.isSet(printChanges));
    window.setMoveTo(moveToValue);
    if (!nanostate.open()) {
        err << "nanostate-slider-demo: " << nanostate.errorString() << Qt::endl;
        return 1;
    }
    window.show();

    if (quitAfterMs >= 0)
        QTimer::singleShot(quitAfterMs, &app, &QApplication::quit);
    return app.exec();
}
