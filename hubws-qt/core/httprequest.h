// SPDX-License-Identifier: MIT
#ifndef HTTPREQUEST_H
#define HTTPREQUEST_H

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QPair>
#include <QtCore/QString>

// The head of one HTTP/1.x request: request line and header fields. Only
// what the hub needs to route a connection; no body is ever read.
class HttpRequest
{
public:
    // Parses a head ending with CRLF CRLF (bare LFs are accepted too).
    // Returns false for anything that is not a well-formed request head.
    static bool parse(const QByteArray &head, HttpRequest *out);
    // Where the head ends in `data` (the index after the blank line), or -1
    // when it is not complete yet.
    static int headLength(const QByteArray &data);

    QByteArray method() const { return verb; }
    QByteArray target() const { return rawTarget; } // as sent: path and query
    QByteArray path() const;                        // target up to '?', still %-encoded
    QByteArray query() const;                       // after '?', empty if none
    QString queryItem(const QString &key) const;    // decoded, empty if absent
    QByteArray version() const { return httpVersion; }
    // A header's value (case-insensitive name); several fields of that name
    // are joined with ", ". Empty if absent.
    QByteArray header(const QByteArray &name) const;
    bool hasHeader(const QByteArray &name) const;
    // True if a comma-separated header holds `token` (case-insensitive).
    bool headerHasToken(const QByteArray &name, const QByteArray &token) const;
    bool isWebSocketUpgrade() const;

private:
    QByteArray verb;
    QByteArray rawTarget;
    QByteArray httpVersion;
    QList<QPair<QByteArray, QByteArray>> fields; // names lower-cased
};

#endif // HTTPREQUEST_H
