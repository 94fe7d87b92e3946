// SPDX-License-Identifier: MIT
#ifndef WSSERVER_H
#define WSSERVER_H

#include "accesspolicy.h"
#include "webroot.h"
#include "wsclient.h"

#include <QtCore/QHash>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QSet>
#include <QtCore/QVector>
#include <QtNetwork/QSslConfiguration>

class HttpConnection;
class HubEngine;
class QTcpSocket;
class QWebSocketServer;
class TcpListener;

// The hub's HTTP and WebSocket port. Accepts connections (TLS when
// configured), reads each request head without consuming it, and then
// either serves a static file from the web root or, for GET /ws with
// Upgrade: websocket, checks the connection cap, the Origin and the token
// and hands the socket to QWebSocketServer. Every WebSocket client becomes a
// WsClient, a peer of the engine, with the names its token (or
// --read-only-ws) lets it write; the engine's output() is fanned out here.
class WsServer : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        QString host = QStringLiteral("127.0.0.1");
        quint16 port = 15001;
        QSslConfiguration tls; // null: plain ws:// and http://
        int maxClients = 1024;
        int headTimeoutMs = 5000;
        QString webRoot;
        QStringList allowOrigins;
        QStringList tokens; // as --token: TOKEN or TOKEN:PREFIX,...
        bool readOnly = false;
        WsClient::Limits limits;
    };
    struct Counters
    {
        quint64 accepted = 0;    // TCP connections
        quint64 upgraded = 0;    // WebSocket clients admitted
        quint64 served = 0;      // HTTP replies with status 200
        quint64 notFound = 0;    // 404
        quint64 forbidden = 0;   // 403, Origin refused
        quint64 unauthorized = 0; // 401, token missing or wrong
        quint64 overCapacity = 0; // 503 and connections cut at accept
        quint64 dropped = 0;     // no head in time, head too big, TLS failed
        quint64 badRequests = 0; // 400, 405, 426
        // Frames from and to WebSocket clients, gone ones included. The
        // engine's NANOSTATE_HUB_STAT_FRAMES_IN less messagesIn is what came
        // over nanomsg (its FRAMES_OUT counts a broadcast once for everyone).
        quint64 messagesIn = 0;
        quint64 messagesOut = 0;
        // Frames from clients that their WritePolicy stopped: refused ones
        // (each closed its client with 1008) and ones it could not check.
        quint64 refusedWrites = 0;
    };

    WsServer(HubEngine *engine, const Settings &settings, QObject *parent = nullptr);
    ~WsServer() override;

    bool listen(QString *error);
    quint16 port() const;
    bool isTls() const { return !config.tls.isNull(); }
    QString url() const;     // ws(s)://host:port/ws
    QString pageUrl() const; // http(s)://host:port/
    const AccessPolicy &accessPolicy() const { return access; }
    const WebRoot &webRoot() const { return files; }

    QVector<WsClient *> clients() const { return list; }
    int clientCount() const { return list.size(); }
    int pausedCount() const;
    qint64 backlog() const; // sum over all clients
    int openConnections() const; // clients, requests being read, upgrades under way
    Counters counters() const;

    // Closes every client (1001, going away) and stops listening.
    void close();

Q_SIGNALS:
    void clientAdded(WsClient *client);
    void clientRemoved(WsClient *client); // deleted after this returns to the event loop
    void logged(int level, const QString &message);

private:
    void onNewConnection();
    void onHead(HttpConnection *connection);
    void onHttpFinished(HttpConnection *connection);
    void onUpgraded();
    void onClientClosed(WsClient *client);
    void onOutput(const QByteArray &frame, quint64 to, quint64 except);
    void reply(HttpConnection *connection, const HttpReply &reply, const QString &why = QString());

    HubEngine *engine;
    Settings config;
    AccessPolicy access;
    WebRoot files;
    TcpListener *listener;
    QWebSocketServer *upgrader;
    QSet<HttpConnection *> connections;
    struct Upgrade
    {
        QPointer<QTcpSocket> socket;
        WritePolicy writes;
    };
    QHash<QString, Upgrade> upgrading; // by "address|port"
    QString tokenError;
    QVector<WsClient *> list;
    QHash<quint64, WsClient *> byPeer;
    Counters count;
};

#endif // WSSERVER_H
