// SPDX-License-Identifier: MIT
#ifndef HTTPCONNECTION_H
#define HTTPCONNECTION_H

#include "httpreply.h"
#include "httprequest.h"

#include <QtCore/QObject>
#include <QtCore/QTimer>

class QTcpSocket;

// A just-accepted connection until its HTTP request head has arrived. The
// head is peeked, never consumed, so that a WebSocket upgrade can be handed
// on with the request still unread. A connection that sends nothing within
// the head timeout, or more than maxHeadSize bytes without ending its head,
// or garbage, is dropped.
class HttpConnection : public QObject
{
    Q_OBJECT
public:
    static constexpr int maxHeadSize = 16 * 1024;

    // Takes the socket (QTcpSocket or QSslSocket, connected).
    HttpConnection(QTcpSocket *socket, int headTimeoutMs, QObject *parent = nullptr);
    ~HttpConnection() override;

    QTcpSocket *socket() const { return sock; }
    QString peer() const { return peerName; } // "address:port"
    const HttpRequest &request() const { return head; }
    QString dropReason() const { return reason; } // why it was dropped, if it was

    // Sends the reply, then closes; finished() once the client has it (or
    // after the head timeout, for a client that does not read).
    void respond(const HttpReply &reply);
    // Gives the socket away, unread, and stops watching it; finished() follows.
    QTcpSocket *takeSocket();

Q_SIGNALS:
    void headReceived(HttpConnection *connection);
    // Done with: answered, dropped, closed by the client or taken. Delete it
    // later (never from the slot directly).
    void finished(HttpConnection *connection);

private:
    void onReadyRead();
    void drop(const QString &why);
    void finish();

    QTcpSocket *sock;
    QString peerName;
    HttpRequest head;
    QString reason;
    QTimer timer;
    bool done = false;
};

#endif // HTTPCONNECTION_H
