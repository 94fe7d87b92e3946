// SPDX-License-Identifier: MIT
#include "wireframe.h"

#include <QtCore/QtEndian>

namespace {
quint64 beUint(const QByteArray &d, int pos, int n)
{
    quint64 v = 0;
    for (int i = 0; i < n; ++i)
        v = (v << 8) | quint8(d.at(pos + i));
    return v;
}

// A cursor over one frame.
struct Reader
{
    const QByteArray &d;
    int pos = 0;
    bool ok = true;

    int byte()
    {
        if (pos >= d.size()) {
            ok = false;
            return -1;
        }
        return quint8(d.at(pos));
    }
    int arrayHeader()
    {
        const int b = byte();
        if (b >= 0x90 && b <= 0x9f) {
            pos += 1;
            return b & 0x0f;
        }
        if (b == 0xdc && pos + 3 <= d.size()) {
            pos += 3;
            return int(beUint(d, pos - 2, 2));
        }
        if (b == 0xdd && pos + 5 <= d.size()) {
            pos += 5;
            return int(beUint(d, pos - 4, 4));
        }
        ok = false;
        return 0;
    }
    QString str()
    {
        const int b = byte();
        int len = -1, hdr = 1;
        if (b >= 0xa0 && b <= 0xbf)
            len = b & 0x1f;
        else if (b == 0xd9 && pos + 2 <= d.size())
            len = int(beUint(d, pos + 1, 1)), hdr = 2;
        else if (b == 0xda && pos + 3 <= d.size())
            len = int(beUint(d, pos + 1, 2)), hdr = 3;
        else if (b == 0xdb && pos + 5 <= d.size())
            len = int(beUint(d, pos + 1, 4)), hdr = 5;
        if (len < 0 || pos + hdr + len > d.size()) {
            ok = false;
            return QString();
        }
        const QString s = QString::fromUtf8(d.constData() + pos + hdr, len);
        pos += hdr + len;
        return s;
    }
    bool isUint() const
    {
        if (pos >= d.size())
            return false;
        const int b = quint8(d.at(pos));
        return b <= 0x7f || (b >= 0xcc && b <= 0xcf);
    }
    quint64 uint()
    {
        const int b = byte();
        if (b >= 0 && b <= 0x7f) {
            pos += 1;
            return quint64(b);
        }
        const int n = b == 0xcc ? 1 : b == 0xcd ? 2 : b == 0xce ? 4 : b == 0xcf ? 8 : 0;
        if (!n || pos + 1 + n > d.size()) {
            ok = false;
            return 0;
        }
        const quint64 v = beUint(d, pos + 1, n);
        pos += 1 + n;
        return v;
    }
    QByteArray object()
    {
        const int len = WireFrame::objectLength(d, pos);
        if (len < 0) {
            ok = false;
            return QByteArray();
        }
        const QByteArray o = d.mid(pos, len);
        pos += len;
        return o;
    }
};
} // namespace

int WireFrame::objectLength(const QByteArray &d, int pos)
{
    if (pos >= d.size())
        return -1;
    const int b = quint8(d.at(pos));
    auto need = [&](int n) { return pos + n <= d.size(); };
    auto items = [&](int header, quint64 count) -> int {
        int p = pos + header;
        for (quint64 i = 0; i < count; ++i) {
            const int l = objectLength(d, p);
            if (l < 0)
                return -1;
            p += l;
        }
        return p - pos;
    };
    auto sized = [&](int header, quint64 len) -> int {
        return need(header) && pos + header + qint64(len) <= d.size() ? header + int(len) : -1;
    };
    if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
        return 1;
    if (b >= 0x80 && b <= 0x8f)
        return items(1, quint64(b & 0x0f) * 2);
    if (b >= 0x90 && b <= 0x9f)
        return items(1, quint64(b & 0x0f));
    if (b >= 0xa0 && b <= 0xbf)
        return sized(1, quint64(b & 0x1f));
    switch (b) {
    case 0xcc: case 0xd0: return need(2) ? 2 : -1;
    case 0xcd: case 0xd1: return need(3) ? 3 : -1;
    case 0xca: case 0xce: case 0xd2: return need(5) ? 5 : -1;
    case 0xcb: case 0xcf: case 0xd3: return need(9) ? 9 : -1;
    case 0xc4: case 0xd9: return need(2) ? sized(2, beUint(d, pos + 1, 1)) : -1;
    case 0xc5: case 0xda: return need(3) ? sized(3, beUint(d, pos + 1, 2)) : -1;
    case 0xc6: case 0xdb: return need(5) ? sized(5, beUint(d, pos + 1, 4)) : -1;
    case 0xd4: return need(3) ? 3 : -1;
    case 0xd5: return need(4) ? 4 : -1;
    case 0xd6: return need(6) ? 6 : -1;
    case 0xd7: return need(10) ? 10 : -1;
    case 0xd8: return need(18) ? 18 : -1;
    case 0xc7: return need(2) ? sized(3, beUint(d, pos + 1, 1)) : -1;
    case 0xc8: return need(3) ? sized(4, beUint(d, pos + 1, 2)) : -1;
    case 0xc9: return need(5) ? sized(6, beUint(d, pos + 1, 4)) : -1;
    case 0xdc: return need(3) ? items(3, beUint(d, pos + 1, 2)) : -1;
    case 0xdd: return need(5) ? items(5, beUint(d, pos + 1, 4)) : -1;
    case 0xde: return need(3) ? items(3, beUint(d, pos + 1, 2) * 2) : -1;
    case 0xdf: return need(5) ? items(5, beUint(d, pos + 1, 4) * 2) : -1;
    default: return -1; // 0xc1
    }
}

