// SPDX-License-Identifier: MIT
#ifndef ACCESSPOLICY_H
#define ACCESSPOLICY_H

#include "writepolicy.h"

#include <QtCore/QByteArray>
#include <QtCore/QSet>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtCore/QVector>

class HttpRequest;

// Who may open a WebSocket, and what its client may write: the Origin check
// (browsers), the tokens, each with the names it may write, and
// --read-only-ws.
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
    // Tokens as --token gives them (see parseToken()); none: no token asked.
    // False with *error if one is malformed or two have the same TOKEN.
    bool setTokens(const QStringList &specs, QString *error);
    // No client writes, whatever its token.
    void setReadOnly(bool on) { readOnly = on; }

    // One --token: TOKEN writes every name, TOKEN:PREFIX[,PREFIX...] the
    // names under the prefixes, TOKEN: (nothing after the colon) none.
    // TOKEN is not empty and has no ':'; a prefix is not empty, has no
    // space at either end and does not start with '$'. False with *error,
    // which never quotes the token.
    static bool parseToken(const QString &spec, QByteArray *secret, WritePolicy *writes,
                           QString *error);

    bool isOriginAllowed(const QByteArray &origin) const;
    // Whether the request may open a WebSocket: with tokens set, only if it
    // presents one (?token= or 'Authorization: Bearer'). *writes gets what
    // the client may write.
    bool authorize(const HttpRequest &request, WritePolicy *writes) const;
    bool requiresToken() const { return !tokens.isEmpty(); }
    QStringList allowedOrigins() const; // for the log, normalized

private:
    static QString normalize(const QString &origin); // "" if not an origin
    static QStringList hostAliases(const QString &host);

    QStringList configured;
    QSet<QString> allowed;
    bool any = false;
    struct Token
    {
        QByteArray secret;
        WritePolicy writes;
    };
    QVector<Token> tokens;
    bool readOnly = false;
};

#endif // ACCESSPOLICY_H
