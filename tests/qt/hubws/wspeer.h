// SPDX-License-Identifier: MIT
#ifndef WSPEER_H
#define WSPEER_H

#include "wireframe.h"

#include <QtCore/QHash>
#include <QtCore/QObject>
#include <QtCore/QVector>
#include <QtNetwork/QNetworkRequest>
#include <QtWebSockets/QWebSocket>

// A WebSocket client of the hub for the tests: sends frames as an App would
// and, with autoSync, keeps a replica by the rules of PROTOCOL.md 7.8
// (SYNC at start and on a gap, chunks pulled one at a time).
class WsPeer : public QObject
{
    Q_OBJECT
public:
    explicit WsPeer(const QString &identity, QObject *parent = nullptr);

    QWebSocket *socket() { return ws; }
    QString identity() const { return id; }
    quint64 session() const { return sessionId; }

    // Opens request.url(); origin "" sends no Origin header.
    void open(const QNetworkRequest &request, const QString &origin = QString());
    bool waitConnected(int timeoutMs = 5000);
    bool isConnected() const { return ws->state() == QAbstractSocket::ConnectedState; }

    void setAutoSync(bool on) { autoSync = on; }
    void setKeepFrames(bool on) { keepFrames = on; }

    quint64 sendSet(const QString &name, const QByteArray &packed); // returns the aseq
    quint64 sendDel(const QString &name);
    quint64 sendPing();
    void sendLegacy(const QString &name, const QByteArray &packed);
    void sendSync(quint64 since);

    // Everything received (unless keepFrames is off), in order.
    QVector<WireFrame> frames;
    int framesWithOp(int op) const;
    int framesNamed(const QString &name) const;
    bool hasFrame(const std::function<bool(const WireFrame &)> &match) const;

    // The replica (autoSync).
    QHash<QString, WireFrame::Entry> table;
    quint64 lastSeq = 0;
    bool synced = false;
    int malformed = 0;

Q_SIGNALS:
    void frameReceived(const WireFrame &frame);

private:
    void makeSocket(const QString &origin);
    void onMessage(const QByteArray &message);
    void apply(const WireFrame::Entry &e);
    quint64 sendNumbered(int op, const QString &name, const QByteArray &packed);

    QWebSocket *ws = nullptr;
    QString id;
    quint64 sessionId;
    quint64 nextAseq = 1;
    quint64 epoch = 0;
    bool autoSync = false;
    bool keepFrames = true;
    bool syncing = false;
    quint64 syncSince = 0;
};

#endif // WSPEER_H