bool WireFrame::parse(const QByteArray &bytes, WireFrame *out)
{
    *out = WireFrame();
    out->raw = bytes;
    Reader r{bytes};
    const int n = r.arrayHeader();
    if (!r.ok || n < 3)
        return false;
    out->sender = r.str();
    out->name = r.str();
    out->value = r.object();
    if (!r.ok)
        return false;
    if (n == 3)
        return r.pos == bytes.size();
    out->op = int(r.uint() & 0x0f);
    for (int i = 4; i < n && r.ok; ++i) {
        if (out->op == Snapshot && i == 11) {
            const int count = r.arrayHeader();
            for (int k = 0; k < count && r.ok; ++k) {
                Entry e;
                const int len = r.arrayHeader();
                e.name = r.str();
                e.seq = r.uint();
                if (len >= 5) {
                    e.sender = r.str();
                    e.session = r.uint();
                    e.value = r.object();
                    for (int j = 5; j < len && r.ok; ++j)
                        r.object();
                } else {
                    e.removed = true;
                }
                out->entries.append(e);
            }
        } else if (r.isUint()) {
            out->fields.append(r.uint());
        } else {
            r.object();
        }
    }
    return r.ok && r.pos == bytes.size();
}

quint64 WireFrame::seq() const
{
    switch (op) {
    case Set:
    case Del: return field(2);
    case Heartbeat: return field(1);
    case Ack: return field(3);
    case Snapshot: return field(4);
    default: return 0;
    }
}

QByteArray WireFrame::packUint(quint64 v)
{
    QByteArray b;
    if (v <= 0x7f) {
        b.append(char(v));
    } else if (v <= 0xff) {
        b.append(char(0xcc)).append(char(v));
    } else if (v <= 0xffff) {
        b.append(char(0xcd)).append(char(v >> 8)).append(char(v));
    } else if (v <= 0xffffffffu) {
        b.append(char(0xce));
        for (int s = 24; s >= 0; s -= 8)
            b.append(char(v >> s));
    } else {
        b.append(char(0xcf));
        for (int s = 56; s >= 0; s -= 8)
            b.append(char(v >> s));
    }
    return b;
}

QByteArray WireFrame::packStr(const QString &s)
{
    const QByteArray u = s.toUtf8();
    QByteArray b;
    if (u.size() <= 31) {
        b.append(char(0xa0 | u.size()));
    } else if (u.size() <= 0xff) {
        b.append(char(0xd9)).append(char(u.size()));
    } else {
        b.append(char(0xda)).append(char(u.size() >> 8)).append(char(u.size()));
    }
    return b + u;
}

QByteArray WireFrame::packBin(const QByteArray &data)
{
    QByteArray b;
    const quint32 n = quint32(data.size());
    if (n <= 0xff) {
        b.append(char(0xc4)).append(char(n));
    } else if (n <= 0xffff) {
        b.append(char(0xc5)).append(char(n >> 8)).append(char(n));
    } else {
        b.append(char(0xc6));
        for (int s = 24; s >= 0; s -= 8)
            b.append(char(n >> s));
    }
    return b + data;
}

QByteArray WireFrame::packArrayHeader(int n)
{
    QByteArray b;
    if (n <= 15)
        b.append(char(0x90 | n));
    else
        b.append(char(0xdc)).append(char(n >> 8)).append(char(n));
    return b;
}

QByteArray WireFrame::numbered(int op, const QString &sender, const QString &name,
                               const QByteArray &packed, quint64 session, quint64 aseq, bool rebase)
{
    return packArrayHeader(6) + packStr(sender) + packStr(name) + packed
        + packUint(quint64(op) | (rebase ? Rebase : 0)) + packUint(session) + packUint(aseq);
}

QByteArray WireFrame::set(const QString &sender, const QString &name, const QByteArray &packed,
                          quint64 session, quint64 aseq, bool rebase)
{
    return numbered(Set, sender, name, packed, session, aseq, rebase);
}

QByteArray WireFrame::legacy(const QString &sender, const QString &name, const QByteArray &packed)
{
    return packArrayHeader(3) + packStr(sender) + packStr(name) + packed;
}

QByteArray WireFrame::batch(const QString &sender, const QVector<QByteArray> &frames)
{
    QByteArray b = packArrayHeader(4 + frames.size()) + packStr(sender) + packStr(QString())
        + packBin(QByteArray()) + packUint(Batch);
    for (const QByteArray &f : frames)
        b += f;
    return b;
}

QByteArray WireFrame::sync(const QString &sender, quint64 session, quint64 epoch, quint64 since)
{
    return packArrayHeader(7) + packStr(sender) + packStr(QString()) + packBin(QByteArray())
        + packUint(Sync) + packUint(session) + packUint(epoch) + packUint(since);
}
