// SPDX-License-Identifier: MIT
#ifndef RAWHTTP_H
#define RAWHTTP_H

#include <QtCore/QByteArray>
#include <QtNetwork/QSslConfiguration>

// HTTP by hand, for requests no ordinary client would send (a path with
// '..', a forged Origin) and for reading the status of a refused upgrade.
class RawHttp
{
public:
    // Connects to 127.0.0.1:port (TLS with `tls` unless it is null), sends
    // `request` as it is and returns the response: up to the end of the head
    // for a 101, else until the body is complete or the server closes.
    static QByteArray exchange(quint16 port, const QByteArray &request,
                               const QSslConfiguration &tls = QSslConfiguration(),
                               int timeoutMs = 5000);
    static QByteArray get(const QByteArray &target, quint16 port);
    // A WebSocket upgrade request for `target` with extra header lines
    // ("Name: value\r\n" each).
    static QByteArray upgrade(const QByteArray &target, quint16 port,
                              const QByteArray &extraHeaders = QByteArray());

    static int status(const QByteArray &response); // -1 if there is none
    static QByteArray header(const QByteArray &response, const QByteArray &name);
    static QByteArray body(const QByteArray &response);
};

#endif // RAWHTTP_H
