// SPDX-License-Identifier: MIT
#include "httpconnection.h"

#include <QtNetwork/QHostAddress>
#include <QtNetwork/QTcpSocket>

HttpConnection::HttpConnection(QTcpSocket *socket, int headTimeoutMs, QObject *parent)
    : QObject(parent), sock(socket)
{
    sock->setParent(this);
    peerName = QStringLiteral("%1:%2").arg(sock->peerAddress().toString()).arg(sock->peerPort());
    // Qt stops reading from the network once this much is buffered, so an
    // endless head costs no more than this.
    sock->setReadBufferSize(maxHeadSize + 1);
    timer.setSingleShot(true);
    connect(&timer, &QTimer::timeout, this, [this] { drop(QStringLiteral("timed out")); });
    timer.start(headTimeoutMs);
    connect(sock, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(sock, &QTcpSocket::disconnected, this, &HttpConnection::finish);
    connect(sock, &QAbstractSocket::errorOccurred, this, [this](QAbstractSocket::SocketError e) {
        if (e != QAbstractSocket::RemoteHostClosedError)
            drop(sock->errorString());
    });
    if (sock->bytesAvailable())
        QMetaObject::invokeMethod(this, &HttpConnection::onReadyRead, Qt::QueuedConnection);
}

HttpConnection::~HttpConnection()
{
    done = true;
    if (sock) {
        sock->disconnect(this);
        sock->abort();
    }
}

void HttpConnection::onReadyRead()
{
    if (done || head.method().size() || !sock)
        return;
    const QByteArray data = sock->peek(maxHeadSize + 1);
    const int length = HttpRequest::headLength(data);
    if (length < 0) {
        if (data.size() > maxHeadSize)
            drop(QStringLiteral("request head over %1 bytes").arg(maxHeadSize));
        return;
    }
    if (!HttpRequest::parse(data.left(length), &head)) {
        respond(HttpReply::error(400));
        return;
    }
    timer.stop();
    emit headReceived(this);
}

void HttpConnection::respond(const HttpReply &reply)
{
    if (done || !sock)
        return;
    disconnect(sock, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    sock->write(reply.toBytes(head.method() == "HEAD"));
    sock->disconnectFromHost(); // after the reply is written
    if (sock->state() == QAbstractSocket::UnconnectedState) {
        finish();
        return;
    }
    // A client that does not take the reply is cut off after a while.
    timer.disconnect();
    connect(&timer, &QTimer::timeout, this, [this] { drop(QStringLiteral("reply not taken")); });
    if (!timer.isActive())
        timer.start(qMax(timer.interval(), 1000));
}

QTcpSocket *HttpConnection::takeSocket()
{
    QTcpSocket *s = sock;
    if (!s)
        return nullptr;
    s->disconnect(this);
    timer.stop();
    s->setParent(nullptr);
    s->setReadBufferSize(0);
    sock = nullptr;
    finish();
    return s;
}

void HttpConnection::drop(const QString &why)
{
    if (done)
        return;
    reason = why;
    if (sock)
        sock->abort();
    finish();
}

void HttpConnection::finish()
{
    if (done)
        return;
    done = true;
    timer.stop();
    emit finished(this);
}
