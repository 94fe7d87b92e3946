// SPDX-License-Identifier: MIT
#include "accesspolicy.h"
#include "httprequest.h"

#include <nanostate/nanostate.h>

#include <QtCore/QByteArrayList>
#include <QtCore/QUrl>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QHostInfo>
#include <QtNetwork/QNetworkInterface>

namespace {
// Compares in time that does not depend on where the first difference is.
bool sameSecret(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (int i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a.at(i) ^ b.at(i));
    return diff == 0;
}

QString hostForUrl(const QString &host)
{
    return host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host;
}
} // namespace

void AccessPolicy::setAllowedOrigins(const QStringList &origins)
{
    configured = origins;
    any = origins.contains(QStringLiteral("*"));
    allowed.clear();
    for (const QString &o : origins) {
        const QString n = normalize(o);
        if (!n.isEmpty())
            allowed.insert(n);
    }
}

void AccessPolicy::setOwnAddress(const QString &host, quint16 port, bool tls)
{
    if (!configured.isEmpty())
        return;
    allowed.clear();
    const QString scheme = tls ? QStringLiteral("https") : QStringLiteral("http");
    for (const QString &h : hostAliases(host))
        allowed.insert(normalize(QStringLiteral("%1://%2:%3").arg(scheme, hostForUrl(h)).arg(port)));
    allowed.remove(QString());
}

bool AccessPolicy::setTokens(const QStringList &specs, QString *error)
{
    QVector<Token> parsed;
    for (const QString &spec : specs) {
        Token t;
        if (!parseToken(spec, &t.secret, &t.writes, error))
            return false;
        for (const Token &other : qAsConst(parsed)) {
            if (other.secret == t.secret) {
                *error = QStringLiteral("the same TOKEN is given twice");
                return false;
            }
        }
        parsed.append(t);
    }
    tokens = parsed;
    return true;
}

bool AccessPolicy::parseToken(const QString &spec, QByteArray *secret, WritePolicy *writes,
                              QString *error)
{
    const int colon = spec.indexOf(QLatin1Char(':'));
    const QString token = spec.left(colon); // all of it without a colon
    if (token.isEmpty()) {
        *error = QStringLiteral("empty TOKEN (give TOKEN, or TOKEN:PREFIX,PREFIX...)");
        return false;
    }
    WritePolicy w;
    if (colon >= 0) {
        const QString list = spec.mid(colon + 1);
        const QStringList prefixes = list.isEmpty() ? QStringList() : list.split(QLatin1Char(','));
        for (const QString &prefix : prefixes) {
            QString why;
            if (prefix.isEmpty())
                why = QStringLiteral("an empty prefix (two commas in a row, or one at the end)");
            else if (prefix.trimmed() != prefix)
                why = QStringLiteral("prefix '%1' starts or ends with a space").arg(prefix);
            else if (prefix.startsWith(QLatin1Char('$')))
                why = QStringLiteral("prefix '%1': names starting with $ are the hub's")
                          .arg(prefix);
            else if (prefix.toUtf8().size() > NANOSTATE_MAX_NAME)
                why = QStringLiteral("a prefix longer than a name can be (%1 bytes)")
                          .arg(NANOSTATE_MAX_NAME);
            if (!why.isEmpty()) {
                *error = why;
                return false;
            }
        }
        w = WritePolicy::under(prefixes);
    }
    *secret = token.toUtf8();
    *writes = w;
    return true;
}

QString AccessPolicy::normalize(const QString &origin)
{
    const QUrl url(origin.trimmed(), QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || url.host().isEmpty() || !url.path().isEmpty() || url.hasQuery()
        || (scheme != QLatin1String("http") && scheme != QLatin1String("https")))
        return QString();
    const int port = url.port(scheme == QLatin1String("https") ? 443 : 80);
    return QStringLiteral("%1://%2:%3").arg(scheme, hostForUrl(url.host().toLower())).arg(port);
}

QStringList AccessPolicy::hostAliases(const QString &host)
{
    const QHostAddress address(host);
    const QString lower = host.toLower();
    if (lower == QLatin1String("localhost") || address.isLoopback())
        return {QStringLiteral("localhost"), QStringLiteral("127.0.0.1"), QStringLiteral("::1")};
    if (address == QHostAddress::AnyIPv4 || address == QHostAddress::AnyIPv6
        || address == QHostAddress::Any) {
        QStringList all{QStringLiteral("localhost"), QHostInfo::localHostName().toLower()};
        for (QHostAddress a : QNetworkInterface::allAddresses()) {
            a.setScopeId(QString());
            all.append(a.toString());
        }
        return all;
    }
    return {lower};
}

bool AccessPolicy::isOriginAllowed(const QByteArray &origin) const
{
    if (origin.isEmpty() || any)
        return true;
    const QString n = normalize(QString::fromUtf8(origin));
    return !n.isEmpty() && allowed.contains(n);
}

bool AccessPolicy::authorize(const HttpRequest &request, WritePolicy *writes) const
{
    const Token *match = nullptr;
    if (!tokens.isEmpty()) {
        QByteArrayList presented;
        const QByteArray auth = request.header("authorization");
        if (auth.size() > 7 && auth.left(7).toLower() == "bearer ")
            presented.append(auth.mid(7).trimmed());
        const QString fromUrl = request.queryItem(QStringLiteral("token"));
        if (!fromUrl.isEmpty())
            presented.append(fromUrl.toUtf8());
        // Every token is compared: the time taken does not say which one
        // came close.
        for (const QByteArray &candidate : qAsConst(presented)) {
            for (const Token &t : tokens) {
                if (sameSecret(candidate, t.secret) && !match)
                    match = &t;
            }
        }
        if (!match)
            return false;
    }
    *writes = readOnly ? WritePolicy::nothing() : match ? match->writes : WritePolicy();
    return true;
}

QStringList AccessPolicy::allowedOrigins() const
{
    if (any)
        return {QStringLiteral("*")};
    QStringList list = allowed.values();
    list.sort();
    return list;
}
