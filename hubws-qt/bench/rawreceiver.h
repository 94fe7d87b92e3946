// SPDX-License-Identifier: MIT
#ifndef RAWRECEIVER_H
#define RAWRECEIVER_H

#include <QtCore/QObject>
#include <QtNetwork/QTcpSocket>

#include <atomic>

// A WebSocket client that costs the bench as little as possible: it does
// the upgrade, then only walks frame headers and counts binary messages,
// noting when one contains `marker` (the bench's last update). With
// `stalled` it stops reading after the handshake altogether. The figures
// may be read from another thread (receivers can run in worker threads).
class RawReceiver : public QObject
{
    Q_OBJECT
public:
    RawReceiver(quint16 port, const QByteArray &marker, bool stalled = false,
                QObject *parent = nullptr);

    // Connects; call in the thread the receiver lives in (or queue it there).
    Q_INVOKABLE void start();

    bool isUpgraded() const { return upgraded; }
    bool sawMarker() const { return marked; }
    qint64 messages() const { return count; }
    qint64 bytes() const { return total; }

private:
    void onReadyRead();

    QTcpSocket *socket;
    quint16 port;
    QByteArray marker;
    QByteArray buffer;
    bool stalled;
    std::atomic<bool> upgraded{false};
    std::atomic<bool> marked{false};
    std::atomic<qint64> count{0};
    std::atomic<qint64> total{0};
};

#endif // RAWRECEIVER_H
