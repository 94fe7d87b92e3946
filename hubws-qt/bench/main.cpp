// SPDX-License-Identifier: MIT
//
// hubws-bench - measures nanostate-hubws: WebSocket fan-out, big values over
// WebSocket and over nanomsg, and the hub's memory with stalled clients.
// Starts its own hub for every measurement; prints one line per result.
#include "benchapp.h"
#include "hubrunner.h"
#include "rawreceiver.h"

#include <msgpack.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QElapsedTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QFileInfo>
#include <QtCore/QRandomGenerator>
#include <QtCore/QScopeGuard>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtWebSockets/QWebSocket>

#include <algorithm>
#include <cstdio>
#include <functional>
#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace {

QString hubProgram;

void say(const QString &line)
{
    std::printf("%s\n", line.toLocal8Bit().constData());
    std::fflush(stdout);
}

// Runs the event loop until done() or the timeout; false on timeout.
bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
    }
    return true;
}

QByteArray packBin(const QByteArray &data)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_bin_with_body(&pk, data.constData(), size_t(data.size()));
    const QByteArray out(sb.data, int(sb.size));
    msgpack_sbuffer_destroy(&sb);
    return out;
}

// [sender, name, value]: an original App's set; the hub forwards it to all
// but its sender and sends nothing back, so the publisher costs the bench
// little.
QByteArray legacyFrame(const QByteArray &name, const QByteArray &packed)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, 3);
    msgpack_pack_str_with_body(&pk, "bench", 5);
    msgpack_pack_str_with_body(&pk, name.constData(), size_t(name.size()));
    msgpack_sbuffer_write(&sb, packed.constData(), size_t(packed.size()));
    const QByteArray out(sb.data, int(sb.size));
    msgpack_sbuffer_destroy(&sb);
    return out;
}

// [sender, name, value, op, session, aseq]: a SET as an App sends it.
QByteArray setFrame(const QByteArray &name, const QByteArray &packed, quint64 session, quint64 aseq)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, 6);
    msgpack_pack_str_with_body(&pk, "bench", 5);
    msgpack_pack_str_with_body(&pk, name.constData(), size_t(name.size()));
    msgpack_sbuffer_write(&sb, packed.constData(), size_t(packed.size()));
    msgpack_pack_uint64(&pk, aseq == 1 ? 0x11 : 0x01);
    msgpack_pack_uint64(&pk, session);
    msgpack_pack_uint64(&pk, aseq);
    const QByteArray out(sb.data, int(sb.size));
    msgpack_sbuffer_destroy(&sb);
    return out;
}

QWebSocket *openWs(quint16 port, QObject *parent)
{
    auto *ws = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, parent);
    ws->setMaxAllowedIncomingMessageSize(64 * 1024 * 1024);
    ws->setMaxAllowedIncomingFrameSize(64 * 1024 * 1024);
    ws->open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(port)));
    if (!waitFor([ws] { return ws->state() == QAbstractSocket::ConnectedState; }, 5000)) {
        delete ws;
        return nullptr;
    }
    return ws;
}

// --- fan-out -----------------------------------------------------------------

