// SPDX-License-Identifier: MIT
#include "rawhttp.h"

#include <QtCore/QDeadlineTimer>
#include <QtNetwork/QSslSocket>

QByteArray RawHttp::exchange(quint16 port, const QByteArray &request, const QSslConfiguration &tls,
                             int timeoutMs)
{
    QSslSocket socket;
    const QDeadlineTimer deadline(timeoutMs);
    if (tls.isNull()) {
        socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    } else {
        socket.setSslConfiguration(tls);
        socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
    }
    if (!(tls.isNull() ? socket.waitForConnected(timeoutMs) : socket.waitForEncrypted(timeoutMs)))
        return QByteArray();
    socket.write(request);
    QByteArray response;
    while (!deadline.hasExpired()) {
        const int end = response.indexOf("\r\n\r\n");
        if (end >= 0) {
            if (status(response) == 101)
                return response.left(end + 4);
            const QByteArray length = header(response, "content-length");
            if (!length.isEmpty() && response.size() - end - 4 >= length.toInt())
                return response;
        }
        if (socket.state() != QAbstractSocket::ConnectedState && !socket.bytesAvailable())
            break;
        if (!socket.bytesAvailable())
            socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())));
        response += socket.readAll();
    }
    return response;
}

QByteArray RawHttp::get(const QByteArray &target, quint16 port)
{
    return exchange(port, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port)
                              + "\r\n\r\n");
}

QByteArray RawHttp::upgrade(const QByteArray &target, quint16 port, const QByteArray &extraHeaders)
{
    return "GET " + target + " HTTP/1.1\r\n"
           "Host: 127.0.0.1:" + QByteArray::number(port) + "\r\n"
           "Upgrade: websocket\r\n"
           "Connection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           "Sec-WebSocket-Version: 13\r\n"
        + extraHeaders + "\r\n";
}

int RawHttp::status(const QByteArray &response)
{
    if (!response.startsWith("HTTP/1."))
        return -1;
    return response.mid(9, 3).toInt();
}

QByteArray RawHttp::header(const QByteArray &response, const QByteArray &name)
{
    const int end = response.indexOf("\r\n\r\n");
    const QList<QByteArray> lines = response.left(end < 0 ? response.size() : end).split('\n');
    for (const QByteArray &line : lines) {
        const int colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().toLower() == name.toLower())
            return line.mid(colon + 1).trimmed();
    }
    return QByteArray();
}

QByteArray RawHttp::body(const QByteArray &response)
{
    const int end = response.indexOf("\r\n\r\n");
    return end < 0 ? QByteArray() : response.mid(end + 4);
}
