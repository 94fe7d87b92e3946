// SPDX-License-Identifier: MIT
#include "wspeer.h"

#include <QtCore/QRandomGenerator>
#include <QtCore/QEventLoop>
#include <QtCore/QTimer>

WsPeer::WsPeer(const QString &identity, QObject *parent)
    : QObject(parent), id(identity), sessionId(QRandomGenerator::global()->generate64() | 1)
{
    makeSocket(QString());
}

void WsPeer::makeSocket(const QString &origin)
{
    delete ws;
    ws = new QWebSocket(origin, QWebSocketProtocol::VersionLatest, this);
    ws->setMaxAllowedIncomingMessageSize(64 * 1024 * 1024);
    connect(ws, &QWebSocket::binaryMessageReceived, this, &WsPeer::onMessage);
    connect(ws, &QWebSocket::connected, this, [this] {
        if (autoSync)
            sendSync(0);
    });
}

void WsPeer::open(const QNetworkRequest &request, const QString &origin)
{
    // QWebSocket sends the origin it was constructed with.
    if (!origin.isEmpty())
        makeSocket(origin);
    ws->open(request);
}

bool WsPeer::waitConnected(int timeoutMs)
{
    // Until it connects, or fails (a refused upgrade ends in disconnected()).
    QEventLoop loop;
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    connect(ws, &QWebSocket::connected, &loop, &QEventLoop::quit);
    connect(ws, &QWebSocket::disconnected, &loop, &QEventLoop::quit);
    if (!isConnected())
        loop.exec();
    return isConnected();
}

quint64 WsPeer::sendNumbered(int op, const QString &name, const QByteArray &packed)
{
    const quint64 aseq = nextAseq++;
    ws->sendBinaryMessage(WireFrame::numbered(op, id, name, packed, sessionId, aseq, aseq == 1));
    return aseq;
}

quint64 WsPeer::sendSet(const QString &name, const QByteArray &packed)
{
    return sendNumbered(WireFrame::Set, name, packed);
}

quint64 WsPeer::sendDel(const QString &name)
{
    return sendNumbered(WireFrame::Del, name, WireFrame::packBin(QByteArray()));
}

quint64 WsPeer::sendPing()
{
    return sendNumbered(WireFrame::Ping, QString(), WireFrame::packBin(QByteArray()));
}

void WsPeer::sendLegacy(const QString &name, const QByteArray &packed)
{
    ws->sendBinaryMessage(WireFrame::legacy(id, name, packed));
}

void WsPeer::sendSync(quint64 since)
{
    syncing = true;
    syncSince = since;
    ws->sendBinaryMessage(WireFrame::sync(id, sessionId, epoch, since));
}

int WsPeer::framesWithOp(int op) const
{
    int n = 0;
    for (const WireFrame &f : frames)
        n += f.op == op ? 1 : 0;
    return n;
}

int WsPeer::framesNamed(const QString &name) const
{
    int n = 0;
    for (const WireFrame &f : frames)
        n += f.name == name ? 1 : 0;
    return n;
}

bool WsPeer::hasFrame(const std::function<bool(const WireFrame &)> &match) const
{
    for (const WireFrame &f : frames) {
        if (match(f))
            return true;
    }
    return false;
}

void WsPeer::apply(const WireFrame::Entry &e)
{
    auto it = table.find(e.name);
    if (it != table.end() && it->seq >= e.seq)
        return;
    table.insert(e.name, e);
}

void WsPeer::onMessage(const QByteArray &message)
{
    WireFrame f;
    if (!WireFrame::parse(message, &f)) {
        ++malformed;
        return;
    }
    if (keepFrames)
        frames.append(f);
    if (autoSync) {
        switch (f.op) {
        case WireFrame::Set:
        case WireFrame::Del: {
            WireFrame::Entry e;
            e.name = f.name;
            e.seq = f.seq();
            e.sender = f.sender;
            e.session = f.session();
            e.value = f.op == WireFrame::Set ? f.value : QByteArray();
            e.removed = f.op == WireFrame::Del;
            apply(e);
            if (!syncing && synced) {
                if (e.seq > lastSeq + 1)
                    sendSync(lastSeq);
                else if (e.seq == lastSeq + 1)
                    lastSeq = e.seq;
            }
            break;
        }
        case WireFrame::Snapshot: {
            if (f.session() != sessionId || !syncing)
                break;
            const quint64 since = f.field(2), upto = f.field(3);
            const bool full = f.field(5) & WireFrame::SnapFull;
            if (since != syncSince && !(full && since == 0))
                break;
            for (const WireFrame::Entry &e : qAsConst(f.entries))
                apply(e);
            epoch = f.field(1);
            if (f.field(5) & WireFrame::SnapMore) {
                sendSync(upto);
            } else {
                syncing = false;
                synced = true;
                lastSeq = qMax(lastSeq, f.seq());
            }
            break;
        }
        case WireFrame::Heartbeat:
            if (synced && !syncing && (f.field(0) != epoch || f.seq() > lastSeq))
                sendSync(f.field(0) != epoch ? 0 : lastSeq);
            break;
        default:
            break;
        }
    }
    emit frameReceived(f);
}
