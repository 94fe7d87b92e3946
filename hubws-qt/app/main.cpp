// SPDX-License-Identifier: MIT
//
// nanostate-hubws - the Nanostate hub for nanomsg Apps and WebSocket clients.
// Everything that forwards lives in core/ (HubWs); this file only reads the
// configuration, starts the hub and shows it (for now: a stats line).
#include "hubconfig.h"
#include "hubengine.h"
#include "hubws.h"
#include "statsline.h"
#include "unixsignals.h"
#include "wsserver.h"

#include "monitoroptions.h"
#include "monitorwindow.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QScopedPointer>
#include <QtNetwork/QHostAddress>
#include <QtWidgets/QApplication>

#include <cstring>

#include <cstdio>
#include <sys/resource.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace {
void printErr(const QString &text)
{
    const QByteArray bytes = QStringLiteral("nanostate-hubws: %1\n").arg(text).toLocal8Bit();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
    std::fflush(stderr);
}

bool hasDisplay(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "-platform") == 0)
            return true;
    return qEnvironmentVariableIsSet("QT_QPA_PLATFORM") || qEnvironmentVariableIsSet("DISPLAY")
        || qEnvironmentVariableIsSet("WAYLAND_DISPLAY");
}

// Every client is a file descriptor: let --max-clients be reachable.
void raiseFileLimit(int clients)
{
    struct rlimit rl;
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    const rlim_t wanted = rlim_t(clients) + 64;
    if (rl.rlim_cur < wanted) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? wanted : qMin(wanted, rl.rlim_max);
        ::setrlimit(RLIMIT_NOFILE, &rl);
    }
}

// A big frame is copied a few times on its way (table, nanomsg frame, each
// client's socket buffer). By default glibc maps every block over 128 KiB
// afresh and unmaps it when freed, so each copy also pays a page fault per
// 4 KiB: that doubled the hub's time for a 10 MiB value. Keep such blocks
// in the heap and keep up to a few frames' worth of freed memory for reuse.
void tuneAllocator(int maxFrame)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024); // glibc's largest
    mallopt(M_TRIM_THRESHOLD, qMax(64 * 1024 * 1024, maxFrame / 1024 * 4 * 1024));
#else
    Q_UNUSED(maxFrame)
#endif
}

bool isLoopback(const QString &host)
{
    return host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0
        || QHostAddress(host).isLoopback();
}
} // namespace

int main(int argc, char **argv)
{
    QCoreApplication::setApplicationName(QStringLiteral("nanostate-hubws"));
    QStringList arguments;
    for (int i = 1; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));

    // The monitor's options (and Qt's -platform) first; the rest is the hub's.
    MonitorOptions monitorOptions;
    QString error;
    if (!MonitorOptions::take(&arguments, &monitorOptions, &error)) {
        printErr(error);
        return 2;
    }
    HubConfig config;
    switch (HubConfig::parse(arguments, &config, &error)) {
    case HubConfig::HelpRequested:
        std::fputs(HubConfig::help().toLocal8Bit().constData(), stdout);
        std::fputs("\n", stdout);
        std::fputs(MonitorOptions::help().toLocal8Bit().constData(), stdout);
        return 0;
    case HubConfig::ParseFailed:
        printErr(error);
        std::fputs(HubConfig::usage().toLocal8Bit().constData(), stderr);
        std::fputs("Try 'nanostate-hubws --help' for more.\n", stderr);
        return 2;
    case HubConfig::Parsed:
        break;
    }

    const bool headless = config.headless || !hasDisplay(argc, argv);
    if (headless && !monitorOptions.screenshotFile.isEmpty()) {
        printErr(QStringLiteral("--screenshot needs the monitor window: not with --headless or "
                                "without a display (try -platform offscreen)"));
        return 2;
    }
    // The monitor is a view over the hub; without a display the hub runs the
    // same, with a line of figures instead.
    QScopedPointer<QCoreApplication> appHolder(headless ? new QCoreApplication(argc, argv)
                                                        : new QApplication(argc, argv));
    QCoreApplication &app = *appHolder;
    raiseFileLimit(config.maxClients);
    tuneAllocator(config.maxFrame);

    UnixSignals unixSignals;
    QObject::connect(&unixSignals, &UnixSignals::terminationRequested, &app, &QCoreApplication::quit);

    HubWs hub(config);
    bool started = false;
    QObject::connect(&hub, &HubWs::logged, [&](int level, const QString &message) {
        // Before the hub runs, warnings say why it cannot (a corrupt state file).
        if (config.verbose || (!started && level > 0))
            printErr(level ? QStringLiteral("warning: ") + message : message);
    });
    if (!hub.start(&error)) {
        printErr(error);
        return 1;
    }
    started = true;

    for (const QString &url : config.effectiveBinds())
        printErr(QStringLiteral("listening on %1 (nanomsg)").arg(url));
    printErr(QStringLiteral("listening on %1 (WebSocket), web page %2")
                 .arg(hub.server()->url(), hub.server()->pageUrl()));
    if (!hub.server()->webRoot().exists())
        printErr(QStringLiteral("warning: no web root at %1: / shows a placeholder page")
                     .arg(hub.server()->webRoot().dir()));
    if (!isLoopback(config.wsHost) && config.tokens.isEmpty()) {
        const QString access =
            config.readOnlyWs ? QStringLiteral("read") : QStringLiteral("read and write");
        printErr(QStringLiteral("warning: --ws-host %1 without --token: anyone who can reach the "
                                "port may %2 every state")
                     .arg(config.wsHost, access));
    }
    if (config.readOnlyWs)
        printErr(QStringLiteral("WebSocket clients are read-only (--read-only-ws)"));
    if (config.verbose) {
        printErr(QStringLiteral("allowed origins: %1 (and clients without an Origin header)")
                     .arg(hub.server()->accessPolicy().allowedOrigins().join(QStringLiteral(", "))));
        if (!config.stateFile.isEmpty())
            printErr(QStringLiteral("%1 states loaded from %2")
                         .arg(hub.engine()->stateCount())
                         .arg(config.stateFile));
    }

    QScopedPointer<MonitorWindow> window;
    StatsLine *stats = nullptr;
    if (!headless) {
        window.reset(new MonitorWindow(&hub, monitorOptions));
        window->show();
    } else if (config.statsMs > 0) {
        stats = new StatsLine(&hub, config.statsMs, &app);
    }

    const int rc = app.exec();
    window.reset(); // a view: gone before the hub it shows
    delete stats;
    hub.stop();
    return rc;
}
