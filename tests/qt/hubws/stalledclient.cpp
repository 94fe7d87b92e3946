// SPDX-License-Identifier: MIT
#include "stalledclient.h"
#include "rawhttp.h"

#include <QtCore/QDeadlineTimer>

#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

StalledClient::~StalledClient()
{
    if (fd >= 0)
        ::close(fd);
}

bool StalledClient::open(quint16 port, QByteArray *why)
{
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    // A small receive buffer: the hub's data backs up into its own queue
    // sooner. Set before connecting so that the window is small from the start.
    int small = 16 * 1024;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        *why = "connect: " + QByteArray(strerror(errno));
        return false;
    }
    const QByteArray request = RawHttp::upgrade("/ws", port);
    if (::send(fd, request.constData(), size_t(request.size()), MSG_NOSIGNAL) != request.size()) {
        *why = "send failed";
        return false;
    }
    // Byte by byte up to the blank line: not one byte of a frame is taken.
    QByteArray head;
    while (!head.endsWith("\r\n\r\n")) {
        pollfd p = {fd, POLLIN, 0};
        char c;
        if (::poll(&p, 1, 5000) != 1 || ::recv(fd, &c, 1, 0) != 1) {
            *why = "no handshake answer: " + head;
            return false;
        }
        head.append(c);
    }
    if (RawHttp::status(head) != 101) {
        *why = "upgrade refused: " + head;
        return false;
    }
    return true;
}

int StalledClient::readUntilClosed(int timeoutMs, qint64 *messages, qint64 *bytes)
{
    QByteArray data;
    const QDeadlineTimer deadline(timeoutMs);
    char buf[65536];
    while (!deadline.hasExpired()) {
        pollfd p = {fd, POLLIN, 0};
        if (::poll(&p, 1, int(qMax<qint64>(1, deadline.remainingTime()))) != 1)
            break;
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            break; // closed, or cut
        data.append(buf, int(n));
    }
    if (bytes)
        *bytes = data.size();
    qint64 count = 0;
    int pos = 0;
    while (pos + 2 <= data.size()) {
        const int opcode = quint8(data.at(pos)) & 0x0f;
        quint64 len = quint8(data.at(pos + 1)) & 0x7f;
        int hdr = 2;
        if (len == 126 && pos + 4 <= data.size()) {
            len = (quint64(quint8(data.at(pos + 2))) << 8) | quint8(data.at(pos + 3));
            hdr = 4;
        } else if (len == 127 && pos + 10 <= data.size()) {
            len = 0;
            for (int i = 0; i < 8; ++i)
                len = (len << 8) | quint8(data.at(pos + 2 + i));
            hdr = 10;
        }
        if (pos + hdr + qint64(len) > data.size())
            break;
        if (opcode == 0x8) {
            if (messages)
                *messages = count;
            return len >= 2 ? (quint8(data.at(pos + hdr)) << 8) | quint8(data.at(pos + hdr + 1)) : 1005;
        }
        ++count;
        pos += hdr + int(len);
    }
    if (messages)
        *messages = count;
    return -1;
}
