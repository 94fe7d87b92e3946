// SPDX-License-Identifier: MIT
#include "wsclient.h"
#include "hubengine.h"

#include <QtNetwork/QSslSocket>
#include <QtWebSockets/QWebSocket>

#include <QtEndian>

#ifdef Q_OS_LINUX
#include <linux/sockios.h>
#include <sys/ioctl.h>
#endif

namespace {
// The header of one unfragmented, unmasked binary WebSocket frame (RFC 6455
// 5.2); servers never mask.
int binaryFrameHeader(quint64 size, char *out)
{
    out[0] = char(0x82); // FIN, opcode 2
    if (size <= 125) {
        out[1] = char(size);
        return 2;
    }
    if (size <= 0xffff) {
        out[1] = char(126);
        qToBigEndian<quint16>(quint16(size), out + 2);
        return 4;
    }
    out[1] = char(127);
    qToBigEndian<quint64>(size, out + 2);
    return 10;
}

const QWebSocketProtocol::CloseCode closeTryAgainLater = QWebSocketProtocol::CloseCode(1013);
} // namespace

WsClient::WsClient(QWebSocket *webSocket, QTcpSocket *socket, HubEngine *engine,
                   const Limits &limits, const WritePolicy &writes, QObject *parent)
    : QObject(parent), ws(webSocket), tcp(socket), engine(engine), limits(limits), writes(writes)
{
    ws->setParent(this);
    peerAddress = QStringLiteral("%1:%2").arg(ws->peerAddress().toString()).arg(ws->peerPort());
    requestOrigin = ws->origin();
    since = QDateTime::currentDateTimeUtc();
    ws->setMaxAllowedIncomingFrameSize(quint64(limits.maxFrame));
    ws->setMaxAllowedIncomingMessageSize(quint64(limits.maxFrame));

    stallTimer.setSingleShot(true);
    connect(&stallTimer, &QTimer::timeout, this, &WsClient::onStalled);
    clock.start();
    progressTimer.setSingleShot(true);
    connect(&progressTimer, &QTimer::timeout, this, &WsClient::onProgressCheck);
    cutTimer.setSingleShot(true);
    connect(&cutTimer, &QTimer::timeout, this, [this] {
        if (tcp)
            tcp->abort();
        onDisconnected();
    });

    connect(ws, &QWebSocket::binaryMessageReceived, this, &WsClient::onMessage);
    connect(ws, &QWebSocket::textMessageReceived, this, [this] {
        close(QWebSocketProtocol::CloseCodeDatatypeNotSupported,
              QStringLiteral("Nanostate frames are binary messages"));
    });
    connect(ws, &QWebSocket::aboutToClose, this, &WsClient::onClosing);
    connect(ws, &QWebSocket::disconnected, this, &WsClient::onDisconnected);
    if (tcp) {
        // Queued: the drain may resume the peer, which must not happen
        // inside an engine call that is writing to this socket.
        connect(tcp, &QTcpSocket::bytesWritten, this, &WsClient::onDrained, Qt::QueuedConnection);
        // Bytes handed to the kernel, QWebSocket's own included. With TLS,
        // bytesWritten only says that bytes were encrypted.
        const auto written = [this](qint64 n) { toKernel += n; };
        if (auto *ssl = qobject_cast<QSslSocket *>(tcp.data())) {
            encrypted = true;
            connect(ssl, &QSslSocket::encryptedBytesWritten, this, &WsClient::onDrained,
                    Qt::QueuedConnection);
            connect(ssl, &QSslSocket::encryptedBytesWritten, this, written);
        } else {
            connect(tcp, &QTcpSocket::bytesWritten, this, written);
        }
    }
    id = engine->addPeer();
    joined = id != 0;
    if (ws->state() != QAbstractSocket::ConnectedState)
        QMetaObject::invokeMethod(this, &WsClient::onDisconnected, Qt::QueuedConnection);
}

WsClient::~WsClient()
{
    leaveEngine();
}

QString WsClient::identity() const
{
    return joined ? engine->peerIdentity(id) : lastIdentity;
}

qint64 WsClient::backlog() const
{
    if (!tcp)
        return 0;
    qint64 n = tcp->bytesToWrite();
    if (encrypted)
        n += static_cast<QSslSocket *>(tcp.data())->encryptedBytesToWrite();
    return n;
}

qint64 WsClient::unacknowledged() const
{
    int n = 0;
#ifdef Q_OS_LINUX
    // What the kernel holds that the peer did not acknowledge yet (TCP).
    if (!tcp || ::ioctl(int(tcp->socketDescriptor()), SIOCOUTQ, &n) != 0)
        n = 0;
#endif
    return n;
}

bool WsClient::send(const QByteArray &frame)
{
    if (closing || gone || !tcp)
        return false;
    char header[10];
    tcp->write(header, binaryFrameHeader(quint64(frame.size()), header));
    tcp->write(frame); // one copy, into the socket's buffer
    ++outCount;
    outBytes += quint64(frame.size());
    if (!paused && !progressTimer.isActive())
        watchProgress();
    if (!paused && backlog() > limits.maxQueue) {
        paused = true;
        ++pauseCount;
        engine->pausePeer(id);
        progressTimer.stop(); // the stall timer takes over
        stallTimer.start(limits.stallTimeoutMs);
        // We are inside an engine call: tell the world afterwards.
        QTimer::singleShot(0, this, [this] {
            if (!paused)
                return;
            emit logged(0, QStringLiteral("client %1 (%2) paused: %3 bytes unsent")
                               .arg(id)
                               .arg(peerAddress)
                               .arg(backlog()));
            emit pausedChanged(true);
        });
    }
    return true;
}