void fanout(int clients, int updates, int names, int size, int threads)
{
    HubRunner hub;
    QString why;
    // No client is paused: every message reaches every client, so the
    // figure is what the hub forwards, not what conflation spares it.
    if (!hub.start(hubProgram, {QStringLiteral("--max-queue"), QStringLiteral("4294967296")}, &why)) {
        say(why);
        return;
    }
    QObject scope;
    const QByteArray marker = "bench/done";
    // Receivers in worker threads, so that the bench's reading is less of
    // a limit than the hub's writing.
    QVector<QThread *> workers;
    for (int i = 0; i < threads; ++i) {
        workers.append(new QThread);
        workers.last()->start();
    }
    auto cleanupWorkers = qScopeGuard([&] {
        for (QThread *w : workers) {
            w->quit();
            w->wait();
            delete w;
        }
    });
    QVector<RawReceiver *> receivers;
    for (int i = 0; i < clients; ++i) {
        auto *r = new RawReceiver(hub.wsPort(), marker, false);
        QThread *w = workers.value(i % qMax(1, threads));
        if (w) {
            r->moveToThread(w);
            QObject::connect(w, &QThread::finished, r, &QObject::deleteLater);
        } else {
            r->setParent(&scope);
        }
        QMetaObject::invokeMethod(r, "start", Qt::QueuedConnection);
        receivers.append(r);
    }
    if (!waitFor([&] { return std::all_of(receivers.cbegin(), receivers.cend(),
                                          [](RawReceiver *r) { return r->isUpgraded(); }); },
                 10000)) {
        say(QStringLiteral("fanout: receivers did not connect"));
        return;
    }
    QWebSocket *publisher = openWs(hub.wsPort(), &scope);
    if (!publisher) {
        say(QStringLiteral("fanout: publisher did not connect"));
        return;
    }
    QVector<QByteArray> frames;
    for (int i = 0; i < updates; ++i) {
        QByteArray body(size, 'v');
        body.replace(0, qMin(size, 8), QByteArray::number(i).rightJustified(8, '0').left(size));
        frames.append(legacyFrame("bench/" + QByteArray::number(i % names), packBin(body)));
    }
    frames.append(legacyFrame(marker, packBin("end")));
    QVector<qint64> before;
    for (RawReceiver *r : receivers)
        before.append(r->messages());

    for (const QByteArray &f : qAsConst(frames))
        publisher->sendBinaryMessage(f);
    const double cpu0 = hub.cpuSeconds();
    QElapsedTimer t;
    t.start();
    const bool ok = waitFor([&] { return std::all_of(receivers.cbegin(), receivers.cend(),
                                                     [](RawReceiver *r) { return r->sawMarker(); }); },
                            300000);
    const double seconds = t.nsecsElapsed() / 1e9;
    const double cpu = hub.cpuSeconds() - cpu0;
    qint64 delivered = 0;
    for (int i = 0; i < receivers.size(); ++i)
        delivered += receivers.at(i)->messages() - before.at(i);
    say(QStringLiteral("fanout clients=%1 updates=%2 value=%3B: %4 messages delivered in %5 s = "
                       "%6 msg/s (%7 updates/s in), hub CPU %8% = %11 us per message, "
                       "hub RSS %9 MiB%10")
            .arg(clients)
            .arg(updates + 1)
            .arg(size)
            .arg(delivered)
            .arg(seconds, 0, 'f', 3)
            .arg(delivered / seconds, 0, 'f', 0)
            .arg((updates + 1) / seconds, 0, 'f', 0)
            .arg(100.0 * cpu / seconds, 0, 'f', 0)
            .arg(hub.residentKiB() / 1024.0, 0, 'f', 1)
            .arg(ok ? QString() : QStringLiteral(" TIMED OUT"))
            .arg(delivered ? cpu * 1e6 / double(delivered) : 0, 0, 'f', 2));
}

// --- big values --------------------------------------------------------------

struct Endpoint
{
    QWebSocket *ws = nullptr;
    BenchApp *app = nullptr;
};

// One value from `from` to `to`; milliseconds from the send call to its
// arrival, or -1.
double transfer(Endpoint &from, Endpoint &to, const QByteArray &name, const QByteArray &packed,
                quint64 session, quint64 aseq)
{
    bool arrived = false;
    QElapsedTimer t;
    QMetaObject::Connection c;
    if (to.ws) {
        c = QObject::connect(to.ws, &QWebSocket::binaryMessageReceived, [&](const QByteArray &m) {
            if (m.size() >= packed.size() && m.contains(name))
                arrived = true;
        });
    } else {
        c = QObject::connect(to.app, &BenchApp::updated, [&](const QByteArray &n, qint64) {
            if (n == name)
                arrived = true;
        });
    }
    QByteArray frame;
    if (from.ws)
        frame = setFrame(name, packed, session, aseq); // built before the clock starts
    t.start();
    if (from.ws)
        from.ws->sendBinaryMessage(frame);
    else
        from.app->setPacked(name, packed);
    const bool ok = waitFor([&] { return arrived; }, 60000);
    const double ms = t.nsecsElapsed() / 1e6;
    QObject::disconnect(c);
    return ok ? ms : -1;
}

