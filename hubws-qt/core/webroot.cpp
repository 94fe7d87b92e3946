// SPDX-License-Identifier: MIT
#include "webroot.h"
#include "httprequest.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>

namespace {
// Files are read whole; the web root holds a page and a script, not media.
const qint64 maxFileSize = 32 * 1024 * 1024;
} // namespace

WebRoot::WebRoot(const QString &dir) : root(QDir::cleanPath(QDir(dir).absolutePath())) { }

bool WebRoot::exists() const
{
    return QFileInfo(root).isDir();
}

QString WebRoot::resolve(const QByteArray &path) const
{
    const QByteArray decoded = QByteArray::fromPercentEncoding(path);
    if (!decoded.startsWith('/') || decoded.contains('\0') || decoded.contains('\\'))
        return QString();
    const QString text = QString::fromUtf8(decoded);
    QStringList parts;
    for (const QString &part : text.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        if (part.startsWith(QLatin1Char('.'))) // '..', '.', and hidden files
            return QString();
        parts.append(part);
    }
    if (text.endsWith(QLatin1Char('/')))
        parts.append(QStringLiteral("index.html"));
    const QFileInfo file(root + QLatin1Char('/') + parts.join(QLatin1Char('/')));
    if (!file.isFile())
        return QString();
    const QString real = file.canonicalFilePath();
    const QString realRoot = QFileInfo(root).canonicalFilePath();
    if (realRoot.isEmpty() || !real.startsWith(realRoot + QLatin1Char('/')))
        return QString();
    return real;
}

HttpReply WebRoot::reply(const HttpRequest &request) const
{
    const QByteArray path = request.path();
    if (!exists()) {
        if (path == "/" || path == "/index.html")
            return HttpReply(200, "text/html; charset=utf-8", builtinPage());
        return HttpReply::error(404);
    }
    const QString file = resolve(path);
    if (file.isEmpty())
        return HttpReply::error(404);
    QFile f(file);
    if (f.size() > maxFileSize || !f.open(QIODevice::ReadOnly))
        return HttpReply::error(500, "cannot read the file");
    return HttpReply(200, contentType(file), f.readAll());
}

QByteArray WebRoot::contentType(const QString &fileName)
{
    const QString ext = QFileInfo(fileName).suffix().toLower();
    static const struct {
        const char *ext;
        const char *type;
    } types[] = {
        {"html", "text/html; charset=utf-8"},
        {"htm", "text/html; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"},
        {"mjs", "text/javascript; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},
        {"json", "application/json"},
        {"map", "application/json"},
        {"txt", "text/plain; charset=utf-8"},
        {"svg", "image/svg+xml"},
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"gif", "image/gif"},
        {"webp", "image/webp"},
        {"ico", "image/x-icon"},
        {"wasm", "application/wasm"},
        {"woff", "font/woff"},
        {"woff2", "font/woff2"},
    };
    for (const auto &t : types) {
        if (ext == QLatin1String(t.ext))
            return t.type;
    }
    return "application/octet-stream";
}

QByteArray WebRoot::builtinPage()
{
    return "<!DOCTYPE html>\n"
           "<html><head><meta charset=\"utf-8\"><title>nanostate-hubws</title></head>\n"
           "<body>\n"
           "<h1>nanostate-hubws</h1>\n"
           "<p>The hub is running, but its web root is missing, so there is no web\n"
           "monitor to show. Install the web files (the build copies them to\n"
           "<code>share/nanostate/web</code>) or start the hub with\n"
           "<code>--web-root DIR</code>.</p>\n"
           "<p>WebSocket clients connect to <code>/ws</code>.</p>\n"
           "</body></html>\n";
}