void WsClient::onDrained()
{
    if (!paused || closing || gone || backlog() > limits.maxQueue / 4)
        return;
    paused = false;
    stallTimer.stop();
    // The kernel's buffers may have taken the backlog, not the client.
    watchProgress();
    emit logged(0, QStringLiteral("client %1 (%2) resumed").arg(id).arg(peerAddress));
    engine->resumePeer(id); // it gets a heartbeat and pulls what it missed
    emit pausedChanged(false);
}

void WsClient::onMessage(const QByteArray &message)
{
    ++inCount;
    inBytes += quint64(message.size());
    if (closing || gone)
        return;
    if (backlog() > 2 * limits.maxQueue) {
        if (dropCount++ == 0 || dropCount % 1000 == 0)
            emit logged(1, QStringLiteral("client %1 (%2) does not read: %3 frames from it dropped")
                               .arg(id)
                               .arg(peerAddress)
                               .arg(dropCount));
        return;
    }
    if (mayInput(message))
        engine->input(id, message); // the engine logs rejected frames
}

bool WsClient::mayInput(const QByteArray &message)
{
    QString why;
    const WritePolicy::Verdict verdict = writes.check(message, &why);
    if (verdict == WritePolicy::Allowed)
        return true;
    ++refusedCount;
    if (verdict == WritePolicy::Unreadable) {
        // Invalid for the engine too: dropped, as it would drop it.
        emit logged(1, QStringLiteral("client %1 (%2): a frame the hub cannot check dropped "
                                      "(this client may write %3)")
                           .arg(id)
                           .arg(peerAddress, writes.toString()));
        return false;
    }
    emit logged(1, QStringLiteral("client %1 (%2) %3 (it may write %4): refused, closing it "
                                  "with 1008")
                       .arg(id)
                       .arg(peerAddress, why, writes.toString()));
    // A close reason holds at most 123 bytes.
    close(QWebSocketProtocol::CloseCodePolicyViolated, QString::fromUtf8(why.toUtf8().left(120)));
    return false;
}

void WsClient::onStalled()
{
    if (!paused || closing || gone)
        return;
    emit logged(1, QStringLiteral("client %1 (%2) stalled: paused for %3 ms with %4 bytes unsent; "
                                  "closing it with 1013")
                       .arg(id)
                       .arg(peerAddress)
                       .arg(limits.stallTimeoutMs)
                       .arg(backlog()));
    close(closeTryAgainLater, QStringLiteral("stalled"));
}

// Acknowledgements are no event: while bytes wait, a timer looks every
// quarter of the stall timeout whether the client took any since.
void WsClient::watchProgress()
{
    progressAtMs = clock.elapsed();
    acknowledgedMark = -1; // the first look counts as progress
    progressTimer.start(qMax(1, limits.stallTimeoutMs / 4));
}

void WsClient::onProgressCheck()
{
    if (paused || closing || gone)
        return; // a paused client has the stall timer
    const qint64 inKernel = unacknowledged();
    const qint64 waiting = backlog() + inKernel;
    if (waiting == 0)
        return; // all taken: the next send watches again
    const qint64 acknowledged = toKernel - inKernel;
    if (acknowledged != acknowledgedMark) {
        acknowledgedMark = acknowledged;
        progressAtMs = clock.elapsed();
    }
    if (clock.elapsed() - progressAtMs < limits.stallTimeoutMs) {
        progressTimer.start(qMax(1, limits.stallTimeoutMs / 4));
        return;
    }
    // Perhaps the event loop was too busy to give the socket its turn to
    // write, while the kernel had room: then the client does read.
    const qint64 before = backlog();
    if (tcp && tcp->flush() && backlog() < before) {
        progressAtMs = clock.elapsed();
        progressTimer.start(qMax(1, limits.stallTimeoutMs / 4));
        return;
    }
    emit logged(1, QStringLiteral("client %1 (%2) stalled: took none of %3 bytes waiting for it "
                                  "in %4 ms; closing it with 1013")
                       .arg(id)
                       .arg(peerAddress)
                       .arg(waiting)
                       .arg(clock.elapsed() - progressAtMs));
    close(closeTryAgainLater, QStringLiteral("stalled"));
}

void WsClient::close(QWebSocketProtocol::CloseCode code, const QString &reason)
{
    if (closing || gone)
        return;
    closing = true;
    stallTimer.stop();
    progressTimer.stop();
    leaveEngine();
    ws->close(code, reason);
    if (!gone)
        cutTimer.start(limits.stallTimeoutMs);
}

void WsClient::onClosing()
{
    // The client closed, or QWebSocket did (1009 for a frame over the limit).
    if (closing || gone)
        return;
    closing = true;
    stallTimer.stop();
    progressTimer.stop();
    leaveEngine();
    cutTimer.start(limits.stallTimeoutMs);
}

void WsClient::onDisconnected()
{
    if (gone)
        return;
    gone = true;
    closing = true;
    stallTimer.stop();
    progressTimer.stop();
    cutTimer.stop();
    leaveEngine();
    emit logged(0, QStringLiteral("client %1 (%2) left: close code %3%4")
                       .arg(id)
                       .arg(peerAddress)
                       .arg(int(ws->closeCode()))
                       .arg(ws->closeReason().isEmpty() ? QString()
                                                        : QStringLiteral(" (%1)").arg(ws->closeReason())));
    emit closed(this);
}

void WsClient::leaveEngine()
{
    if (!joined)
        return;
    joined = false;
    lastIdentity = engine->peerIdentity(id);
    engine->removePeer(id);
}
