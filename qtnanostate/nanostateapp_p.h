// SPDX-License-Identifier: MIT
#ifndef NANOSTATEAPP_P_H
#define NANOSTATEAPP_P_H

// Not part of the API: may change without notice.

#include "nanostateapp.h"

#include <QtCore/QHash>
#include <QtCore/QPointer>
#include <QtCore/QSocketNotifier>
#include <QtCore/QTimer>
#include <QtCore/QVector>

#include <nanostate/nanostate.h>

class NanostateAppPrivate
{
    Q_DECLARE_PUBLIC(NanostateApp)
public:
    explicit NanostateAppPrivate(NanostateApp *q);

    static void onUpdate(void *user, const nanostate_update *update);
    static void onConnect(void *user, int connected);

    // Changes seen by the C callbacks, emitted once the library call that
    // produced them has returned (so slots may call anything, even close()).
    struct Event {
        QString name;
        QVariant value;
        QString sender;
        bool removed;
    };

    void dispatch();
    void emitEvents();
    void armTimer();
    void checkSynced();
    bool fail(NanostateApp::Error error, const QString &message);
    bool failCode(int code, const QString &context);
    void release();

    NanostateApp *q_ptr;
    QString url;
    QString identity;
    nanostate_app *app = nullptr;
    QSocketNotifier *notifier = nullptr;
    // A child of the App, so that moveToThread() takes it along.
    QTimer *timer = nullptr;
    // The replica as QVariants, kept in step by the update callback so that
    // reads do not decode msgpack again.
    QVariantMap states;
    QHash<QString, QString> senders;
    QVector<Event> events;
    int connectedEvent = -1; // -1: none, else the new state
    bool connected = false;
    bool synced = false;
    bool dispatching = false;
    bool closeRequested = false;
    // Counts close()s: a batch being emitted stops when a slot closes the App.
    quint64 generation = 0;
    NanostateApp::Error error = NanostateApp::NoError;
    QString errorString;
};

#endif // NANOSTATEAPP_P_H
