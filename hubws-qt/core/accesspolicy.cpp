// SPDX-License-Identifier: MIT
#include "accesspolicy.h"
#include "httprequest.h"

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

void AccessPolicy::setToken(const QString &token)
{
    secret = token.toUtf8();
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

bool AccessPolicy::isAuthorized(const HttpRequest &request) const
{
    if (secret.isEmpty())
        return true;
    const QByteArray auth = request.header("authorization");
    if (auth.size() > 7 && auth.left(7).toLower() == "bearer "
        && sameSecret(auth.mid(7).trimmed(), secret))
        return true;
    const QString fromUrl = request.queryItem(QStringLiteral("token"));
    return !fromUrl.isEmpty() && sameSecret(fromUrl.toUtf8(), secret);
}

QStringList AccessPolicy::allowedOrigins() const
{
    if (any)
        return {QStringLiteral("*")};
    QStringList list = allowed.values();
    list.sort();
    return list;
}
