// SPDX-License-Identifier: MIT
#include "httpreply.h"

HttpReply::HttpReply(int status, const QByteArray &contentType, const QByteArray &body)
    : code(status), type(contentType), body(body)
{
}

HttpReply HttpReply::error(int status, const QByteArray &detail)
{
    QByteArray text = QByteArray::number(status) + ' ' + reasonPhrase(status) + '\n';
    if (!detail.isEmpty())
        text += detail + '\n';
    return HttpReply(status, "text/plain; charset=utf-8", text);
}

void HttpReply::addHeader(const QByteArray &name, const QByteArray &value)
{
    extra += name + ": " + value + "\r\n";
}

QByteArray HttpReply::toBytes(bool headOnly) const
{
    QByteArray out;
    out.reserve(256 + (headOnly ? 0 : body.size()));
    out += "HTTP/1.1 " + QByteArray::number(code) + ' ' + reasonPhrase(code) + "\r\n";
    out += "Server: nanostate-hubws\r\n";
    if (!type.isEmpty())
        out += "Content-Type: " + type + "\r\n";
    out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    out += "Cache-Control: no-cache\r\n";
    out += "X-Content-Type-Options: nosniff\r\n";
    out += "Connection: close\r\n";
    out += extra;
    out += "\r\n";
    if (!headOnly)
        out += body;
    return out;
}

QByteArray HttpReply::reasonPhrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 426: return "Upgrade Required";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}
