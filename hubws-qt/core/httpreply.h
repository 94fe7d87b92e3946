// SPDX-License-Identifier: MIT
#ifndef HTTPREPLY_H
#define HTTPREPLY_H

#include <QtCore/QByteArray>

// A whole HTTP/1.1 response, headers and body, for a connection that is
// closed right after it (the hub answers one request per connection).
class HttpReply
{
public:
    HttpReply(int status, const QByteArray &contentType = QByteArray(),
              const QByteArray &body = QByteArray());
    // A short text/plain reply saying what went wrong.
    static HttpReply error(int status, const QByteArray &detail = QByteArray());

    int status() const { return code; }
    void addHeader(const QByteArray &name, const QByteArray &value);
    // The bytes to send; without the body for a HEAD request.
    QByteArray toBytes(bool headOnly = false) const;
    static QByteArray reasonPhrase(int status);

private:
    int code;
    QByteArray type;
    QByteArray body;
    QByteArray extra;
};

#endif // HTTPREPLY_H
