// SPDX-License-Identifier: MIT
#ifndef STALLEDCLIENT_H
#define STALLEDCLIENT_H

#include <QtCore/QByteArray>

// A WebSocket client that completes the handshake and then does not read:
// a plain blocking socket, so that no library reads on its behalf and the
// hub's data piles up. Later it can read everything that came and look for
// the close frame.
class StalledClient
{
public:
    StalledClient() = default;
    ~StalledClient();
    StalledClient(const StalledClient &) = delete;
    StalledClient &operator=(const StalledClient &) = delete;

    // Connects to 127.0.0.1:port, upgrades on /ws and reads the 101 head
    // only. False with *why.
    bool open(quint16 port, QByteArray *why);
    // Reads until the hub closes the connection (or timeoutMs passes), then
    // walks the WebSocket frames: the close code of the close frame, or -1.
    int readUntilClosed(int timeoutMs, qint64 *messages = nullptr, qint64 *bytes = nullptr);

private:
    int fd = -1;
};

#endif // STALLEDCLIENT_H
