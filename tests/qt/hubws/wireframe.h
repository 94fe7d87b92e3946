// SPDX-License-Identifier: MIT
#ifndef WIREFRAME_H
#define WIREFRAME_H

#include <QtCore/QByteArray>
#include <QtCore/QString>
#include <QtCore/QVector>

// One Nanostate frame (docs/PROTOCOL.md) as the tests see it: built byte by
// byte, and read back with every value kept as its raw msgpack bytes, so a
// test can check that values cross the hub unchanged.
struct WireFrame
{
    enum Op { Legacy = 0, Set = 1, Del = 2, Sync = 3, Snapshot = 4, Heartbeat = 5, Ack = 6, Ping = 7,
              Hello = 8, Batch = 9 };
    enum { Rebase = 0x10, SnapFull = 1, SnapMore = 2 };

    struct Entry
    {
        QString name;
        quint64 seq = 0;
        QString sender;
        quint64 session = 0;
        QByteArray value; // raw msgpack; empty for a removal
        bool removed = false;
    };

    QByteArray raw;
    QString sender;
    QString name;
    QByteArray value;        // element 2, raw msgpack
    int op = Legacy;         // low four bits
    QVector<quint64> fields; // elements 4.. that are unsigned integers
    QVector<Entry> entries;  // SNAPSHOT only

    // fields by name, for the ops the hub sends
    quint64 field(int i) const { return i < fields.size() ? fields.at(i) : 0; }
    quint64 seq() const;     // SET/DEL: seq; HEARTBEAT: seq; ACK: seq
    quint64 session() const { return field(0); }

    // Parses a whole frame; false if it is not one.
    static bool parse(const QByteArray &bytes, WireFrame *out);

    // --- building frames an App sends ---
    // A frame that takes an aseq: SET, DEL (packed: the empty bin), PING
    // (name "", packed the empty bin).
    static QByteArray numbered(int op, const QString &sender, const QString &name,
                               const QByteArray &packed, quint64 session, quint64 aseq, bool rebase);
    static QByteArray set(const QString &sender, const QString &name, const QByteArray &packed,
                          quint64 session, quint64 aseq, bool rebase);
    static QByteArray legacy(const QString &sender, const QString &name, const QByteArray &packed);
    // BATCH (op 9): [sender, "", b"", 9, frame, frame, ...]
    static QByteArray batch(const QString &sender, const QVector<QByteArray> &frames);
    static QByteArray sync(const QString &sender, quint64 session, quint64 epoch, quint64 since);

    // --- msgpack pieces ---
    static QByteArray packUint(quint64 v);
    static QByteArray packStr(const QString &s);
    static QByteArray packBin(const QByteArray &b);
    static QByteArray packArrayHeader(int n);
    // Length of the msgpack object at data[pos], or -1 if malformed.
    static int objectLength(const QByteArray &data, int pos);
};

#endif // WIREFRAME_H
