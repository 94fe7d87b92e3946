// SPDX-License-Identifier: MIT
#ifndef ACCESSPOLICY_H
#define ACCESSPOLICY_H

#include <QtCore/QByteArray>
#include <QtCore/QSet>
#include <QtCore/QString>
#include <QtCore/QStringList>

class HttpRequest;

// Who may open a WebSocket: the Origin check (browsers) and the token.
//
// Origins are compared as (scheme, host, port) with default ports filled
// in. Without --allow-origin the hub allows its own page: http(s)://HOST:PORT
// of --ws-host/--ws-port, where localhost, 127.0.0.1 and [::1] stand for one
// another, and every local address when listening on all interfaces. A
// request without an Origin header does not come from a web page and passes.
class AccessPolicy
{
public:
    // origins: --allow-origin values ("*": any); empty for the default.
    void setAllowedOrigins(const QStringList &origins);
    // The address the hub listens on, for its own origins.
    void setOwnAddress(const QString &host, quint16 port, bool tls);
    void setToken(const QString &token);

    bool isOriginAllowed(const QByteArray &origin) const;
    // The token from ?token= or 'Authorization: Bearer'; true without a token set.
    bool isAuthorized(const HttpRequest &request) const;
    bool requiresToken() const { return !secret.isEmpty(); }
    QStringList allowedOrigins() const; // for the log, normalized

private:
    static QString normalize(const QString &origin); // "" if not an origin
    static QStringList hostAliases(const QString &host);

    QStringList configured;
    QSet<QString> allowed;
    bool any = false;
    QByteArray secret;
};

#endif // ACCESSPOLICY_H
