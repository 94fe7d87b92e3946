// SPDX-License-Identifier: MIT
#ifndef WEBROOT_H
#define WEBROOT_H

#include "httpreply.h"

#include <QtCore/QString>

class HttpRequest;

// The static files the hub serves over HTTP (the web monitor page and
// nanostate.js), from one folder. Paths never leave it: '..', hidden
// names, backslashes and symlinks pointing outside all give 404. When the
// folder is missing, / answers with a short built-in page saying so.
class WebRoot
{
public:
    explicit WebRoot(const QString &dir);

    QString dir() const { return root; }
    bool exists() const;
    // The reply to a GET or HEAD request for `request.path()`.
    HttpReply reply(const HttpRequest &request) const;
    static QByteArray contentType(const QString &fileName);

private:
    // The file a %-encoded request path names, or an empty string.
    QString resolve(const QByteArray &path) const;
    static QByteArray builtinPage();

    QString root;
};

#endif // WEBROOT_H
