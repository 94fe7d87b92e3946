// SPDX-License-Identifier: MIT
#include "wsserver.h"
#include "httpconnection.h"
#include "hubengine.h"
#include "tcplistener.h"

#include <QtNetwork/QHostInfo>
#include <QtNetwork/QTcpSocket>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketServer>

namespace {
QString socketKey(const QHostAddress &address, quint16 port)
{
    return address.toString() + QLatin1Char('|') + QString::number(port);
}

QString hostForUrl(const QString &host)
{
    return host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host;
}
} // namespace

WsServer::WsServer(HubEngine *engine, const Settings &settings, QObject *parent)
    : QObject(parent),
      engine(engine),
      config(settings),
      files(settings.webRoot),
      listener(new TcpListener(this)),
      upgrader(new QWebSocketServer(QStringLiteral("nanostate-hubws"),
                                    settings.tls.isNull() ? QWebSocketServer::NonSecureMode
                                                          : QWebSocketServer::SecureMode,
                                    this))
{
    access.setAllowedOrigins(settings.allowOrigins);
    // HubConfig checked them already; if not, listen() fails with the reason.
    access.setTokens(settings.tokens, &tokenError);
    access.setReadOnly(settings.readOnly);
    if (!settings.tls.isNull())
        listener->setTls(settings.tls);
    // More than the default 30 waiting upgrades must not be refused.
    listener->setMaxPendingConnections(1000);
    upgrader->setMaxPendingConnections(1000);
    upgrader->setHandshakeTimeout(settings.headTimeoutMs);
    connect(listener, &QTcpServer::newConnection, this, &WsServer::onNewConnection);
    connect(upgrader, &QWebSocketServer::newConnection, this, &WsServer::onUpgraded);
    connect(upgrader, &QWebSocketServer::serverError, this, [this] {
        ++count.badRequests;
        emit logged(1, QStringLiteral("WebSocket upgrade failed: %1").arg(upgrader->errorString()));
    });
    connect(engine, &HubEngine::output, this, &WsServer::onOutput);
}

WsServer::~WsServer()
{
    // Clients leave the engine before it goes.
    qDeleteAll(list);
    list.clear();
    qDeleteAll(connections);
    // Sockets handed to QWebSocketServer mid-handshake have no parent: once
    // it is gone (it may still refer to them), what is left of them is ours.
    delete upgrader;
    upgrader = nullptr;
    const auto pending = upgrading.values();
    upgrading.clear();
    for (const Upgrade &u : pending)
        delete u.socket.data(); // QPointer: null if already gone
}

bool WsServer::listen(QString *error)
{
    if (!tokenError.isEmpty()) {
        *error = QStringLiteral("--token: %1").arg(tokenError);
        return false;
    }
    QHostAddress address;
    if (config.host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0) {
        address = QHostAddress::LocalHost;
    } else if (!address.setAddress(config.host)) {
        const QHostInfo info = QHostInfo::fromName(config.host);
        if (info.addresses().isEmpty()) {
            *error = QStringLiteral("cannot resolve --ws-host %1: %2").arg(config.host, info.errorString());
            return false;
        }
        address = info.addresses().first();
    }
    if (!listener->listen(address, config.port)) {
        *error = QStringLiteral("cannot listen on %1 port %2: %3")
                     .arg(config.host)
                     .arg(config.port)
                     .arg(listener->errorString());
        return false;
    }
    access.setOwnAddress(config.host, listener->serverPort(), isTls());
    return true;
}

quint16 WsServer::port() const
{
    return listener->serverPort();
}

QString WsServer::url() const
{
    return QStringLiteral("%1://%2:%3/ws")
        .arg(isTls() ? QStringLiteral("wss") : QStringLiteral("ws"), hostForUrl(config.host))
        .arg(port());
}

QString WsServer::pageUrl() const
{
    return QStringLiteral("%1://%2:%3/")
        .arg(isTls() ? QStringLiteral("https") : QStringLiteral("http"), hostForUrl(config.host))
        .arg(port());
}

int WsServer::pausedCount() const
{
    int n = 0;
    for (const WsClient *c : list)
        n += c->isPaused() ? 1 : 0;
    return n;
}

qint64 WsServer::backlog() const
{
    qint64 n = 0;
    for (const WsClient *c : list)
        n += c->backlog();
    return n;
}

WsServer::Counters WsServer::counters() const
{
    Counters c = count;
    for (const WsClient *client : list) {
        c.messagesIn += client->messagesIn();
        c.messagesOut += client->messagesOut();
        c.refusedWrites += client->refusedIn();
    }
    return c;
}

int WsServer::openConnections() const
{
    return list.size() + connections.size() + upgrading.size();
}

void WsServer::close()
{
    listener->close();
    for (WsClient *c : qAsConst(list))
        c->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("the hub is shutting down"));
}

void WsServer::onNewConnection()
{
    // Past the cap a request still gets its 503 once its head is read;
    // this far past it, connections are cut at once.
    const int hardLimit = config.maxClients + qMax(16, config.maxClients / 8);
    while (QTcpSocket *socket = listener->nextPendingConnection()) {
        ++count.accepted;
        if (openConnections() >= hardLimit) {
            ++count.overCapacity;
            socket->abort();
            socket->deleteLater();
            continue;
        }
        // Small frames go out at once; dead peers are noticed even when idle.
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        socket->setSocketOption(QAbstractSocket::KeepAliveOption, 1);
        auto *connection = new HttpConnection(socket, config.headTimeoutMs, this);
        connections.insert(connection);
        connect(connection, &HttpConnection::headReceived, this, &WsServer::onHead);
        connect(connection, &HttpConnection::finished, this, &WsServer::onHttpFinished);
    }
}

