// SPDX-License-Identifier: MIT
#include "httprequest.h"

#include <QtCore/QUrlQuery>

namespace {
bool isToken(const QByteArray &s)
{
    if (s.isEmpty())
        return false;
    for (char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || QByteArrayLiteral("!#$%&'*+-.^_`|~").contains(c);
        if (!ok)
            return false;
    }
    return true;
}

bool hasControl(const QByteArray &s)
{
    for (char c : s) {
        if ((c >= 0 && c < 32 && c != '\t') || c == 127)
            return true;
    }
    return false;
}
} // namespace

int HttpRequest::headLength(const QByteArray &data)
{
    const int crlf = data.indexOf("\r\n\r\n");
    const int lf = data.indexOf("\n\n");
    if (crlf >= 0 && (lf < 0 || crlf + 2 <= lf))
        return crlf + 4;
    return lf >= 0 ? lf + 2 : -1;
}

bool HttpRequest::parse(const QByteArray &head, HttpRequest *out)
{
    *out = HttpRequest();
    QList<QByteArray> lines = head.split('\n');
    for (QByteArray &line : lines) {
        if (line.endsWith('\r'))
            line.chop(1);
    }
    while (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    if (lines.isEmpty())
        return false;

    const QList<QByteArray> parts = lines.first().split(' ');
    if (parts.size() != 3 || !isToken(parts.at(0)) || parts.at(1).isEmpty()
        || hasControl(parts.at(1)) || !parts.at(2).startsWith("HTTP/1."))
        return false;
    out->verb = parts.at(0);
    out->rawTarget = parts.at(1);
    out->httpVersion = parts.at(2);

    for (int i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        const int colon = line.indexOf(':');
        if (colon <= 0)
            return false;
        const QByteArray name = line.left(colon).toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (!isToken(name) || hasControl(value))
            return false;
        out->fields.append({name, value});
    }
    return true;
}

QByteArray HttpRequest::path() const
{
    const int q = rawTarget.indexOf('?');
    return q < 0 ? rawTarget : rawTarget.left(q);
}

QByteArray HttpRequest::query() const
{
    const int q = rawTarget.indexOf('?');
    return q < 0 ? QByteArray() : rawTarget.mid(q + 1);
}

QString HttpRequest::queryItem(const QString &key) const
{
    const QUrlQuery q(QString::fromUtf8(query()));
    return q.queryItemValue(key, QUrl::FullyDecoded);
}

QByteArray HttpRequest::header(const QByteArray &name) const
{
    const QByteArray lower = name.toLower();
    QByteArray joined;
    for (const auto &f : fields) {
        if (f.first != lower)
            continue;
        if (!joined.isEmpty())
            joined += ", ";
        joined += f.second;
    }
    return joined;
}

bool HttpRequest::hasHeader(const QByteArray &name) const
{
    const QByteArray lower = name.toLower();
    for (const auto &f : fields) {
        if (f.first == lower)
            return true;
    }
    return false;
}

bool HttpRequest::headerHasToken(const QByteArray &name, const QByteArray &token) const
{
    const QList<QByteArray> items = header(name).split(',');
    for (const QByteArray &item : items) {
        if (item.trimmed().toLower() == token.toLower())
            return true;
    }
    return false;
}

bool HttpRequest::isWebSocketUpgrade() const
{
    return headerHasToken("upgrade", "websocket") && headerHasToken("connection", "upgrade");
}