void bigValues(const QList<int> &sizes, int runs)
{
    const char *paths[] = {"ws->ws", "nanomsg->nanomsg", "ws->nanomsg", "nanomsg->ws"};
    for (int size : sizes) {
        for (const char *path : paths) {
            HubRunner hub;
            QString why;
            if (!hub.start(hubProgram, {QStringLiteral("--max-frame"), QStringLiteral("33554432")}, &why)) {
                say(why);
                return;
            }
            QObject scope;
            const bool fromWs = QByteArray(path).startsWith("ws");
            const bool toWs = QByteArray(path).endsWith("ws");
            Endpoint from, to;
            if (fromWs)
                from.ws = openWs(hub.wsPort(), &scope);
            else
                from.app = new BenchApp(hub.nanomsgUrl(), QStringLiteral("from"), &scope);
            if (toWs)
                to.ws = openWs(hub.wsPort(), &scope);
            else
                to.app = new BenchApp(hub.nanomsgUrl(), QStringLiteral("to"), &scope);
            if ((from.app && !waitFor([&] { return from.app->isSynced(); }, 5000))
                || (to.app && !waitFor([&] { return to.app->isSynced(); }, 5000))
                || (fromWs && !from.ws) || (toWs && !to.ws)) {
                say(QStringLiteral("big values: %1 did not connect").arg(QLatin1String(path)));
                return;
            }
            const quint64 session = QRandomGenerator::global()->generate64() | 1;
            QVector<double> times;
            const double cpu0 = hub.cpuSeconds();
            for (int run = 0; run < runs; ++run) {
                QByteArray body(size, char('a' + run));
                const double ms = transfer(from, to, "big/" + QByteArray::number(run), packBin(body),
                                           session, quint64(run) + 1);
                if (ms >= 0)
                    times.append(ms);
                waitFor([] { return false; }, 100); // let the hub settle
            }
            const double cpuMs = (hub.cpuSeconds() - cpu0) * 1000.0 / runs;
            std::sort(times.begin(), times.end());
            say(QStringLiteral("big value %1 MiB %2: median %3 ms, best %4 ms (%5 runs), %6 MB/s, "
                               "hub CPU %7 ms per transfer")
                    .arg(size / 1048576.0, 0, 'f', 0)
                    .arg(QLatin1String(path), -16)
                    .arg(times.isEmpty() ? -1 : times.at(times.size() / 2), 0, 'f', 1)
                    .arg(times.isEmpty() ? -1 : times.first(), 0, 'f', 1)
                    .arg(times.size())
                    .arg(times.isEmpty() ? 0 : size / 1e6 / (times.at(times.size() / 2) / 1000), 0, 'f', 0)
                    .arg(cpuMs, 0, 'f', 1));
        }
    }
}

// --- stalled clients ----------------------------------------------------------

void stalled(int stalledClients, int updates, int names, int size)
{
    HubRunner hub;
    QString why;
    if (!hub.start(hubProgram, {}, &why)) {
        say(why);
        return;
    }
    QObject scope;
    QVector<RawReceiver *> stuck;
    for (int i = 0; i < stalledClients; ++i) {
        stuck.append(new RawReceiver(hub.wsPort(), QByteArray(), true, &scope));
        stuck.last()->start();
    }
    waitFor([&] { return std::all_of(stuck.cbegin(), stuck.cend(),
                                     [](RawReceiver *r) { return r->isUpgraded(); }); },
            10000);
    QWebSocket *publisher = openWs(hub.wsPort(), &scope);
    if (!publisher)
        return;
    const qint64 baseline = hub.residentKiB();
    qint64 peak = baseline;
    QTimer sampler;
    QObject::connect(&sampler, &QTimer::timeout, [&] { peak = qMax(peak, hub.residentKiB()); });
    sampler.start(10);
    const quint64 session = QRandomGenerator::global()->generate64() | 1;
    for (int i = 0; i < updates; ++i)
        publisher->sendBinaryMessage(setFrame("flood/" + QByteArray::number(i % names),
                                              packBin(QByteArray(size, char('a' + i % 26))), session,
                                              quint64(i) + 1));
    QElapsedTimer t;
    t.start();
    waitFor([&] { return publisher->bytesToWrite() == 0; }, 120000);
    waitFor([] { return false; }, 1000); // the hub finishes what it received
    const double seconds = t.nsecsElapsed() / 1e9;
    say(QStringLiteral("stalled clients=%1, %2 updates of %3 B over %4 names (%5 MB) in %6 s: hub RSS "
                       "%7 MiB before, peak %8 MiB, %9 MiB after")
            .arg(stalledClients)
            .arg(updates)
            .arg(size)
            .arg(names)
            .arg(double(updates) * size / 1e6, 0, 'f', 0)
            .arg(seconds, 0, 'f', 2)
            .arg(baseline / 1024.0, 0, 'f', 1)
            .arg(peak / 1024.0, 0, 'f', 1)
            .arg(hub.residentKiB() / 1024.0, 0, 'f', 1));
}

QList<int> intList(const QString &text)
{
    QList<int> out;
    for (const QString &p : text.split(QLatin1Char(','), Qt::SkipEmptyParts))
        out.append(p.toInt());
    return out;
}

