// SPDX-License-Identifier: MIT
#include "statsline.h"
#include "hubengine.h"
#include "hubws.h"
#include "wsserver.h"

#include <QtCore/QFile>

#include <cstdio>
#include <unistd.h>

StatsLine::StatsLine(HubWs *hub, int periodMs, QObject *parent) : QObject(parent), hub(hub)
{
    lastIn = hub->engine()->stat(NANOSTATE_HUB_STAT_FRAMES_IN);
    lastOut = hub->engine()->stat(NANOSTATE_HUB_STAT_FRAMES_OUT);
    clock.start();
    connect(&timer, &QTimer::timeout, this, &StatsLine::print);
    timer.start(periodMs);
}

qint64 StatsLine::residentKiB()
{
    QFile f(QStringLiteral("/proc/self/statm"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> fields = f.readAll().split(' ');
    if (fields.size() < 2)
        return -1;
    return fields.at(1).toLongLong() * (::sysconf(_SC_PAGESIZE) / 1024);
}

QString StatsLine::line()
{
    const HubEngine *e = hub->engine();
    const WsServer *s = hub->server();
    const quint64 in = e->stat(NANOSTATE_HUB_STAT_FRAMES_IN);
    const quint64 out = e->stat(NANOSTATE_HUB_STAT_FRAMES_OUT);
    const double seconds = qMax<qint64>(1, clock.restart()) / 1000.0;
    const double inRate = double(in - lastIn) / seconds;
    const double outRate = double(out - lastOut) / seconds;
    lastIn = in;
    lastOut = out;
    const WsServer::Counters c = s->counters();
    const qint64 nn = e->nanomsgConnections();
    return QStringLiteral("ws %1 paused %2 backlog %3 | nanomsg %4 | states %5 seq %6 | "
                          "in/s %7 out/s %8 rejected %9 | http %10 refused %11 | rss_kib %12")
        .arg(s->clientCount())
        .arg(s->pausedCount())
        .arg(s->backlog())
        .arg(nn < 0 ? QStringLiteral("?") : QString::number(nn))
        .arg(e->stateCount())
        .arg(e->seq())
        .arg(inRate, 0, 'f', 1)
        .arg(outRate, 0, 'f', 1)
        .arg(e->stat(NANOSTATE_HUB_STAT_REJECTED) + c.refusedWrites)
        .arg(c.served)
        .arg(c.forbidden + c.unauthorized + c.overCapacity)
        .arg(residentKiB());
}

void StatsLine::print()
{
    const QByteArray text = line().toUtf8() + '\n';
    std::fwrite(text.constData(), 1, size_t(text.size()), stdout);
    std::fflush(stdout);
}
