// SPDX-License-Identifier: MIT
#ifndef HUBSTATE_H
#define HUBSTATE_H

#include <QtCore/QByteArray>
#include <QtCore/QMetaType>
#include <QtCore/QString>

// One state of the hub's table as a monitor sees it. The value is the packed
// msgpack object exactly as its writer sent it (NanostateVariant::unpack()
// turns it into a QVariant).
struct HubState
{
    QString name;
    QByteArray value;      // empty when removed
    QString sender;
    quint64 version = 0;   // hub sequence number of the last change
    quint64 updates = 0;   // how many times it was set
    qint64 changedMs = 0;  // wall clock of the last change, ms since the epoch
    bool removed = false;
};
Q_DECLARE_METATYPE(HubState)

#endif // HUBSTATE_H
