// SPDX-License-Identifier: MIT
#include "rawreceiver.h"

RawReceiver::RawReceiver(quint16 port, const QByteArray &marker, bool stalled, QObject *parent)
    : QObject(parent), socket(new QTcpSocket(this)), port(port), marker(marker), stalled(stalled)
{
}

void RawReceiver::start()
{
    connect(socket, &QTcpSocket::readyRead, this, &RawReceiver::onReadyRead);
    connect(socket, &QTcpSocket::connected, this, [this] {
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        socket->write("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port)
                     + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                       "Sec-WebSocket-Version: 13\r\n\r\n");
    });
    socket->connectToHost(QStringLiteral("127.0.0.1"), port);
}

void RawReceiver::onReadyRead()
{
    if (!upgraded) {
        // Take the 101 head only, byte by byte past what was peeked.
        const QByteArray head = socket->peek(4096);
        const int end = head.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        socket->read(end + 4);
        upgraded = true;
        if (stalled) {
            // Stop reading: Qt buffers at most one byte from now on.
            socket->setReadBufferSize(1);
            return;
        }
    }
    if (stalled)
        return;
    buffer += socket->readAll();
    int pos = 0;
    while (pos + 2 <= buffer.size()) {
        const uchar *d = reinterpret_cast<const uchar *>(buffer.constData()) + pos;
        quint64 len = d[1] & 0x7f;
        int hdr = 2;
        if (len == 126) {
            if (pos + 4 > buffer.size())
                break;
            len = (quint64(d[2]) << 8) | d[3];
            hdr = 4;
        } else if (len == 127) {
            if (pos + 10 > buffer.size())
                break;
            len = 0;
            for (int i = 0; i < 8; ++i)
                len = (len << 8) | d[2 + i];
            hdr = 10;
        }
        if (pos + hdr + qint64(len) > buffer.size())
            break;
        if ((d[0] & 0x0f) == 0x2) {
            ++count;
            total += qint64(len);
            if (!marked && len < 4096
                && QByteArray::fromRawData(buffer.constData() + pos + hdr, int(len)).contains(marker)) {
                marked = true;
            }
        }
        pos += hdr + int(len);
    }
    buffer.remove(0, pos);
}
