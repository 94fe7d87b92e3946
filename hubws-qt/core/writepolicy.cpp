// SPDX-License-Identifier: MIT
#include "writepolicy.h"

namespace {
// The ops of docs/PROTOCOL.md 3.2 (and BATCH) a client sends without a name.
enum { OpSync = 3, OpPing = 7, OpHello = 8, OpBatch = 9, OpMask = 0x0f, OpRebase = 0x10 };

// Reads the head of a frame: msgpack headers, strs and small numbers in any
// of their encodings; nothing nested.
struct Cursor
{
    const QByteArray &frame;
    int pos = 0;

    int type() const { return pos < frame.size() ? quint8(frame.at(pos)) : -1; }
    // A one-byte form: a type byte from first to last, the value in its `bits`.
    bool packed(int first, int last, int bits, quint64 *out)
    {
        const int t = type();
        if (t < first || t > last)
            return false;
        ++pos;
        *out = quint64(t & bits);
        return true;
    }
    // The big-endian number of `width` bytes after the type byte.
    bool number(int width, quint64 *out)
    {
        if (frame.size() - pos - 1 < width)
            return false;
        quint64 n = 0;
        for (int i = 1; i <= width; ++i)
            n = (n << 8) | quint8(frame.at(pos + i));
        pos += 1 + width;
        *out = n;
        return true;
    }
    bool array(quint64 *count)
    {
        const int t = type();
        return packed(0x90, 0x9f, 0x0f, count)
            || ((t == 0xdc || t == 0xdd) && number(t == 0xdc ? 2 : 4, count));
    }
    bool str(QByteArray *out)
    {
        const int t = type();
        quint64 n = 0;
        const bool str8to32 = t >= 0xd9 && t <= 0xdb;
        if (!packed(0xa0, 0xbf, 0x1f, &n) && !(str8to32 && number(1 << (t - 0xd9), &n)))
            return false;
        if (n > quint64(frame.size() - pos))
            return false;
        *out = frame.mid(pos, int(n));
        pos += int(n);
        return true;
    }
    bool emptyBin()
    {
        if (frame.mid(pos, 2) != QByteArrayLiteral("\xc4\x00"))
            return false;
        pos += 2;
        return true;
    }
    // An unsigned integer; a non-negative signed one is the same number.
    bool uint(quint64 *out)
    {
        const int t = type();
        if (packed(0x00, 0x7f, 0x7f, out))
            return true;
        if (t >= 0xcc && t <= 0xcf)
            return number(1 << (t - 0xcc), out);
        if (t < 0xd0 || t > 0xd3)
            return false;
        const int width = 1 << (t - 0xd0);
        return number(width, out) && (*out >> (8 * width - 1)) == 0;
    }
};
} // namespace

WritePolicy WritePolicy::nothing()
{
    WritePolicy p;
    p.any = false;
    return p;
}

WritePolicy WritePolicy::under(const QStringList &prefixes)
{
    WritePolicy p = nothing();
    for (const QString &prefix : prefixes)
        p.prefixes.append(prefix.toUtf8());
    return p;
}

bool WritePolicy::allows(const QByteArray &name) const
{
    if (any || name.isEmpty())
        return true;
    for (const QByteArray &prefix : prefixes) {
        if (name.startsWith(prefix))
            return true;
    }
    return false;
}

WritePolicy::Verdict WritePolicy::check(const QByteArray &frame, QString *why) const
{
    if (any)
        return Allowed;
    Cursor c{frame};
    quint64 count = 0, op = 0;
    QByteArray sender, name;
    if (!c.array(&count) || count < 3 || !c.str(&sender) || !c.str(&name))
        return Unreadable;
    if (!name.isEmpty()) {
        if (allows(name))
            return Allowed;
        *why = QStringLiteral("may not write %1").arg(QString::fromUtf8(name.left(300)));
        return Refused;
    }
    // A control frame: the empty bin (senders MUST send exactly that), then
    // the op with no flag but REBASE.
    if (count < 4 || !c.emptyBin() || !c.uint(&op) || (op & ~quint64(OpMask | OpRebase)) != 0)
        return Unreadable;
    switch (op & OpMask) {
    case OpSync:
    case OpHello:
        return Allowed;
    case OpPing:
        // A PING moves the in-order counter of the session it names, which
        // may be another App's: a client that writes nothing needs none.
        if (!prefixes.isEmpty())
            return Allowed;
        *why = QStringLiteral("may not send PING (it writes no state)");
        return Refused;
    case OpBatch:
        *why = QStringLiteral("may not send BATCH (send its frames one by one)");
        return Refused;
    default: // ops the hub sends, or unknown ones: invalid from a client
        return Unreadable;
    }
}

QString WritePolicy::toString() const
{
    if (any)
        return QStringLiteral("every name");
    if (prefixes.isEmpty())
        return QStringLiteral("no name");
    QStringList list;
    for (const QByteArray &prefix : prefixes)
        list.append(QString::fromUtf8(prefix));
    return QStringLiteral("names under %1").arg(list.join(QStringLiteral(", ")));
}
