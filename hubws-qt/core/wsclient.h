// SPDX-License-Identifier: MIT
#ifndef WSCLIENT_H
#define WSCLIENT_H

#include "writepolicy.h"

#include <QtCore/QDateTime>
#include <QtCore/QElapsedTimer>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QTimer>
#include <QtWebSockets/QWebSocketProtocol>

class HubEngine;
class QTcpSocket;
class QWebSocket;

// One WebSocket client: a peer of the hub engine. Binary messages are
// frames fed to the engine; frames for the client are written straight to
// its socket, each as one unfragmented binary message: the socket's buffer
// takes the only copy per client. (QWebSocket::sendBinaryMessage() would
// copy twice, since it detaches its argument, and cut big frames into
// 512 KiB pieces.) QWebSocket still reads, answers pings and closes.
//
// Flow control: the client's backlog is what its socket has not sent yet.
// Above maxQueue it is paused (no broadcasts, the engine knows); below a
// quarter of that it is resumed and pulls the newest value of every state it
// missed. Paused for stallTimeout, it is closed with 1013; so is a client
// not paused that took (acknowledged, on Linux) none of the bytes waiting
// for it for stallTimeout. (The kernel's buffers take a few MiB from a
// client that never reads, which empties its backlog and resumes it: if the
// traffic then stays too light to pause it again, only the second rule
// sees that it reads nothing.) While its backlog is above twice maxQueue
// the frames it sends are dropped, since answering them would grow the
// backlog without bound (Nanostate Apps send again what the hub did not
// take).
//
// Writes: a frame the client's WritePolicy refuses (a name it may not
// write, say) is not fed to the engine, and the client is closed with 1008
// (policy violation), since the protocol has no way to refuse one update.
// Going on without it would not work: the App would send it again and
// again, and the in-order rule would hold back its later updates.
class WsClient : public QObject
{
    Q_OBJECT
public:
    struct Limits
    {
        int maxFrame = 16 * 1024 * 1024;
        qint64 maxQueue = 1024 * 1024;
        int stallTimeoutMs = 10000;
    };

    // Takes the QWebSocket; `socket` is the connection under it (for the
    // backlog). Registers a peer with the engine; check peer() != 0.
    WsClient(QWebSocket *webSocket, QTcpSocket *socket, HubEngine *engine, const Limits &limits,
             const WritePolicy &writes, QObject *parent = nullptr);
    ~WsClient() override;

    quint64 peer() const { return id; }
    QString address() const { return peerAddress; } // "address:port"
    QString origin() const { return requestOrigin; }
    QString identity() const;                       // as the client last sent it
    QDateTime connectedAt() const { return since; }
    bool isEncrypted() const { return encrypted; }
    bool isPaused() const { return paused; }
    bool isClosing() const { return closing; }
    qint64 backlog() const;                         // bytes not sent yet
    quint64 messagesIn() const { return inCount; }
    quint64 messagesOut() const { return outCount; }
    quint64 bytesIn() const { return inBytes; }
    quint64 bytesOut() const { return outBytes; }
    quint64 pauses() const { return pauseCount; }
    quint64 droppedIn() const { return dropCount; } // frames dropped at the hard limit
    const WritePolicy &writePolicy() const { return writes; }
    quint64 refusedIn() const { return refusedCount; } // frames refused by the policy

    // Queues one frame as a binary message. False if closing.
    bool send(const QByteArray &frame);
    // Closes with a WebSocket close code; the connection is cut if the
    // client does not take the close within the stall timeout.
    void close(QWebSocketProtocol::CloseCode code, const QString &reason);

Q_SIGNALS:
    void pausedChanged(bool paused);
    void logged(int level, const QString &message);
    // The connection is gone; the owner deletes the client later.
    void closed(WsClient *client);

private:
    void onMessage(const QByteArray &message);
    bool mayInput(const QByteArray &message);
    void onDrained();
    void onStalled();
    void watchProgress();
    void onProgressCheck();
    qint64 unacknowledged() const; // bytes the kernel holds for the client
    void onClosing();
    void onDisconnected();
    void leaveEngine();

    QWebSocket *ws;
    QPointer<QTcpSocket> tcp;
    HubEngine *engine;
    Limits limits;
    WritePolicy writes;
    quint64 id = 0;
    QString peerAddress;
    QString requestOrigin;
    QDateTime since;
    bool encrypted = false;
    bool paused = false;
    bool closing = false;
    bool gone = false;
    bool joined = false; // a peer of the engine
    QString lastIdentity;
    quint64 inCount = 0, outCount = 0, inBytes = 0, outBytes = 0;
    quint64 pauseCount = 0, dropCount = 0, refusedCount = 0;
    QTimer stallTimer;    // paused for stallTimeout
    QTimer progressTimer; // not paused, but nothing taken for stallTimeout
    QElapsedTimer clock;
    qint64 toKernel = 0;          // bytes written to the socket
    qint64 acknowledgedMark = -1; // toKernel - unacknowledged() when last seen
    qint64 progressAtMs = 0;      // when it last changed, or bytes began to wait
    QTimer cutTimer;
};

#endif // WSCLIENT_H
