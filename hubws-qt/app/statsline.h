// SPDX-License-Identifier: MIT
#ifndef STATSLINE_H
#define STATSLINE_H

#include <QtCore/QElapsedTimer>
#include <QtCore/QObject>
#include <QtCore/QTimer>

class HubWs;

// The headless monitor: one line of figures on stdout every period, e.g.
//   ws 3 paused 0 backlog 0 | nanomsg 2 | states 102 seq 10234 |
//   in/s 523.0 out/s 1540.0 rejected 0 | http 4 refused 1 | rss_kib 12345
// (on one line). Counts of frames cover both transports, as the engine's;
// rejected adds the WebSocket frames a client's WritePolicy refused.
class StatsLine : public QObject
{
    Q_OBJECT
public:
    StatsLine(HubWs *hub, int periodMs, QObject *parent = nullptr);

    QString line(); // the next line (and resets the rates)
    static qint64 residentKiB(); // of this process, from /proc/self/statm

private:
    void print();

    HubWs *hub;
    QTimer timer;
    QElapsedTimer clock;
    quint64 lastIn = 0;
    quint64 lastOut = 0;
};

#endif // STATSLINE_H