void WsServer::reply(HttpConnection *connection, const HttpReply &reply, const QString &why)
{
    switch (reply.status()) {
    case 200: ++count.served; break;
    case 401: ++count.unauthorized; break;
    case 403: ++count.forbidden; break;
    case 404: ++count.notFound; break;
    case 503: ++count.overCapacity; break;
    default: ++count.badRequests; break;
    }
    const HttpRequest &request = connection->request();
    emit logged(reply.status() < 400 ? 0 : 1,
                QStringLiteral("%1 %2 from %3: %4%5")
                    .arg(QString::fromLatin1(request.method()),
                         QString::fromUtf8(request.path()).left(200), connection->peer())
                    .arg(reply.status())
                    .arg(why.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(why)));
    connection->respond(reply);
}

void WsServer::onHead(HttpConnection *connection)
{
    const HttpRequest &request = connection->request();
    // This connection is one of the open ones: count the others.
    if (openConnections() - 1 >= config.maxClients) {
        reply(connection, HttpReply::error(503, "too many connections"),
              QStringLiteral("--max-clients %1 reached").arg(config.maxClients));
        return;
    }
    if (request.method() != "GET" && request.method() != "HEAD") {
        HttpReply r = HttpReply::error(405);
        r.addHeader("Allow", "GET, HEAD");
        reply(connection, r);
        return;
    }
    if (request.path() != "/ws") {
        reply(connection, files.reply(request));
        return;
    }
    if (request.method() != "GET" || !request.isWebSocketUpgrade()) {
        HttpReply r = HttpReply::error(426, "this is the WebSocket endpoint");
        r.addHeader("Upgrade", "websocket");
        reply(connection, r);
        return;
    }
    const QByteArray origin = request.header("origin");
    if (!access.isOriginAllowed(origin)) {
        reply(connection, HttpReply::error(403, "origin not allowed (see --allow-origin)"),
              QStringLiteral("origin %1").arg(QString::fromUtf8(origin).left(200)));
        return;
    }
    WritePolicy writes;
    if (!access.authorize(request, &writes)) {
        HttpReply r = HttpReply::error(401, "a token is needed: ?token=TOKEN or Authorization: Bearer");
        r.addHeader("WWW-Authenticate", "Bearer realm=\"nanostate\"");
        reply(connection, r, QStringLiteral("token missing or wrong"));
        return;
    }
    QTcpSocket *socket = connection->takeSocket();
    const QString key = socketKey(socket->peerAddress(), socket->peerPort());
    upgrading.insert(key, {socket, writes});
    connect(socket, &QObject::destroyed, this, [this, key] {
        auto it = upgrading.find(key);
        if (it != upgrading.end() && it->socket.isNull())
            upgrading.erase(it);
    });
    // The head is still unread in the socket: QWebSocketServer reads it.
    upgrader->handleConnection(socket);
}

void WsServer::onHttpFinished(HttpConnection *connection)
{
    connections.remove(connection);
    if (!connection->dropReason().isEmpty()) {
        ++count.dropped;
        emit logged(0, QStringLiteral("connection from %1 dropped: %2")
                           .arg(connection->peer(), connection->dropReason()));
    }
    connection->deleteLater();
}

void WsServer::onUpgraded()
{
    while (QWebSocket *ws = upgrader->nextPendingConnection()) {
        const QString key = socketKey(ws->peerAddress(), ws->peerPort());
        // Not expected to be missing: then the client may write nothing.
        const bool known = upgrading.contains(key);
        Upgrade upgrade = upgrading.take(key);
        if (!known)
            upgrade.writes = WritePolicy::nothing();
        if (!upgrade.socket) // QWebSocket owns the socket it was made from
            upgrade.socket = ws->findChild<QTcpSocket *>();
        auto *client = new WsClient(ws, upgrade.socket.data(), engine, config.limits,
                                    upgrade.writes, this);
        connect(client, &WsClient::closed, this, &WsServer::onClientClosed);
        connect(client, &WsClient::logged, this, &WsServer::logged);
        if (!client->peer()) {
            emit logged(1, engine->errorString());
            client->close(QWebSocketProtocol::CloseCodeBadOperation, QStringLiteral("hub error"));
            continue;
        }
        list.append(client);
        byPeer.insert(client->peer(), client);
        ++count.upgraded;
        emit logged(0, QStringLiteral("client %1 connected from %2%3%4, writes %5")
                           .arg(client->peer())
                           .arg(client->address())
                           .arg(client->origin().isEmpty()
                                    ? QString()
                                    : QStringLiteral(", origin %1").arg(client->origin()))
                           .arg(client->isEncrypted() ? QStringLiteral(", TLS") : QString())
                           .arg(client->writePolicy().toString()));
        emit clientAdded(client);
    }
}

void WsServer::onClientClosed(WsClient *client)
{
    if (list.removeOne(client)) {
        byPeer.remove(client->peer());
        count.messagesIn += client->messagesIn();
        count.messagesOut += client->messagesOut();
        count.refusedWrites += client->refusedIn();
        emit clientRemoved(client);
    }
    client->deleteLater();
}

void WsServer::onOutput(const QByteArray &frame, quint64 to, quint64 except)
{
    if (to) {
        if (WsClient *client = byPeer.value(to))
            client->send(frame);
        return;
    }
    for (WsClient *client : qAsConst(list)) {
        if (client->peer() != except && !client->isPaused())
            client->send(frame);
    }
}
