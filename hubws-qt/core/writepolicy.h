// SPDX-License-Identifier: MIT
#ifndef WRITEPOLICY_H
#define WRITEPOLICY_H

#include <QtCore/QByteArray>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtCore/QVector>

// Which states a WebSocket client may write: every name (the default),
// none (--read-only-ws, or a token given as TOKEN:), or the names under
// some prefixes (TOKEN:robot/,ui/). A prefix is compared byte for byte
// with the UTF-8 name, so "robot/" allows "robot/speed" but neither
// "robot" nor "robots/x". Reading is never restricted.
//
// Only SET, DEL and legacy frames carry a name (docs/PROTOCOL.md 5: a
// control frame with one is invalid), so a frame with a name is judged by
// it. Of the frames without one, a limited client may send SYNC and HELLO,
// and PING unless it writes nothing (a PING moves the in-order counter of
// whatever session it names). BATCH is refused: its frames are not looked
// into. The check reads the head of a frame only, never its value.
class WritePolicy
{
public:
    enum Verdict {
        Allowed,   // writes nothing, or a name the policy allows
        Refused,   // writes a name (or sends a frame) the policy does not allow
        Unreadable // not a frame a client sends, as far as the head shows: invalid anyway
    };

    WritePolicy() = default; // every name
    static WritePolicy nothing();
    static WritePolicy under(const QStringList &prefixes);

    bool isUnrestricted() const { return any; }
    bool allows(const QByteArray &name) const;
    // For a frame a client sent; when Refused, *why says what it may not do
    // ("may not write robot/x"), fit for a close reason once cut to size.
    Verdict check(const QByteArray &frame, QString *why) const;
    QString toString() const; // for the log: "every name", "no name", "names under a/, b/"

private:
    bool any = true;
    QVector<QByteArray> prefixes;
};

#endif // WRITEPOLICY_H