const char usage[] =
    "usage: hubws-bench [--hub PATH] [MODE]...\n"
    "\n"
    "Measures nanostate-hubws, starting a hub of its own for each measurement\n"
    "(PATH: default <dir of this program>/../../bin/nanostate-hubws). MODEs, all\n"
    "when none is given:\n"
    "  fanout   one WebSocket publisher (original-style frames: no ACKs back), 1, 10\n"
    "           and 100 WebSocket receivers; the hub forwards every update to every\n"
    "           receiver (--max-queue is raised so that none is paused). Prints\n"
    "           messages delivered per second and the hub's CPU time per message.\n"
    "  large    1 MiB and 10 MiB values from one client to another, over WebSocket,\n"
    "           over nanomsg and across; prints the median transfer time.\n"
    "  stall    a flood with 0 and 4 clients that never read; prints the hub's RSS.\n"
    "Options: --clients 1,10,100  --deliveries 2000000 (updates = this / clients,\n"
    "         at least --updates 20000)  --names 100  --size 32\n"
    "         --threads 2 (receiver threads; 0: in the main thread)\n"
    "         --sizes 1048576,10485760  --runs 5  --stalled 4\n";

} // namespace

int main(int argc, char **argv)
{
#ifdef __GLIBC__
    // As the hub does: big buffers are reused, not mapped afresh each time,
    // so that the clients' own page faults do not drown the hub's figures.
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
#endif
    QCoreApplication app(argc, argv);
    hubProgram = QCoreApplication::applicationDirPath() + QStringLiteral("/../../bin/nanostate-hubws");
    QList<int> clients{1, 10, 100}, sizes{1048576, 10485760};
    int updates = 20000, names = 100, size = 32, runs = 5, stalledClients = 4, threads = 2;
    int deliveries = 2000000;
    QStringList modes;
    const QStringList args = app.arguments().mid(1);
    for (int i = 0; i < args.size(); ++i) {
        const QString &a = args.at(i);
        const QString next = i + 1 < args.size() ? args.at(i + 1) : QString();
        if (a == QLatin1String("-h") || a == QLatin1String("--help")) {
            std::fputs(usage, stdout);
            return 0;
        } else if (a == QLatin1String("--hub")) {
            hubProgram = next, ++i;
        } else if (a == QLatin1String("--clients")) {
            clients = intList(next), ++i;
        } else if (a == QLatin1String("--sizes")) {
            sizes = intList(next), ++i;
        } else if (a == QLatin1String("--updates")) {
            updates = next.toInt(), ++i;
        } else if (a == QLatin1String("--names")) {
            names = qMax(1, next.toInt()), ++i;
        } else if (a == QLatin1String("--size")) {
            size = qMax(1, next.toInt()), ++i;
        } else if (a == QLatin1String("--runs")) {
            runs = qMax(1, next.toInt()), ++i;
        } else if (a == QLatin1String("--deliveries")) {
            deliveries = next.toInt(), ++i;
        } else if (a == QLatin1String("--threads")) {
            threads = qMax(0, next.toInt()), ++i;
        } else if (a == QLatin1String("--stalled")) {
            stalledClients = next.toInt(), ++i;
        } else if (a == QLatin1String("fanout") || a == QLatin1String("large")
                   || a == QLatin1String("stall")) {
            modes.append(a);
        } else {
            std::fprintf(stderr, "hubws-bench: unknown argument '%s'\n%s", qPrintable(a), usage);
            return 2;
        }
    }
    if (!QFileInfo(hubProgram).isExecutable()) {
        std::fprintf(stderr, "hubws-bench: no hub at %s (use --hub PATH)\n", qPrintable(hubProgram));
        return 2;
    }
    if (modes.isEmpty())
        modes = QStringList{QStringLiteral("fanout"), QStringLiteral("large"), QStringLiteral("stall")};
    if (modes.contains(QLatin1String("fanout"))) {
        // The same number of deliveries for every client count, at least
        // a second's work, so that CPU time (10 ms ticks) means something.
        for (int n : clients)
            fanout(n, qMax(updates, deliveries / qMax(1, n)), names, size, threads);
    }
    if (modes.contains(QLatin1String("large")))
        bigValues(sizes, runs);
    if (modes.contains(QLatin1String("stall"))) {
        stalled(0, updates * 5, names, 1024);
        stalled(stalledClients, updates * 5, names, 1024);
    }
    return 0;
}
